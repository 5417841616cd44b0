//! Placeholders are not secrets. Every hit of every rule passes
//! [`is_placeholder`] (on the random part of the value) and
//! [`is_documented_dummy`] (on the whole value) in
//! [`Detector`](super::Detector), so no rule can forget them:
//!
//! - all-same characters: two or fewer distinct ones, one character making
//!   up more than half of the value, or a run of eight identical ones
//!   (`xxxxxxxx`, `XXXX-XXXX`, `0000000000000000`, `aaaaaaaab`,
//!   `5555555dAAAAA7777777Cccc…`); runs of `A` excepted, which base64 writes
//!   for zero bytes;
//! - sequential characters: a run of six or more ascending or descending
//!   letters or digits (`123456`, `abcdef`, `987654`; `…7890…` counts;
//!   also among every other character, as in `a1b2c3d4e5f6`), far
//!   beyond what a random value holds (for 64 random hex digits the chance
//!   of such a run is about one in ten thousand);
//! - marker words: `example`, `sample`, `placeholder`, `dummy`, `changeme`,
//!   `redacted`, `xxxx`, `****`, `your_`/`your-`/`yourkey`/`yourtoken`,
//!   `_here`/`-here` (`your-key-here`, `TOKEN_GOES_HERE`), `insert`, `replace_me`;
//! - documented dummy values, by their SHA-256 so that this repository
//!   holds no token-shaped string: AWS's own example key pair
//!   (`AKIAIOSFODNN7EXAMPLE`, already caught by the marker word) and the
//!   public Google API keys published in SDKs and samples (the ones gitleaks
//!   lists as not secret).

use sha2::{Digest, Sha256};

/// Words that mark a value as an example (compared lower-case).
const MARKERS: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "dummy",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "xxxx",
    "****",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourapikey",
    "_here",
    "-here",
    "goeshere",
    "insert_",
    "insert-",
    "replace_me",
    "replace-me",
    "replaceme",
];

/// The shortest ascending or descending run that makes a value sequential.
const SEQUENTIAL_RUN: usize = 6;

/// True when `random` (the part of a hit that should be random) is a
/// placeholder.
pub fn is_placeholder(random: &str) -> bool {
    if random.is_empty() {
        return true;
    }
    let lower = random.to_ascii_lowercase();
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    all_same(random)
        || sequential_run(&lower) >= SEQUENTIAL_RUN
        || interleaved_run(&lower) >= SEQUENTIAL_RUN
        || long_run(random)
}

/// The longest sequential run among every other character, from either
/// start: `a1b2c3d4e5f6` interleaves `abcdef` and `123456`, a typed
/// pattern (`A1b2C3d4…` in documentation), never a drawn one.
pub fn interleaved_run(lower: &str) -> usize {
    let bytes = lower.as_bytes();
    (0..2)
        .map(|offset| {
            let every_other: Vec<u8> = bytes.iter().skip(offset).step_by(2).copied().collect();
            std::str::from_utf8(&every_other).map_or(0, sequential_run)
        })
        .max()
        .unwrap_or(0)
}

/// The longest run of one character that a random value may hold: eight
/// identical characters in a row are typed, not drawn (`0000000000`,
/// `aaaaaaaaaaaaaa`). `A` is the exception: base64 of binary data writes
/// zero bytes as runs of `A` (Dropbox and Fly.io tokens hold such runs).
const MAX_RUN: usize = 8;

fn long_run(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut run = 1;
    for pair in bytes.windows(2) {
        if pair[0] == pair[1] && pair[0] != b'A' {
            run += 1;
            if run >= MAX_RUN {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Two or fewer distinct characters besides separators, or one character
/// more than half of the value.
fn all_same(value: &str) -> bool {
    let mut counts = [0usize; 256];
    let mut total = 0usize;
    for &b in value.as_bytes() {
        if matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b' ') {
            continue;
        }
        counts[usize::from(b)] += 1;
        total += 1;
    }
    if total == 0 {
        return true;
    }
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let most = counts.iter().copied().max().unwrap_or(0);
    (distinct <= 2 && total >= 4) || most * 2 > total
}

/// The longest run of consecutive letters or digits, each one more (or one
/// less) than the one before (`9` then `0` continues a digit run), in
/// lower-case ASCII.
pub fn sequential_run(lower: &str) -> usize {
    let bytes = lower.as_bytes();
    let next = |a: u8, b: u8, step: i8| -> bool {
        match (a, b) {
            (b'0'..=b'9', b'0'..=b'9') => {
                let (a, b) = (i16::from(a - b'0'), i16::from(b - b'0'));
                (a + i16::from(step)).rem_euclid(10) == b
            }
            (b'a'..=b'z', b'a'..=b'z') => i16::from(a) + i16::from(step) == i16::from(b),
            _ => false,
        }
    };
    let mut best = usize::from(!bytes.is_empty());
    for step in [1i8, -1] {
        let mut run = 1;
        for pair in bytes.windows(2) {
            if next(pair[0], pair[1], step) {
                run += 1;
                best = best.max(run);
            } else {
                run = 1;
            }
        }
    }
    best
}

/// SHA-256 (hex) of values published as examples or as public, non-secret
/// keys. Kept as digests so the repository holds none of them.
const DOCUMENTED_DUMMIES: &[&str] = &[
    // AWS documentation: the example access key id and secret access key.
    "1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3",
    "78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598",
    // NuGet documentation: the example package-source passwords.
    "dba72c00f41f4e4c435e2491a5e1ce0140c7b5a6a498dc4847396b5e6368970c",
    "a0702bc91d699f600970f4dc4992b13ede1a29d49fa0942dd4bed2b5e4b1016e",
    // Google API keys published in Google SDKs and samples (public by
    // design; gitleaks' default configuration allowlists the same keys).
    "f56e323494a6ffc2064e7a955908957d84f0755e5f975dabd64328d0359a8f7c",
    "2037abcaffb2b77785da716cf7ccff4ff4d00c4ea930db0167b7d71f50af7eb4",
    "3f370c9dd8225c63b5c77de1f785edc9712958f18bb612d5fa2e0ae33aeca682",
    "e4a5542bb7fd7b67e943c71ad29c34b5972c9840597e7eda53e666f44d5da0b9",
    "a19f89ab3555eac10c40741f6df79ecf0935998f15569f8db9d67bce0181fff6",
    "0b476bdf9acf2123d547b5ae76f1e59884d8ec9553ee0c47e9f31fd4768f3f3c",
    "eb540d2b6ee2a0a47c5779bc8a0141784c6b753840d4c6f4e2428a6e86e9e0b1",
    "37f8f09bdf12c2f2eae4ead7273a62ddb0c23459cbf902892f282b57f7ed6619",
    "8731261cb72d86267a32a532ebd3df429e2144e5e4ced7e13568bc9e6c8fb1b1",
    "49f777db995e8260da7ca9ffdf0c08d66f0453e97ec967018baf2cdfe3b582d0",
    "27a9a42931dff7eb2f8434e20a9bce976ea364e7bee49187f19d5cfeca9c7045",
    "dc0fcf046c61640cbd1e8b999ada3262d722c2ca4bf42dceac999020ffdbb614",
    "4c98242dcadc8b29005c6b4aad526552d5ea1842149154c0694adeec75847583",
    "ea9bb1082cf95663f5faca23b8b15ef2aa0fce0a5c6df9c32dcb85b2e0a4513d",
    "3a8b61d0f636b007840c0d40ba12bcf48465dc054cdc1a68704a33521d84b665",
    "a6c814bc555ae62c7bd8b58ec07bf559c7ed3a009976a1e0acc9cef0d4473b41",
];

/// True when `value` is a documented dummy or public value.
pub fn is_documented_dummy(value: &str) -> bool {
    let digest = Sha256::digest(value.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    DOCUMENTED_DUMMIES.contains(&hex.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_and_sequential_characters_are_placeholders() {
        for value in [
            "xxxxxxxxxxxxxxxxxxxx",
            "XXXX-XXXX-XXXX",
            "0000000000000000",
            "aaaaaaaaaaaaaab",
            "1234567890abcdef",
            "abcdefghijklmnop",
            "zyxwvu",
            "q7X7890123w",
            "A1b2C3d4E5f6G7h8I9j0K1l2M3n4",
            "my-EXAMPLE-token",
            "your-api-key-here",
            "INSERT_TOKEN_HERE",
            "********",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in [
            "q7Xw2LmZ9pR4tBvK",
            "0f3a9c2e7b1d4f86a5c3e9d1b7f2a4c8",
            "FAKEq7Xw2LmZ9pR4tBvK",
            "abc123",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn runs_are_measured_both_ways_and_across_nine() {
        assert_eq!(sequential_run("x12345y"), 5);
        assert_eq!(sequential_run("7890123"), 7);
        assert_eq!(sequential_run("fedcba"), 6);
        assert_eq!(sequential_run("a1b2c3"), 1);
        assert_eq!(sequential_run(""), 0);
    }
}

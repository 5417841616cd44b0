//! How random a candidate value looks. Rules whose pattern alone is not
//! specific enough (a generic `password = ...`, a GitLab token body) ask for
//! a minimum Shannon entropy, so that `xxxxxxxxxxxxxxxxxxxx` and
//! `your-token-here` are not findings.

/// Shannon entropy of `value`'s bytes, in bits per byte (0 for empty).
pub fn shannon(value: &str) -> f64 {
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Which kinds of characters a value mixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    pub other: bool,
}

impl Classes {
    pub fn of(value: &str) -> Classes {
        let mut c = Classes::default();
        for ch in value.chars() {
            match ch {
                'a'..='z' => c.lower = true,
                'A'..='Z' => c.upper = true,
                '0'..='9' => c.digit = true,
                _ => c.other = true,
            }
        }
        c
    }

    /// How many of the four kinds occur.
    pub fn count(self) -> usize {
        [self.lower, self.upper, self.digit, self.other]
            .iter()
            .filter(|&&x| x)
            .count()
    }
}

/// True when every character is a hex digit.
pub fn is_hex(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True when one character makes up more than half of the value
/// (`aaaaaaaaaaaaaaab`, `0000-0000-0000`): a placeholder, not a secret.
pub fn is_repetitive(value: &str) -> bool {
    let mut counts = [0usize; 256];
    for &b in value.as_bytes() {
        counts[usize::from(b)] += 1;
    }
    counts.iter().any(|&c| c * 2 > value.len())
}

/// A run of the same character at least `run` long (`xxxxxxxx`).
pub fn has_run(value: &str, run: usize) -> bool {
    let bytes = value.as_bytes();
    let mut length = 1;
    for pair in bytes.windows(2) {
        if pair[0] == pair[1] {
            length += 1;
            if length >= run {
                return true;
            }
        } else {
            length = 1;
        }
    }
    run <= 1 && !bytes.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon(""), 0.0);
        assert_eq!(shannon("aaaa"), 0.0);
        assert!((shannon("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon("q7Xw2LmZ9pR4tBvK") > 3.9);
    }

    #[test]
    fn classes_and_placeholders() {
        assert_eq!(Classes::of("aB3-").count(), 4);
        assert_eq!(Classes::of("abc").count(), 1);
        assert!(is_hex("deadBEEF01") && !is_hex("xyz") && !is_hex(""));
        assert!(is_repetitive("aaaaaaab") && !is_repetitive("abcabc"));
        assert!(has_run("abxxxxcd", 4) && !has_run("abxxxcd", 4));
    }
}

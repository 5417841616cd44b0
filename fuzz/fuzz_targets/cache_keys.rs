//! The cache tool's parsers (ci-intel-cache), by the first byte:
//!
//! - 0: a public key file (`keys::parse_public_key`: PEM SPKI Ed25519, a
//!   minisign key file or line) and a signature file (`keys::verify`).
//!   **A fuzzed signature never verifies**: not with the parsed key, not
//!   with our fixed Ed25519 and minisign keys.
//! - 1, 2, 3: a private key (`keys::parse_private_key`): a PKCS#8 PEM
//!   body (the harness writes the PEM lines, so no key-shaped text is in
//!   the corpus), a minisign secret key file (the harness writes its
//!   `untrusted comment:` line), or the text as it is. **No line of the
//!   key's body is in an error message or a `Debug` rendering**; an
//!   accepted key signs, the signature verifies with its public key, and
//!   not over other bytes.
//! - 4: `domain::decide` over `GITHUB_EVENT_NAME`, `GITHUB_REPOSITORY`
//!   and the event payload (one a line): a `pull_request_target` run is
//!   always untrusted; a pull-request or `workflow_run` event is trusted
//!   only when the payload's head repository is the base repository, and
//!   never without a payload (fail closed).
//! - 5: our Ed25519 signature over the bytes verifies, as raw bytes and as
//!   base64; with one byte changed it does not.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use ci_intel_cache::domain::{Domain, decide};
use ci_intel_cache::keys::{
    PrivateKey, PublicKey, parse_private_key, parse_public_key, public_of, sign, verify,
};
use libfuzzer_sys::fuzz_target;

const MESSAGE: &[u8] = b"{\"schema\":\"https://ci-intel.dev/schemas/manifest/v1\"}\n";

struct Keys {
    ed25519: PrivateKey,
    ed25519_public: PublicKey,
    minisign_public: PublicKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let ed25519 = PrivateKey::Ed25519(Box::new(signing));
        let ed25519_public = public_of(&ed25519).expect("an Ed25519 key has a public key");
        let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("a minisign key");
        Keys {
            ed25519,
            ed25519_public,
            minisign_public: PublicKey::Minisign(Box::new(pair.pk)),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 6 {
        0 => public_key(rest),
        1 => private_key(&format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            String::from_utf8_lossy(rest)
        )),
        2 => private_key(&format!(
            "untrusted comment: minisign encrypted secret key\n{}",
            String::from_utf8_lossy(rest)
        )),
        3 => private_key(&String::from_utf8_lossy(rest)),
        4 => domain(&String::from_utf8_lossy(rest)),
        _ => signature(rest),
    }
});

fn public_key(bytes: &[u8]) {
    // The key file, then the signature file after the first NUL.
    let (key, signature) = ci_intel_fuzz::split_at_byte(bytes, 0);
    let parsed = parse_public_key(&String::from_utf8_lossy(key));
    if let Ok(key) = &parsed {
        let id = key.identity();
        assert!(
            id.starts_with("ed25519:") || id.starts_with("minisign:"),
            "{id}"
        );
        assert_eq!(id, key.identity());
        assert!(
            verify(key, MESSAGE, signature).is_err(),
            "a fuzzed signature verifies with a fuzzed key"
        );
    }
    for key in [&keys().ed25519_public, &keys().minisign_public] {
        assert!(
            verify(key, MESSAGE, signature).is_err(),
            "a fuzzed signature verifies with {}",
            key.identity()
        );
    }
}

/// The lines of a key file that carry key material: base64, 16 bytes or
/// more, with a digit, `+` or `/` (so no word of an error message).
fn secret_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            l.len() >= 16
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
                && l.bytes().any(|b| b.is_ascii_digit() || b"+/".contains(&b))
        })
        .collect()
}

fn private_key(text: &str) {
    let parsed = parse_private_key(text, None);
    let rendering = match &parsed {
        Ok(key) => format!("{key:?}"),
        Err(message) => message.clone(),
    };
    for line in secret_lines(text) {
        assert!(
            !rendering.contains(line),
            "a line of the key file is in the rendering: {rendering}"
        );
    }
    let Ok(key) = parsed else {
        return;
    };
    let Some(public) = public_of(&key) else {
        return;
    };
    let signed = sign(&key, MESSAGE, "fuzz").expect("an accepted key does not sign");
    assert_eq!(
        verify(&public, MESSAGE, &signed),
        Ok(()),
        "our own signature does not verify"
    );
    assert!(verify(&public, b"other bytes", &signed).is_err());
}

fn domain(text: &str) {
    let mut lines = text.splitn(3, '\n');
    let event = lines.next().filter(|e| !e.is_empty());
    let repository = lines.next().filter(|r| !r.is_empty());
    let payload = lines.next().and_then(|p| serde_json::from_str(p).ok());
    let (domain, reason) = decide(event, repository, payload.as_ref());
    assert!(!reason.is_empty());
    assert_eq!(Domain::parse(domain.as_str()), Some(domain));
    let Some(event) = event else {
        return;
    };
    let head = |pointer: &str| {
        payload
            .as_ref()
            .and_then(|p: &serde_json::Value| p.pointer(pointer))
            .and_then(serde_json::Value::as_str)
    };
    let base = head("/repository/full_name").or(repository);
    let pointer = match event {
        "pull_request_target" => {
            assert_eq!(domain, Domain::Untrusted, "pull_request_target is trusted");
            return;
        }
        "pull_request" | "pull_request_review" | "pull_request_review_comment" => {
            "/pull_request/head/repo/full_name"
        }
        "workflow_run" => "/workflow_run/head_repository/full_name",
        _ => return,
    };
    if domain == Domain::Trusted {
        let (Some(head), Some(base)) = (head(pointer), base) else {
            panic!("{event} without a head or base repository is trusted: {reason}");
        };
        assert!(
            head.eq_ignore_ascii_case(base),
            "{event} from {head} into {base} is trusted"
        );
    }
}

fn signature(bytes: &[u8]) {
    let key = &keys().ed25519;
    let public = &keys().ed25519_public;
    let signed = sign(key, bytes, "").expect("Ed25519 signs");
    assert_eq!(verify(public, bytes, &signed), Ok(()));
    let text = base64::engine::general_purpose::STANDARD.encode(&signed);
    assert_eq!(
        verify(public, bytes, format!(" {text}\n").as_bytes()),
        Ok(())
    );
    let mut other = bytes.to_vec();
    match other.first_mut() {
        Some(b) => *b ^= 1,
        None => other.push(0),
    }
    assert!(
        verify(public, &other, &signed).is_err(),
        "a signature verifies other bytes"
    );
    let mut forged = signed.clone();
    let at = usize::from(bytes.first().copied().unwrap_or(0)) % forged.len();
    forged[at] ^= 0x20;
    assert!(
        verify(public, bytes, &forged).is_err(),
        "a changed signature verifies"
    );
}

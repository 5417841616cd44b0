//! What the fuzz targets (fuzz/, docs/fuzzing.md) found in ci-intel-cache.
//! The inputs are private keys, so they are made here at test time rather
//! than kept under tests/fixtures/fuzz (this repository's own secrets gate
//! scans its files, and no key-shaped text is committed).

use base64::Engine as _;
use ci_intel_cache::keys::{parse_private_key, public_of, sign, verify};

/// An unencrypted minisign secret key file in the shape the reference
/// minisign writes with `-W`: no key derivation and an all-zero checksum.
/// `public` is the public half stored in the key (normally the one `seed`
/// derives).
fn minisign_unencrypted(seed: [u8; 32], public: [u8; 32]) -> String {
    let mut raw = Vec::with_capacity(158);
    raw.extend_from_slice(b"Ed"); // signature algorithm
    raw.extend_from_slice(&[0, 0]); // no key derivation
    raw.extend_from_slice(b"B2"); // checksum algorithm
    raw.extend_from_slice(&[0; 32 + 8 + 8]); // salt, opslimit, memlimit
    raw.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]); // key number
    raw.extend_from_slice(&seed);
    raw.extend_from_slice(&public);
    raw.extend_from_slice(&[0; 32]); // checksum, zero as minisign -W writes it
    format!(
        "untrusted comment: minisign secret key\n{}\n",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn public_of_seed(seed: [u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes()
}

/// Found by `cache_keys`: an unencrypted minisign key with a zero checksum
/// whose public half is not the one its seed derives (a damaged file; the
/// zero checksum checks nothing) was accepted, and every manifest it signed
/// failed to verify with its own public key. Such a key is now refused.
#[test]
fn a_minisign_key_whose_halves_disagree_is_refused() {
    let seed = [7u8; 32];
    let mut public = public_of_seed(seed);
    public[5] ^= 0x40;
    let error = parse_private_key(&minisign_unencrypted(seed, public), None)
        .expect_err("a key whose public half does not match its seed");
    assert!(error.contains("minisign"), "{error}");
}

/// The same shape with matching halves is still read, and what it signs
/// verifies with its public key.
#[test]
fn a_minisign_key_from_minisign_w_signs_what_its_public_key_verifies() {
    let seed = [7u8; 32];
    let key = parse_private_key(&minisign_unencrypted(seed, public_of_seed(seed)), None)
        .expect("an unencrypted minisign key with a zero checksum");
    let public = public_of(&key).expect("a public key");
    let signature = sign(&key, b"manifest\n", "fuzz regression").expect("it signs");
    assert_eq!(verify(&public, b"manifest\n", &signature), Ok(()));
    assert!(verify(&public, b"other\n", &signature).is_err());
}

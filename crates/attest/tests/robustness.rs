//! Untrusted input never panics and never passes by accident: real bundles
//! with random mutations (a field removed, replaced, or one bit of its
//! decoded bytes flipped: certificates, signatures, proofs, checkpoints,
//! payloads) go through the whole verification, and `.jsonl` files with
//! random lines go through the provenance reader.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ci_intel_attest::{
    ArtifactInput, BundleRequest, IdentityPolicy, Instance, ProvenancePolicy, ProvenanceRequest,
    TrustSelection, verify_bundle, verify_provenance,
};
use proptest::prelude::*;
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Every leaf's JSON pointer.
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    /// Flip bit `bit` of byte `index` (modulo the length) of the decoded
    /// base64 value; other strings get a character changed.
    FlipBit {
        index: usize,
        bit: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            "[ -~]{0,24}".prop_map(Value::from),
            Just(Value::Array(vec![])),
            Just(serde_json::json!({})),
        ]
        .prop_map(Mutation::Replace),
        (any::<usize>(), 0u8..8).prop_map(|(index, bit)| Mutation::FlipBit { index, bit }),
    ]
}

fn apply(bundle: &mut Value, pointer: &str, mutation: &Mutation) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    match mutation {
        Mutation::Remove => match bundle.pointer_mut(if parent.is_empty() { "" } else { parent }) {
            Some(Value::Object(map)) => {
                map.remove(&key);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = key.parse::<usize>()
                    && i < items.len()
                {
                    items.remove(i);
                }
            }
            _ => {}
        },
        Mutation::Replace(v) => {
            if let Some(slot) = bundle.pointer_mut(pointer) {
                *slot = v.clone();
            }
        }
        Mutation::FlipBit { index, bit } => {
            let Some(slot) = bundle.pointer_mut(pointer) else {
                return;
            };
            let Some(text) = slot.as_str() else { return };
            if let Ok(mut bytes) = B64.decode(text)
                && !bytes.is_empty()
            {
                let i = index % bytes.len();
                bytes[i] ^= 1 << bit;
                *slot = Value::String(B64.encode(bytes));
            } else if !text.is_empty() {
                let mut chars: Vec<char> = text.chars().collect();
                let i = index % chars.len();
                chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
                *slot = Value::String(chars.into_iter().collect());
            }
        }
    }
}

struct Good {
    bundle: Value,
    artifact: ArtifactInput,
    identity: String,
    issuer: String,
    trust: TrustSelection,
}

fn good_bundles() -> Vec<Good> {
    let mut out = vec![Good {
        bundle: serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/data/github-private-attestation.sigstore.json"),
            )
            .unwrap(),
        )
        .unwrap(),
        artifact: ArtifactInput::parse(
            "sha256:76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428",
        )
        .unwrap(),
        identity: "https://dotcom.releases.github.com".into(),
        issuer: "none".into(),
        trust: TrustSelection::Embedded(Instance::Github),
    }];
    if let Some(corpus) = common::corpus("sigstore-conformance") {
        for case in [
            "happy-path-v0.1",
            "happy-path-v0.3",
            "happy-path-intoto-in-dsse-v3",
            "rekor2-happy-path",
            "rekor2-timestamp-with-embedded-cert",
        ] {
            let dir = corpus.join("bundle-verify").join(case);
            let trust = if dir.join("trusted_root.json").is_file() {
                TrustSelection::File(dir.join("trusted_root.json"))
            } else {
                TrustSelection::Embedded(Instance::PublicGood)
            };
            out.push(Good {
                bundle: serde_json::from_str(
                    &std::fs::read_to_string(dir.join("bundle.sigstore.json")).unwrap(),
                )
                .unwrap(),
                artifact: ArtifactInput::File(corpus.join("bundle-verify/a.txt")),
                identity: common::DEFAULT_IDENTITY.into(),
                issuer: common::DEFAULT_ISSUER.into(),
                trust,
            });
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// A mutated real bundle: never a panic; and a mutation that changed
    /// something other than unauthenticated hints never passes.
    #[test]
    fn mutated_real_bundles_never_panic(pick in any::<usize>(), leaf in any::<usize>(), m in mutation()) {
        let goods = good_bundles();
        let good = &goods[pick % goods.len()];
        let mut bundle = good.bundle.clone();
        let mut paths = Vec::new();
        leaves(&bundle, String::new(), &mut paths);
        let pointer = paths[leaf % paths.len()].clone();
        apply(&mut bundle, &pointer, &m);
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "b.sigstore.json", &bundle.to_string());
        let result = verify_bundle(&BundleRequest {
            artifacts: vec![good.artifact.clone()],
            bundle: path,
            identity: Some(IdentityPolicy::Exact(good.identity.clone())),
            issuer: Some(good.issuer.clone()),
            key: None,
            trust: good.trust.clone(),
        });
        // Changes that do not weaken anything, so may pass: DSSE key ids
        // (unauthenticated hints), and an RFC 3161 token's embedded
        // certificates (an unsigned attachment: the TSA's certificate comes
        // from the trusted root).
        let inert = ["/keyid", "/signedTimestamp"];
        if let Ok(outcome) = &result
            && outcome.passed()
            && bundle != good.bundle
        {
            prop_assert!(
                inert.iter().any(|s| pointer.ends_with(s)),
                "mutating {pointer} with {m:?} still passed"
            );
        }
    }

    /// Random lines in an `.intoto.jsonl`: never a panic, never a pass.
    #[test]
    fn random_provenance_lines_never_panic_or_pass(lines in prop::collection::vec("(?s)[ -~\n]{0,120}", 0..4)) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "p.intoto.jsonl", &lines.join("\n"));
        let artifact = write(dir.path(), "a.bin", "artifact");
        let result = verify_provenance(&ProvenanceRequest {
            artifacts: vec![ArtifactInput::File(artifact)],
            provenance: path,
            policy: ProvenancePolicy::new("github.com/o/r", None, None, None).unwrap(),
            trust: TrustSelection::Embedded(Instance::PublicGood),
        });
        prop_assert!(!matches!(result, Ok(ref o) if o.passed()));
    }
}

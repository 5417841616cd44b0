//! slsa-verifier's own cases (../shared/corpus/conformance/slsa-verifier:
//! its testdata and the expected verdict of each case of its Go tests, plus
//! derived negative cases): every case through `verify_provenance`, and the
//! agreement per builder family reported and asserted at the level reached,
//! so a change either way is seen. docs/attest.md explains the differences.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use ci_intel_attest::{
    ArtifactInput, Instance, ProvenancePolicy, ProvenanceRequest, SourceRef, TrustSelection,
    verify_provenance,
};
use serde_json::Value;

/// (family, cases, agreeing) as measured when this test was written.
const REACHED: [(&str, usize, usize); 4] = [
    ("gha_container-based", 366, 366),
    ("gha_delegator", 184, 163),
    ("gha_gradle", 244, 244),
    ("gha_maven", 244, 244),
];

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    agree: usize,
    /// slsa-verifier passes, we deny.
    false_deny: usize,
    /// slsa-verifier fails, we pass.
    false_pass: usize,
    /// We could not verify (exit 2 or 3).
    errors: usize,
    /// First reasons of disagreement, a few per family.
    samples: Vec<String>,
}

#[test]
fn agreement_with_slsa_verifier_per_builder_family() {
    let Some(dir) = common::corpus("conformance/slsa-verifier") else {
        return;
    };
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for case in cases["cases"].as_array().unwrap() {
        let field = |name: &str| case[name].as_str().map(str::to_owned);
        let family = field("builder").unwrap();
        let expected_pass = case["expected"] == "PASS";
        let source_ref = match (field("source_tag"), field("source_branch")) {
            (Some(tag), _) => Some(SourceRef::Tag(tag)),
            (None, Some(branch)) => Some(SourceRef::Branch(branch)),
            (None, None) => None,
        };
        let result = ProvenancePolicy::new(
            &field("source_uri").unwrap(),
            source_ref,
            field("builder_id"),
            None,
        )
        .and_then(|policy| {
            verify_provenance(&ProvenanceRequest {
                artifacts: vec![ArtifactInput::File(dir.join(field("artifact").unwrap()))],
                provenance: dir.join(field("provenance").unwrap()),
                policy,
                trust: TrustSelection::Embedded(Instance::PublicGood),
            })
        });
        let tally = tallies.entry(family).or_default();
        tally.cases += 1;
        let (ours_pass, why) = match &result {
            Ok(o) => (
                o.passed(),
                o.transcript
                    .failures()
                    .next()
                    .map(|c| {
                        format!(
                            "[{}] {}; expected {}; actual {}",
                            c.id,
                            c.detail.as_deref().unwrap_or_default(),
                            c.expected.as_deref().unwrap_or_default(),
                            c.actual.as_deref().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
            ),
            Err(f) => {
                tally.errors += 1;
                if tally.errors == 1 {
                    println!(
                        "  first could-not-verify in {}: {} {}: expected {}: exit {}: {}",
                        case["builder"].as_str().unwrap_or_default(),
                        case["version"].as_str().unwrap_or_default(),
                        case["case"].as_str().unwrap_or_default(),
                        case["expected"].as_str().unwrap_or_default(),
                        f.code.code(),
                        f.message
                    );
                }
                (false, format!("exit {}: {}", f.code.code(), f.message))
            }
        };
        if ours_pass == expected_pass {
            tally.agree += 1;
        } else {
            if expected_pass {
                tally.false_deny += 1;
            } else {
                tally.false_pass += 1;
            }
            if tally.samples.len() < 3 {
                tally.samples.push(format!(
                    "{} {}: expected {}, ours {}: {}",
                    case["version"].as_str().unwrap_or_default(),
                    case["case"].as_str().unwrap_or_default(),
                    case["expected"].as_str().unwrap_or_default(),
                    if ours_pass { "PASS" } else { "FAIL" },
                    why.chars().take(400).collect::<String>()
                ));
            }
        }
    }
    let mut reached = Vec::new();
    for (family, t) in &tallies {
        println!(
            "{family}: {} of {} agree ({} slsa-verifier passes that we deny, {} it fails that we pass, {} could not verify)",
            t.agree, t.cases, t.false_deny, t.false_pass, t.errors
        );
        for sample in &t.samples {
            println!("    {sample}");
        }
        reached.push((family.as_str(), t.cases, t.agree));
    }
    // A verifier that passes what slsa-verifier fails is never accepted.
    for (family, t) in &tallies {
        assert_eq!(t.false_pass, 0, "{family}: {t:?}");
    }
    assert_eq!(reached, REACHED.to_vec());
}

/// The delegator (trusted reusable workflow) path, check by check: accepted
/// when `--builder-id` names the TRW, denied without it, with an untrusted
/// builder id, a wrong source, a wrong tag, or a delegator that signed from
/// a branch; slsa-github-generator's own Maven builder needs no builder id.
#[test]
fn delegator_provenance_is_accepted_only_for_the_named_builder() {
    use ci_intel_attest::CheckId;
    let Some(dir) = common::corpus("conformance/slsa-verifier") else {
        return;
    };
    const TRW: &str = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml";
    const EXAMPLE: &str = "github.com/slsa-framework/example-package";
    let run =
        |family: &str, version: &str, source: &str, tag: Option<&str>, builder: Option<&str>| {
            let name = "binary-linux-amd64-push-v14.2";
            verify_provenance(&ProvenanceRequest {
                artifacts: vec![ArtifactInput::File(
                    dir.join(family).join(version).join(name),
                )],
                provenance: dir
                    .join(family)
                    .join(version)
                    .join(format!("{name}.build.slsa")),
                policy: ProvenancePolicy::new(
                    source,
                    tag.map(|t| SourceRef::Tag(t.to_owned())),
                    builder.map(str::to_owned),
                    None,
                )
                .unwrap(),
                trust: TrustSelection::Embedded(Instance::PublicGood),
            })
            .unwrap()
        };
    let failed = |o: &ci_intel_attest::Outcome| -> Vec<CheckId> {
        o.transcript.failures().map(|c| c.id).collect()
    };
    let trw_short = format!("{TRW}@v2.1.0");
    let allowed = [
        run("gha_delegator", "v2.1.0", EXAMPLE, Some("v14.2"), Some(TRW)),
        run(
            "gha_delegator",
            "v2.1.0",
            EXAMPLE,
            Some("v14.2"),
            Some(&trw_short),
        ),
        run("gha_maven", "v2.1.0", EXAMPLE, Some("v14.2"), None),
    ];
    for outcome in &allowed {
        assert!(outcome.passed(), "{}", outcome.transcript.reason);
    }
    let denied = [
        (
            run("gha_delegator", "v2.1.0", EXAMPLE, Some("v14.2"), None),
            CheckId::BuilderSigner,
        ),
        (
            run(
                "gha_delegator",
                "v2.1.0",
                EXAMPLE,
                Some("v14.2"),
                Some(
                    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml",
                ),
            ),
            CheckId::BuilderId,
        ),
        (
            run(
                "gha_delegator",
                "v2.1.0",
                "github.com/laurentsimon/slsa-verifier-test-gen",
                Some("v14.2"),
                Some(TRW),
            ),
            CheckId::SourceUri,
        ),
        (
            run("gha_delegator", "v2.1.0", EXAMPLE, Some("v14.1"), Some(TRW)),
            CheckId::SourceRef,
        ),
        (
            run(
                "gha_delegator",
                "v2.1.0",
                EXAMPLE,
                Some("v14.2"),
                Some(&format!("{TRW}@v2.0.0")),
            ),
            CheckId::BuilderId,
        ),
        // Signed by the delegator at refs/heads/main: not a release.
        (
            run("gha_delegator", "v1.9.0", EXAMPLE, Some("v14.2"), Some(TRW)),
            CheckId::BuilderSigner,
        ),
    ];
    for (outcome, check) in &denied {
        assert!(!outcome.passed(), "{check}");
        assert!(
            failed(outcome).contains(check),
            "{check}: {:?}",
            failed(outcome)
        );
    }
}

//! Real slsa-github-generator and BCR provenance (slsa-verifier's testdata,
//! in ../shared/corpus/slsa) gives exactly the outcomes in
//! ../shared/corpus/slsa/EXPECTATIONS.md.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use ci_intel_attest::{
    ArtifactInput, CheckId, Instance, Outcome, ProvenancePolicy, ProvenanceRequest, SourceRef,
    TrustSelection, verify_provenance,
};
use ci_intel_core::ExitCode;

const EXAMPLE: &str = "github.com/slsa-framework/example-package";
const GENERIC: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
const GO: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml";
const RULES_LINT: &str = "github.com/aspect-build/rules_lint";

/// (fixture, ref it was built from)
const GHA: [(&str, Ref); 4] = [
    ("binary-linux-amd64-push-v14.2", Ref::Tag("v14.2")),
    ("binary-linux-amd64-push-v14", Ref::Tag("v14")),
    ("binary-linux-amd64-push-v13.0.30", Ref::Tag("v13.0.30")),
    ("binary-linux-amd64-workflow_dispatch", Ref::Branch("main")),
];

#[derive(Debug, Clone, Copy)]
enum Ref {
    Tag(&'static str),
    Branch(&'static str),
    Versioned(&'static str),
    None,
}

impl Ref {
    fn source_ref(self) -> Option<SourceRef> {
        match self {
            Ref::Tag(t) => Some(SourceRef::Tag(t.to_owned())),
            Ref::Branch(b) => Some(SourceRef::Branch(b.to_owned())),
            Ref::Versioned(v) => {
                SourceRef::from_flags(None, None, Some(v), ["t", "b", "v"]).unwrap()
            }
            Ref::None => None,
        }
    }
}

struct Case<'a> {
    artifacts: Vec<ArtifactInput>,
    provenance: PathBuf,
    source: &'a str,
    git_ref: Ref,
    builder: Option<&'a str>,
    signer: Option<&'a str>,
}

fn run(case: &Case<'_>) -> Outcome {
    verify_provenance(&ProvenanceRequest {
        artifacts: case.artifacts.clone(),
        provenance: case.provenance.clone(),
        policy: ProvenancePolicy::new(
            case.source,
            case.git_ref.source_ref(),
            case.builder.map(str::to_owned),
            case.signer,
        )
        .unwrap(),
        trust: TrustSelection::Embedded(Instance::PublicGood),
    })
    .unwrap()
}

fn file(path: &Path) -> ArtifactInput {
    ArtifactInput::File(path.to_path_buf())
}

fn gha(dir: &Path, name: &str, git_ref: Ref, builder: Option<&'static str>) -> Case<'static> {
    Case {
        artifacts: vec![file(&dir.join(name))],
        provenance: dir.join(format!("{name}.intoto.jsonl")),
        source: EXAMPLE,
        git_ref,
        builder,
        signer: None,
    }
}

/// A copy of `path` in `dir` with its middle byte flipped.
fn flipped_copy(path: &Path, dir: &Path) -> PathBuf {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let out = dir.join("tampered.bin");
    std::fs::write(&out, bytes).unwrap();
    out
}

/// The ids of the failed checks.
fn failed(outcome: &Outcome) -> Vec<CheckId> {
    let mut ids: Vec<CheckId> = outcome.transcript.failures().map(|c| c.id).collect();
    ids.dedup();
    ids
}

fn assert_passes(outcome: &Outcome, what: &str) {
    assert!(
        outcome.passed(),
        "{what} should verify: {}",
        outcome.transcript.reason
    );
    assert_eq!(outcome.exit_code(), ExitCode::Pass);
    assert!(outcome.findings.is_empty());
}

fn assert_denied_by(outcome: &Outcome, check: CheckId, what: &str) {
    assert!(!outcome.passed(), "{what} should be denied");
    assert_eq!(outcome.exit_code(), ExitCode::Deny);
    assert!(
        failed(outcome).contains(&check),
        "{what}: expected {check} to fail, failed: {:?} ({})",
        failed(outcome),
        outcome.transcript.reason
    );
}

#[test]
fn slsa_github_generator_fixtures_verify_with_their_source_and_ref() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    for (builder_dir, builder) in [("gha_generic", GENERIC), ("gha_go", GO)] {
        let dir = corpus.join(builder_dir).join("v2.1.0");
        for (name, git_ref) in GHA {
            // Source and ref only; then also with the builder id, with and
            // without its @ref.
            assert_passes(&run(&gha(&dir, name, git_ref, None)), name);
            assert_passes(&run(&gha(&dir, name, git_ref, Some(builder))), name);
            let pinned: &'static str =
                Box::leak(format!("{builder}@refs/tags/v2.1.0").into_boxed_str());
            assert_passes(&run(&gha(&dir, name, git_ref, Some(pinned))), name);
            // Without a ref constraint it verifies too (the ref is then not checked).
            assert_passes(&run(&gha(&dir, name, Ref::None, None)), name);
        }
    }
}

#[test]
fn slsa_github_generator_fixtures_fail_on_wrong_ref_source_artifact_or_builder() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    for builder_dir in ["gha_generic", "gha_go"] {
        let dir = corpus.join(builder_dir).join("v2.1.0");
        let name = "binary-linux-amd64-push-v14.2";
        let wrong_tag = run(&gha(&dir, name, Ref::Tag("v14.1"), None));
        assert_denied_by(&wrong_tag, CheckId::SourceRef, "--source-tag v14.1");
        assert_denied_by(
            &wrong_tag,
            CheckId::SourceRefCertificate,
            "--source-tag v14.1",
        );

        let mut other_repo = gha(&dir, name, Ref::Tag("v14.2"), None);
        other_repo.source = "github.com/other/repo";
        let other_repo = run(&other_repo);
        assert_denied_by(&other_repo, CheckId::SourceUri, "--source-uri other/repo");
        assert_denied_by(
            &other_repo,
            CheckId::SourceUriCertificate,
            "--source-uri other/repo",
        );

        // (The four gha fixtures are the same bytes; "another artifact" is
        // the binary with one byte flipped.)
        let tmp = tempfile::tempdir().unwrap();
        let tampered = flipped_copy(&dir.join(name), tmp.path());
        let mut other_artifact = gha(&dir, name, Ref::Tag("v14.2"), None);
        other_artifact.artifacts = vec![file(&tampered)];
        let other_artifact = run(&other_artifact);
        assert_denied_by(&other_artifact, CheckId::SubjectDigest, "another artifact");
        assert_eq!(failed(&other_artifact), vec![CheckId::SubjectDigest]);

        // workflow_dispatch on main: any tag fails.
        let dispatch = "binary-linux-amd64-workflow_dispatch";
        for tag in ["main", "v14.2", "v1"] {
            assert_denied_by(
                &run(&gha(&dir, dispatch, Ref::Tag(tag), None)),
                CheckId::SourceRef,
                "workflow_dispatch with a tag",
            );
        }
        assert_denied_by(
            &run(&gha(&dir, dispatch, Ref::Branch("release"), None)),
            CheckId::SourceRef,
            "workflow_dispatch on another branch",
        );
    }
    // The go builder's provenance is not the generic generator's.
    let dir = corpus.join("gha_go/v2.1.0");
    for (name, git_ref) in GHA {
        let outcome = run(&gha(&dir, name, git_ref, Some(GENERIC)));
        assert_denied_by(
            &outcome,
            CheckId::BuilderId,
            "go provenance, generic builder id",
        );
        assert_eq!(failed(&outcome), vec![CheckId::BuilderId]);
    }
    // And a pinned builder id at another version fails.
    let outcome = run(&gha(
        &corpus.join("gha_generic/v2.1.0"),
        "binary-linux-amd64-push-v14",
        Ref::Tag("v14"),
        Some(Box::leak(
            format!("{GENERIC}@refs/tags/v2.0.0").into_boxed_str(),
        )),
    ));
    assert_denied_by(&outcome, CheckId::BuilderId, "builder id at v2.0.0");
}

#[test]
fn digests_on_the_command_line_match_in_every_spelling() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    let dir = corpus.join("gha_generic/v2.1.0");
    let name = "binary-linux-amd64-push-v14.2";
    let digest = "376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa";
    for spelling in [
        format!("sha256:{digest}"),
        format!("SHA256:{}", digest.to_uppercase()),
        digest.to_owned(),
        digest.to_uppercase(),
    ] {
        let mut case = gha(&dir, name, Ref::Tag("v14.2"), Some(GENERIC));
        case.artifacts = vec![ArtifactInput::parse(&spelling).unwrap()];
        assert_passes(&run(&case), &spelling);
    }
}

#[test]
fn several_artifacts_in_one_call_all_must_verify() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    let dir = corpus.join("gha_generic/v2.1.0");
    let name = "binary-linux-amd64-push-v14.2";
    let tmp = tempfile::tempdir().unwrap();
    let mut case = gha(&dir, name, Ref::Tag("v14.2"), None);
    case.artifacts = vec![
        file(&dir.join(name)),
        file(&flipped_copy(&dir.join(name), tmp.path())),
    ];
    let outcome = run(&case);
    assert_denied_by(
        &outcome,
        CheckId::SubjectDigest,
        "one artifact not in the provenance",
    );
    let results: Vec<&str> = outcome
        .transcript
        .artifacts
        .iter()
        .map(|a| a.result.as_str())
        .collect();
    assert_eq!(results, ["pass", "deny"]);
    // The same artifact twice passes twice.
    case.artifacts = vec![file(&dir.join(name)), file(&dir.join(name))];
    assert_passes(&run(&case), "the same artifact twice");
}

#[test]
fn bcr_provenance_verifies_for_its_signer_workflow() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    let dir = corpus.join("bcr");
    for (artifact, signer) in [
        (
            "MODULE.bazel",
            "bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml",
        ),
        (
            "rules_lint-v1.3.1.tar.gz",
            "bazel-contrib/.github/.github/workflows/release_ruleset.yaml",
        ),
    ] {
        let case = Case {
            artifacts: vec![file(&dir.join(artifact))],
            provenance: dir.join(format!("{artifact}.intoto.jsonl")),
            source: RULES_LINT,
            git_ref: Ref::None,
            builder: None,
            signer: Some(signer),
        };
        let outcome = run(&case);
        assert_passes(&outcome, artifact);
        // Statement v1 with SLSA provenance v1, verified with a TSA timestamp.
        let statement = outcome
            .transcript
            .checks
            .iter()
            .find(|c| c.id == CheckId::PredicateType)
            .unwrap();
        assert_eq!(
            statement.actual.as_deref(),
            Some("https://slsa.dev/provenance/v1")
        );
        // Another signer workflow is refused.
        let other = Case {
            signer: Some("bazel-contrib/publish-to-bcr/.github/workflows/other.yaml"),
            ..case
        };
        assert_denied_by(
            &run(&other),
            CheckId::SignerWorkflow,
            "another signer workflow",
        );
    }
}

#[test]
fn bcr_wrong_signer_fails_naming_the_signer_mismatch() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    let dir = corpus.join("bcr");
    // MODULE-wrong-signer.bazel has the same bytes as MODULE.bazel; its
    // predicate claims publish-to-bcr, its certificate says otherwise.
    for signer in [
        None,
        Some("bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml"),
    ] {
        let outcome = run(&Case {
            artifacts: vec![file(&dir.join("MODULE-wrong-signer.bazel"))],
            provenance: dir.join("MODULE-wrong-signer.bazel.intoto.jsonl"),
            source: RULES_LINT,
            git_ref: Ref::None,
            builder: None,
            signer,
        });
        assert_denied_by(&outcome, CheckId::BuilderSigner, "MODULE-wrong-signer");
        let binding = outcome
            .transcript
            .failures()
            .find(|c| c.id == CheckId::BuilderSigner)
            .unwrap();
        let text = binding.describe();
        assert!(text.contains("signer mismatch"), "{text}");
        assert!(
            text.contains("loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml"),
            "{text}"
        );
        assert!(text.contains("bazel-contrib/publish-to-bcr"), "{text}");
        // The Sigstore signature itself is valid: it is the policy that refuses it.
        assert!(
            !failed(&outcome).contains(&CheckId::Signature),
            "{:?}",
            failed(&outcome)
        );
        // The finding names the signer too.
        assert!(
            outcome
                .findings
                .iter()
                .any(|f| f.rule_id == "builder-signer" && f.message.contains("signer mismatch"))
        );
    }
}

#[test]
fn versioned_tags_accept_semver_compatible_releases_and_deny_the_rest() {
    let Some(corpus) = common::corpus("slsa") else {
        return;
    };
    // (fixture, versioned tags it verifies for, versioned tags it is denied for)
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "binary-linux-amd64-push-v14.2",
            &["v14", "v14.2", "v14.2.0", "v14.2.0+build.7"],
            &["v14.3", "v15", "v13", "v14.2.1", "v14.2.0-rc.1"],
        ),
        (
            "binary-linux-amd64-push-v14",
            &["v14", "v14.0", "v14.0.0"],
            &["v14.1", "v14.0.1", "v1"],
        ),
        (
            "binary-linux-amd64-push-v13.0.30",
            &["v13", "v13.0", "v13.0.30"],
            &["v13.1", "v13.0.3", "v14"],
        ),
        // Built from a branch: no tag satisfies a versioned tag.
        ("binary-linux-amd64-workflow_dispatch", &[], &["v0", "v1"]),
    ];
    for builder_dir in ["gha_generic", "gha_go"] {
        let dir = corpus.join(builder_dir).join("v2.1.0");
        for (name, accepted, denied) in cases {
            for tag in accepted {
                let tag: &'static str = Box::leak(tag.to_string().into_boxed_str());
                assert_passes(
                    &run(&gha(&dir, name, Ref::Versioned(tag), None)),
                    &format!("{builder_dir} {name} --source-versioned-tag {tag}"),
                );
            }
            for tag in denied {
                let tag: &'static str = Box::leak(tag.to_string().into_boxed_str());
                let what = format!("{builder_dir} {name} --source-versioned-tag {tag}");
                let outcome = run(&gha(&dir, name, Ref::Versioned(tag), None));
                assert_denied_by(&outcome, CheckId::SourceRef, &what);
                assert_denied_by(&outcome, CheckId::SourceRefCertificate, &what);
            }
        }
    }
}

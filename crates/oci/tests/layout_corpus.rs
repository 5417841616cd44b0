//! The referrers check over the real regclient test layouts (shared
//! corpus), offline: what the `oci` gate of `ci-intel check` does.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use ci_intel_oci::digest::Digest;
use ci_intel_oci::discover::{self, Options};
use ci_intel_oci::kinds::{Kinds, default_types};
use ci_intel_oci::layout::Layout;
use ci_intel_oci::rules;
use ci_intel_oci::source::Path;

const V1: &str = "sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa";
const V1_ARM64: &str = "sha256:7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba";
const V2: &str = "sha256:dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e";
const V3: &str = "sha256:6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d";
const A1: &str = "sha256:0484e93c23cddf24a8400547119558312023295af241d4cd1eaf1b27145c5026";
const A2: &str = "sha256:741132f956e196c3858dab17e50ea977056f2f1ce1ad2900f11f4c8ff2d4203b";
const MIRROR: &str = "sha256:0514ce64171e869a0b065fa1ce1b533e82808c9228d5b97ea6e3ef2e026d9aed";
const CHILD: &str = "sha256:8e54c6754f08d22f85c7552bb1951b228b8194d29b14a1639dbe50868da0273e";
const LOOP: &str = "sha256:d69399e05204fac05b0184eef72e984538cdc9c5854a6484e8852e4357c543cb";

/// The corpus's example types as kinds, the way a user configures them.
fn kinds() -> Kinds {
    let mut types: BTreeMap<String, Vec<String>> = default_types();
    types
        .get_mut("sbom")
        .unwrap()
        .push("application/example.sbom".into());
    types
        .get_mut("signature")
        .unwrap()
        .push("application/example.signature".into());
    types.insert("arms".into(), vec!["application/example.arms".into()]);
    Kinds::new(&types).unwrap()
}

fn d(s: &str) -> Digest {
    Digest::parse(s).unwrap()
}

#[test]
fn v2_has_its_sbom_and_signature_and_no_provenance() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let options = Options::new(vec!["sbom".into(), "signature".into()], kinds());
    let report = discover::check(&mut layout, "v2", &d(V2), &options).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let t = &report.targets[0];
    assert_eq!(t.path, Path::Layout);
    let found: Vec<(String, String)> = t
        .referrers
        .iter()
        .map(|r| (r.digest.to_string(), r.kind.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        vec![(A1.into(), "sbom".into()), (A2.into(), "signature".into())]
    );
    assert!(t.referrers.iter().all(|r| r.hangs_on == d(V2)));

    let options = Options::new(vec!["sbom".into(), "provenance".into()], kinds());
    let report = discover::check(&mut layout, "v2", &d(V2), &options).unwrap();
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    assert_eq!(report.findings[0].rule_id, rules::REQUIRED_MISSING);
    assert!(
        report.findings[0]
            .message
            .contains("no provenance referrer")
    );
}

#[test]
fn untagged_referrers_of_v3_are_found_by_the_layout_scan() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let options = Options::new(vec!["sbom".into()], kinds());
    let report = discover::check(&mut layout, "v3", &d(V3), &options).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.targets[0].referrers.len(), 2);
}

#[test]
fn a_fallback_tag_naming_the_subject_itself_is_a_finding_not_a_referrer() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let options = Options::new(vec!["sbom".into()], kinds());
    let report = discover::check(&mut layout, "mirror", &d(MIRROR), &options).unwrap();
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        ids,
        vec![rules::FALLBACK_IS_SUBJECT, rules::REQUIRED_MISSING]
    );
    assert!(report.targets[0].referrers.is_empty());
}

#[test]
fn the_referrers_loop_terminates_and_the_loop_index_counts_for_its_subject() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let options = Options::new(Vec::new(), kinds());
    let report = discover::check(&mut layout, "child", &d(CHILD), &options).unwrap();
    let digests: Vec<String> = report.targets[0]
        .referrers
        .iter()
        .map(|r| r.digest.to_string())
        .collect();
    assert_eq!(digests, vec![LOOP.to_owned()]);
    assert!(report.targets[0].referrers[0].manifest.is_index());
}

#[test]
fn per_platform_skips_attestation_entries_and_names_each_child() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let mut options = Options::new(Vec::new(), kinds());
    options.per_platform = true;
    let report = discover::check(&mut layout, "v1", &d(V1), &options).unwrap();
    assert!(report.subject_is_index);
    let platforms: Vec<String> = report
        .targets
        .iter()
        .map(|t| {
            t.platform
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(platforms, vec!["linux/amd64", "linux/arm64"]);
    assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);
    // The arm64 image's referrer (a-docker-oci) hangs on the arm64 digest.
    let arm = &report.targets[1];
    assert_eq!(arm.digest, d(V1_ARM64));
    assert_eq!(arm.referrers.len(), 1);
    assert_eq!(arm.referrers[0].hangs_on, d(V1_ARM64));
}

#[test]
fn per_platform_requirement_fails_on_the_children_without_it() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    // v2's amd64, arm/v7 and arm64 images each have one
    // `application/example.arms` artifact; the index has none.
    let mut options = Options::new(vec!["arms".into()], kinds());
    options.per_platform = true;
    let report = discover::check(&mut layout, "v2", &d(V2), &options).unwrap();
    assert_eq!(report.targets.len(), 3);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    options.include_index = true;
    let report = discover::check(&mut layout, "v2", &d(V2), &options).unwrap();
    assert_eq!(report.findings.len(), 1);
    assert!(report.findings[0].message.contains(V2));
}

#[test]
fn a_digest_not_in_the_layout_is_a_finding() {
    let Some(dir) = common::testrepo() else {
        return;
    };
    let mut layout = Layout::open(&dir).unwrap();
    let options = Options::new(vec!["sbom".into()], kinds());
    let missing = Digest::sha256_of(b"not there");
    let report = discover::check(&mut layout, "x", &missing, &options).unwrap();
    assert_eq!(report.findings[0].rule_id, rules::SUBJECT_MISSING);
}

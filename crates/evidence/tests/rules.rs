//! Every suppression rule has its documentation (What / Why / Example /
//! Fix) in its file, a fixture that fires and one that stays quiet, and an
//! insta snapshot of what it reports.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::path::{Path, PathBuf};

use serde_json::json;

use ci_intel_core::{Report, ToolInfo, render};
use ci_intel_evidence::sarif::{
    self, Input, Options, identity::AliasTable, limits::Limits, limits::OnLimit,
};
use ci_intel_evidence::suppressions::{self, rules};

const TODAY: &str = "2025-01-10";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The findings of a fixture: the file's own, plus `sarif merge`'s (for
/// `suppression-unused`) against one result in `.github/workflows/ci.yml`.
fn findings(rule: &str, case: &str) -> Vec<ci_intel_core::Finding> {
    let path = root().join(format!("tests/fixtures/{rule}/{case}/suppressions.yml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = suppressions::parse(
        &text,
        ".ci-intel/suppressions.yml",
        TODAY.parse().unwrap(),
        30,
    )
    .unwrap();
    let log = Input {
        name: "in.sarif".into(),
        log: json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [
            {"ruleId": "unpinned-uses", "message": {"text": "m"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": ".github/workflows/ci.yml"}, "region": {"startLine": 3}}}]}
        ]}]}),
    };
    let merged = sarif::merge(
        &[log],
        &Options {
            aliases: AliasTable::default(),
            suppressions: Some(parsed),
            limits: Limits::GITHUB,
            on_limit: OnLimit::Split,
        },
    )
    .unwrap();
    merged.findings
}

#[test]
fn every_rule_fires_on_its_fixture_and_stays_quiet_on_the_other() {
    for rule in rules::all() {
        let fired = findings(rule.id, "fires");
        let of_rule: Vec<_> = fired.iter().filter(|f| f.rule_id == rule.id).collect();
        assert!(!of_rule.is_empty(), "{} did not fire: {fired:?}", rule.id);
        let quiet = findings(rule.id, "quiet");
        assert!(
            quiet.iter().all(|f| f.rule_id != rule.id),
            "{} fired on its quiet fixture: {quiet:?}",
            rule.id
        );
        let report = Report::new(
            ToolInfo::new("ci-intel-evidence", "test"),
            rules::all(),
            fired,
        );
        insta::assert_snapshot!(
            rule.id,
            render::render(&report, ci_intel_core::OutputFormat::Human)
        );
    }
}

#[test]
fn every_rule_is_documented_in_its_own_file() {
    for rule in rules::all() {
        let file = root().join(format!(
            "src/suppressions/rules/{}.rs",
            rule.id.replace('-', "_")
        ));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{} has no file {}", rule.id, file.display()));
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(
                text.contains(&format!("//! {section}")),
                "{} lacks `{section}`",
                rule.id
            );
        }
        for case in ["fires", "quiet"] {
            assert!(
                root()
                    .join(format!(
                        "tests/fixtures/{}/{case}/suppressions.yml",
                        rule.id
                    ))
                    .is_file(),
                "{} has no {case} fixture",
                rule.id
            );
        }
    }
}

//! Every rule: its documentation, its fixtures (cases that fire and cases
//! that stay quiet), the verdict each leads to, and an insta snapshot of
//! the findings of every case.
//!
//! docs/vuln.md holds the rules' doc comments between markers; refresh it
//! with `UPDATE_DOCS=1 cargo test -p ci-intel-vuln --test rules`.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use ci_intel_core::{OutputFormat, Report, Verdict, render};
use ci_intel_vuln::rules::{RULES, Weight};

const SECTIONS: [&str; 5] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
    "## Ignore",
];

fn rule_source(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/rules")
        .join(format!("{}.rs", id.replace('-', "_")))
}

fn rule_doc(id: &str) -> String {
    std::fs::read_to_string(rule_source(id))
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_rule_has_docs_and_fixtures_that_fire_and_stay_quiet() {
    let mut problems = Vec::new();
    for rule in RULES {
        let doc = rule_doc(rule.id);
        let mut last = 0;
        for section in SECTIONS {
            match doc.find(section) {
                Some(at) if at >= last => last = at,
                Some(_) => problems.push(format!("{}: `{section}` is out of order", rule.id)),
                None => problems.push(format!("{}: doc comment lacks `{section}`", rule.id)),
            }
        }
        for kind in ["fires", "quiet"] {
            if cases(&support::fixtures().join(rule.id).join(kind)).is_empty() {
                problems.push(format!(
                    "{}: no case in tests/fixtures/{}/{kind}/",
                    rule.id, rule.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixtures_fire_or_stay_quiet_decide_and_match_their_snapshots() {
    let mut failures = Vec::new();
    for rule in RULES {
        for kind in ["fires", "quiet"] {
            for case in cases(&support::fixtures().join(rule.id).join(kind)) {
                let name = format!(
                    "{}/{kind}/{}",
                    rule.id,
                    case.file_name().unwrap().to_string_lossy()
                );
                let dir = support::prepare(&case);
                let (_, findings, verdict) = support::judge(dir.path());
                let own = findings.iter().filter(|f| f.rule_id == rule.id).count();
                match kind {
                    "fires" if own == 0 => failures.push(format!(
                        "{name}: {} did not fire; got {findings:#?}",
                        rule.id
                    )),
                    "quiet" if own > 0 => failures.push(format!(
                        "{name}: {} fired {own} time(s): {findings:#?}",
                        rule.id
                    )),
                    _ => {}
                }
                // A firing rule that denies must deny; a quiet case of a
                // denying rule must not be denied by it.
                let denies = match rule.weight {
                    Weight::Blocks => true,
                    Weight::Reports => false,
                    Weight::FailOn => findings.iter().any(|f| {
                        f.rule_id == rule.id && f.severity >= ci_intel_core::Severity::High
                    }),
                };
                if kind == "fires" && denies && verdict != Verdict::Deny {
                    failures.push(format!("{name}: fired but the verdict is {verdict:?}"));
                }
                if kind == "quiet" && rule.weight != Weight::Reports && verdict == Verdict::Deny {
                    failures.push(format!("{name}: quiet but denied: {findings:#?}"));
                }
                let report = Report::new(
                    ci_intel_vuln::tool_info(),
                    ci_intel_vuln::rules::rule_metas(),
                    findings,
                );
                let text = render::render(&report, OutputFormat::Human);
                insta::with_settings!({snapshot_suffix => name.replace('/', "__"), prepend_module_to_snapshot => false}, {
                    insta::assert_snapshot!("case", text);
                });
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const BEGIN: &str = "<!-- rules:begin (generated from crates/vuln/src/rules/*.rs) -->";
const END: &str = "<!-- rules:end -->";

/// The rules section of docs/vuln.md is the rules' doc comments.
#[test]
fn docs_list_every_rule_with_its_doc_comment() {
    let mut generated = format!("{BEGIN}\n");
    for rule in RULES {
        let weight = match rule.weight {
            Weight::Blocks => "always denies",
            Weight::Reports => "never denies",
            Weight::FailOn => "denies at `fail_on`",
        };
        generated.push_str(&format!(
            "\n### `{}`\n\n{} (default severity {}, {weight}).\n\n{}\n",
            rule.id,
            rule.title,
            rule.default_severity,
            rule_doc(rule.id).replace("## ", "#### ")
        ));
    }
    generated.push_str(&format!("\n{END}"));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/vuln.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!("docs/vuln.md lacks the rules markers");
    };
    let updated = format!("{}{generated}{}", &text[..start], &text[end + END.len()..]);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &updated).unwrap();
    } else {
        assert!(
            updated == text,
            "docs/vuln.md is stale: run UPDATE_DOCS=1 cargo test -p ci-intel-vuln --test rules"
        );
    }
}

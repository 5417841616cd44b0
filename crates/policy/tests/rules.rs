//! Every rule: its documentation, its fixtures (some must fire, some must
//! not) and an insta snapshot of the findings of every fixture.
//!
//! `docs/policy.md` holds the rules' doc comments between markers; refresh
//! it with `UPDATE_DOCS=1 cargo test -p ci-intel-policy --test rules`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ci_intel_core::config::{self, Sections};
use ci_intel_core::{OutputFormat, Report, ToolInfo, render};
use ci_intel_policy::audit::{Options, audit_text, rule_metas, rules::RULES};
use ci_intel_policy::config::{Persona, PolicyConfig};

const SECTIONS: [&str; 5] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
    "## Ignore",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dir(rule: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(rule)
}

fn rule_source(rule: &str) -> PathBuf {
    crate_dir()
        .join("src/audit/rules")
        .join(format!("{}.rs", rule.replace('-', "_")))
}

/// The `//!` comment of a rule file, without the markers.
fn rule_doc(rule: &str) -> String {
    let text = std::fs::read_to_string(rule_source(rule)).unwrap();
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "yml" || e == "yaml")
            && !p.to_string_lossy().ends_with(".config.yml")
    });
    files.sort();
    files
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn options_for(fixture: &Path, persona: Persona) -> Options {
    let config_path = fixture.with_extension("config.yml");
    let text = std::fs::read_to_string(&config_path).ok();
    let loaded = config::load_from_texts(
        None,
        text.as_deref().map(|t| (config_path.as_path(), t)),
        &Sections::partial([ci_intel_policy::gate::section()]),
    )
    .unwrap();
    let policy: PolicyConfig = loaded.section("policy").unwrap();
    Options::new(&policy, persona, Some("acme/app".into()), today()).unwrap()
}

#[test]
fn every_rule_has_docs_and_fixtures_that_fire_and_stay_quiet() {
    let mut problems = Vec::new();
    for rule in RULES {
        if !rule_source(rule.id).exists() {
            problems.push(format!(
                "{}: no file {}",
                rule.id,
                rule_source(rule.id).display()
            ));
            continue;
        }
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
            if yml_files(&fixture_dir(rule.id).join(kind)).is_empty() {
                problems.push(format!(
                    "{}: no fixture in tests/fixtures/{}/{kind}/",
                    rule.id, rule.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixtures_fire_or_stay_quiet_and_match_their_snapshots() {
    let mut failures = Vec::new();
    for rule in RULES {
        for kind in ["fires", "quiet"] {
            for fixture in yml_files(&fixture_dir(rule.id).join(kind)) {
                let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
                let display = format!("{}/{kind}/{name}", rule.id);
                let text = std::fs::read_to_string(&fixture).unwrap();
                // The kind comes from the content, as for any file whose name
                // does not say (fixtures are not named action.yml, so that
                // auditing this repository does not pick them up).
                let findings =
                    audit_text(&display, &text, None, &options_for(&fixture, rule.persona));
                let own = findings.iter().filter(|f| f.rule_id == rule.id).count();
                match kind {
                    "fires" if own == 0 => {
                        failures.push(format!("{display}: {} did not fire", rule.id))
                    }
                    "quiet" if own > 0 => {
                        failures.push(format!("{display}: {} fired {own} time(s)", rule.id))
                    }
                    _ => {}
                }
                for f in &findings {
                    let loc = f.location.as_ref().unwrap();
                    assert!(
                        loc.line.unwrap() >= 1 && loc.column.unwrap() >= 1,
                        "{display}: {f:?}"
                    );
                }
                let report = Report::new(
                    ToolInfo::new("ci-intel-policy", "test"),
                    rule_metas(),
                    findings,
                );
                let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
                insta::assert_snapshot!(
                    format!("{}__{kind}__{stem}", rule.id),
                    render::render(&report, OutputFormat::Human)
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// docs/policy.md, with the generated rule sections between the markers.
#[test]
fn docs_policy_md_is_generated_from_the_rule_doc_comments() {
    let path = crate_dir().join("../../docs/policy.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let begin = "<!-- rules:begin (generated from crates/policy/src/audit/rules/*.rs; UPDATE_DOCS=1 cargo test -p ci-intel-policy --test rules) -->";
    let end = "<!-- rules:end -->";
    let mut generated = String::new();
    for rule in RULES {
        let persona = match rule.persona {
            Persona::Regular => String::new(),
            other => format!(", {} persona", other.as_str()),
        };
        generated.push_str(&format!(
            "\n## `{}`\n\n{} (default severity: {}{persona}; fixtures: `crates/policy/tests/fixtures/{}/`)\n\n",
            rule.id, rule.title, rule.default_severity, rule.id
        ));
        // Demote the doc comment's headings one level under the rule's.
        for line in rule_doc(rule.id).lines() {
            if let Some(rest) = line.strip_prefix("## ") {
                generated.push_str(&format!("### {rest}\n"));
            } else {
                generated.push_str(line);
                generated.push('\n');
            }
        }
    }
    let (head, tail) = match (committed.find(begin), committed.find(end)) {
        (Some(b), Some(e)) if b < e => (
            committed[..b].to_owned(),
            committed[e + end.len()..].to_owned(),
        ),
        _ => ("# ci-intel-policy\n\n".to_owned(), "\n".to_owned()),
    };
    let expected = format!("{head}{begin}\n{generated}\n{end}{tail}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        committed == expected,
        "docs/policy.md is stale: run UPDATE_DOCS=1 cargo test -p ci-intel-policy --test rules"
    );
}

/// The workflow-level grants that the regular persona leaves alone (no job
/// receives them, one job does, or the workflow is reusable only) are
/// still findings in the pedantic persona, as zizmor reports them: the
/// quiet fixtures are quiet by persona, not because the rule is blind.
#[test]
fn excessive_permissions_quiet_by_persona_fires_when_pedantic() {
    let dir = fixture_dir("excessive-permissions").join("quiet");
    for (name, expected) in [
        ("nobody-receives-the-workflow-grant.yml", 1),
        ("single-job-scope-at-workflow-level.yml", 1),
        ("reusable-only-without-permissions.yml", 2),
    ] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        for (persona, want) in [(Persona::Regular, 0), (Persona::Pedantic, expected)] {
            let hits = audit_text(name, &text, None, &options_for(&path, persona))
                .into_iter()
                .filter(|f| f.rule_id == "excessive-permissions")
                .count();
            assert_eq!(hits, want, "{name} as {persona:?}");
        }
    }
}

/// An image whose value cannot be known from the file is quiet in the
/// regular persona and a low-confidence finding per context in pedantic.
#[test]
fn unpinned_images_unknown_contexts_are_pedantic_findings() {
    let path = fixture_dir("unpinned-images")
        .join("quiet")
        .join("expressions-pinned-or-unknown.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    for (persona, want) in [(Persona::Regular, 0), (Persona::Pedantic, 2)] {
        let findings: Vec<_> = audit_text("x.yml", &text, None, &options_for(&path, persona))
            .into_iter()
            .filter(|f| f.rule_id == "unpinned-images")
            .collect();
        assert_eq!(findings.len(), want, "{persona:?}: {findings:#?}");
        for finding in &findings {
            assert!(
                finding.message.contains("`inputs.image`")
                    || finding.message.contains("`vars.DEFAULT_IMAGE`"),
                "{}",
                finding.message
            );
        }
    }
}

/// A static matrix of fixed text is reported by the auditor persona only.
#[test]
fn template_injection_static_matrix_is_an_auditor_finding() {
    let path = fixture_dir("template-injection")
        .join("quiet")
        .join("fixed-env-and-static-matrix.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    for (persona, want) in [
        (Persona::Regular, 0),
        (Persona::Pedantic, 0),
        (Persona::Auditor, 1),
    ] {
        let findings: Vec<_> = audit_text("x.yml", &text, None, &options_for(&path, persona))
            .into_iter()
            .filter(|f| f.rule_id == "template-injection")
            .collect();
        assert_eq!(findings.len(), want, "{persona:?}: {findings:#?}");
        assert!(findings.iter().all(|f| f.message.contains("`matrix.os`")));
    }
}

/// Findings zizmor keeps for its auditor persona: every self-hosted job
/// (not only fork-reachable ones) and a checkout that persists credentials
/// on purpose.
#[test]
fn auditor_persona_lists_self_hosted_jobs_and_deliberate_persisted_credentials() {
    for (rule, fixture, want) in [
        ("self-hosted-runner", "quiet/self-hosted-on-push.yml", 3),
        ("artipacked", "fires/default-checkout.yml", 2),
    ] {
        let path = fixture_dir(rule).join(fixture);
        let text = std::fs::read_to_string(&path).unwrap();
        let count = |persona| {
            audit_text("x.yml", &text, None, &options_for(&path, persona))
                .into_iter()
                .filter(|f| f.rule_id == rule)
                .count()
        };
        assert_eq!(count(Persona::Auditor), want, "{rule} {fixture}");
        assert!(count(Persona::Regular) < want, "{rule} {fixture}");
    }
}

/// Every rule can be turned off or re-rated in `policy.rules.<id>` (the
/// schema rule excepted: a file that is not a workflow is never a pass).
#[test]
fn every_rule_has_a_setting_in_policy_rules() {
    let rules = ci_intel_policy::config::PolicyRules::default();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| *id != "schema-violation" && rules.get(id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a policy.rules key: {missing:?}"
    );
}

//! Every built-in rule has a real log excerpt it fires on (`fires*.log`,
//! the line marked `#=MATCH=# `) and a near miss it stays quiet on
//! (`quiet*.log`), under `tests/fixtures/<rule-id>/`; each fixture's first
//! lines (`#=SOURCE=#`) say where the excerpt comes from. The causes a
//! fires fixture produces for its rule are pinned by an insta snapshot.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use ci_intel_autopsy::rules;

fn fixtures(rule: &str, prefix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rule);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".log"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_rule_fires_on_its_excerpt_and_not_on_its_near_miss() {
    let set = support::builtin_set();
    let mut problems = Vec::new();
    for rule in rules::builtin().unwrap() {
        let fires = fixtures(&rule.id, "fires");
        let quiet = fixtures(&rule.id, "quiet");
        if fires.is_empty() || quiet.is_empty() {
            problems.push(format!(
                "{}: needs tests/fixtures/{0}/fires*.log and quiet*.log",
                rule.id
            ));
            continue;
        }
        for path in fires {
            let raw = std::fs::read_to_string(&path).unwrap();
            assert!(
                raw.starts_with("#=SOURCE=# "),
                "{} does not credit its source",
                path.display()
            );
            let (text, marked) = support::unmark(&raw);
            let Some(marked) = marked else {
                problems.push(format!("{}: no #=MATCH=# line", path.display()));
                continue;
            };
            let autopsy = support::classify(&set, "fixture.log", text.as_bytes(), true);
            let mine: Vec<_> = autopsy
                .root_causes
                .iter()
                .filter(|c| c.rule == rule.id)
                .collect();
            if !mine
                .iter()
                .any(|c| c.log_line == Some(marked) || c.first_log_line == Some(marked))
            {
                problems.push(format!(
                    "{}: `{}` does not fire on line {marked} (causes: {:?})",
                    path.display(),
                    rule.id,
                    autopsy
                        .root_causes
                        .iter()
                        .map(|c| (c.rule.as_str(), c.log_line))
                        .collect::<Vec<_>>()
                ));
                continue;
            }
            let snapshot: Vec<serde_json::Value> = mine
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "rule": c.rule,
                        "log_line": c.log_line,
                        "occurrences": c.occurrences,
                        "message": c.message,
                        "file": c.file,
                        "line": c.line,
                        "test": c.test,
                        "matched": c.matched,
                        "signature_text": c.signature_text,
                    })
                })
                .collect();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            insta::assert_json_snapshot!(format!("{}__{stem}", rule.id), snapshot);
        }
        for path in quiet {
            let raw = std::fs::read_to_string(&path).unwrap();
            assert!(
                raw.starts_with("#=SOURCE=# "),
                "{} does not credit its source",
                path.display()
            );
            let (text, _) = support::unmark(&raw);
            let autopsy = support::classify(&set, "fixture.log", text.as_bytes(), true);
            if let Some(c) = autopsy.root_causes.iter().find(|c| c.rule == rule.id) {
                problems.push(format!(
                    "{}: `{}` fires on line {:?}: {}",
                    path.display(),
                    rule.id,
                    c.log_line,
                    c.matched
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_pack_loads_and_every_rule_is_documented() {
    let rules = rules::builtin().unwrap();
    assert!(rules.len() >= 60, "{} rules", rules.len());
    for rule in &rules {
        assert!(!rule.what.is_empty() && !rule.why.is_empty(), "{}", rule.id);
        assert!(rule.docs.starts_with("https://"), "{}", rule.id);
    }
    // The list of tools is covered.
    for tool in [
        "pytest",
        "unittest",
        "jest",
        "mocha",
        "go",
        "cargo",
        "maven",
        "gradle",
        "npm",
        "pnpm",
        "yarn",
        "pip",
        "docker",
        "terraform",
        "ansible",
        "shell",
        "runner",
    ] {
        assert!(rules.iter().any(|r| r.tool == tool), "no rule for {tool}");
    }
}

//! `sarif merge` on real SARIF: zizmor and ci-intel-policy on the same
//! workflows, and Grype, Trivy and Snyk on the same nginx image. Merged
//! logs have fewer results than the sum, lose none (every tool, rule and
//! place is still reported, on its own or in `ci-intel/reportedBy`), and
//! validate against the SARIF 2.1.0 schema.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use ci_intel_evidence::sarif::identity::AliasTable;
use ci_intel_evidence::sarif::limits::{Limits, OnLimit};
use ci_intel_evidence::sarif::{self, Input, Options, REPORTED_BY};

fn validator() -> jsonschema::Validator {
    let text = include_str!("../../core/tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

fn assert_valid(log: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(log)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn options() -> Options {
    Options {
        aliases: AliasTable::new(&BTreeMap::new()),
        suppressions: None,
        limits: Limits::GITHUB,
        on_limit: OnLimit::Split,
    }
}

fn load(path: &Path) -> Input {
    sarif::parse(&std::fs::read(path).unwrap(), &path.display().to_string()).unwrap()
}

type Place = (String, String, String, u64);

/// Every (tool, rule, uri, line) the inputs report.
fn input_places(inputs: &[Input]) -> BTreeSet<Place> {
    inputs
        .iter()
        .flat_map(|i| sarif::reported(&i.log))
        .collect()
}

fn count(log: &Value) -> usize {
    log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["results"].as_array().map_or(0, Vec::len))
        .sum()
}

/// Merged < sum, nothing lost, valid SARIF. Returns the merged log.
fn merge_and_check(inputs: &[Input]) -> Value {
    let sum: usize = inputs.iter().map(|i| count(&i.log)).sum();
    let merged = sarif::merge(inputs, &options()).unwrap();
    assert_eq!(merged.logs.len(), 1);
    let log = &merged.logs[0];
    assert_valid(log);
    assert!(count(log) < sum, "merged {} of {sum}", count(log));
    assert_eq!(merged.stats.results_in, sum);
    assert_eq!(merged.stats.results_out, count(log));
    assert_eq!(
        merged.stats.results_in,
        merged.stats.results_out + merged.stats.duplicates + merged.stats.merged,
        "every result is kept, a repeat, or merged: {:?}",
        merged.stats
    );
    let out: BTreeSet<Place> = sarif::reported(log).into_iter().collect();
    let lost: Vec<Place> = input_places(inputs)
        .into_iter()
        .filter(|p| !out.contains(p))
        .collect();
    assert!(lost.is_empty(), "lost: {lost:#?}");
    log.clone()
}

#[test]
fn grype_trivy_and_snyk_of_one_image_merge_by_vulnerability_and_package() {
    let Some(dir) = ci_intel_testkit::corpus("supply-chain/openvex/vexctl/pkg/ctl/testdata/sarif")
    else {
        return;
    };
    let inputs: Vec<Input> = [
        "nginx-grype.sarif.json",
        "nginx-trivy.sarif.json",
        "nginx-snyk.sarif.json",
    ]
    .iter()
    .map(|f| load(&dir.join(f)))
    .collect();
    // As recorded: 99 + 99 + 65 results.
    assert_eq!(
        inputs.iter().map(|i| count(&i.log)).collect::<Vec<_>>(),
        vec![99, 99, 65]
    );
    let log = merge_and_check(&inputs);
    // CVE-2007-5686 in passwd: reported by all three, kept once with all three named.
    let passwd: Vec<&Value> = all_results(&log)
        .into_iter()
        .filter(|r| {
            r["properties"][REPORTED_BY]
                .as_array()
                .is_some_and(|by| by.iter().any(|b| b["ruleId"] == "CVE-2007-5686-passwd"))
        })
        .collect();
    assert_eq!(passwd.len(), 1);
    let tools: BTreeSet<&str> = passwd[0]["properties"][REPORTED_BY]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tool"].as_str().unwrap())
        .collect();
    assert_eq!(tools, BTreeSet::from(["Grype", "Trivy", "Snyk Container"]));
    // login and passwd stay two findings: the same CVE in two packages.
    let login = all_results(&log).into_iter().filter(|r| {
        r["properties"][REPORTED_BY]
            .as_array()
            .is_some_and(|by| by.iter().any(|b| b["ruleId"] == "CVE-2007-5686-login"))
    });
    assert_eq!(login.count(), 1);
    // The kept result has the highest level of those merged.
    for result in all_results(&log) {
        if let Some(by) = result["properties"][REPORTED_BY].as_array() {
            let rank = |l: &str| {
                ["none", "note", "warning", "error"]
                    .iter()
                    .position(|x| *x == l)
                    .unwrap()
            };
            let highest = by
                .iter()
                .map(|b| rank(b["level"].as_str().unwrap()))
                .max()
                .unwrap();
            assert_eq!(rank(result["level"].as_str().unwrap()), highest, "{result}");
        }
    }
}

fn all_results(log: &Value) -> Vec<&Value> {
    log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().into_iter().flatten())
        .collect()
}

/// This repository's workflows and actions plus real-world workflows from
/// the corpus (this repository's own files are clean for both tools).
fn workflows() -> Option<tempfile::TempDir> {
    let corpus = ci_intel_testkit::corpus("workflows/realworld")?;
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let root = ci_intel_testkit::workspace_root();
    for entry in std::fs::read_dir(root.join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, workflows.join(path.file_name().unwrap())).unwrap();
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    names.sort();
    for path in names.into_iter().take(60) {
        std::fs::copy(&path, workflows.join(path.file_name().unwrap())).unwrap();
    }
    Some(dir)
}

#[test]
fn zizmor_and_ci_intel_policy_on_the_same_workflows_merge() {
    let Some(zizmor) = ci_intel_testkit::tool("CI_INTEL_ZIZMOR", "zizmor") else {
        return;
    };
    let Some(repo) = workflows() else { return };
    let zizmor_out = std::process::Command::new(&zizmor)
        .current_dir(repo.path())
        .args(["--format", "sarif", "--offline", "--no-progress", "."])
        .output()
        .unwrap();
    // zizmor exits non-zero when it finds something; the SARIF is on stdout.
    assert!(
        !zizmor_out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&zizmor_out.stderr)
    );
    let zizmor_sarif = repo.path().join("zizmor.sarif");
    std::fs::write(&zizmor_sarif, &zizmor_out.stdout).unwrap();
    // `ci-intel-policy audit --format sarif` on the same files, paths
    // relative to the repository root as zizmor's are.
    let policy_sarif = repo.path().join("policy.sarif");
    let options = ci_intel_policy::audit::Options::new(
        &ci_intel_policy::config::PolicyConfig::default(),
        ci_intel_policy::config::Persona::Regular,
        None,
        chrono::Utc::now().date_naive(),
    )
    .unwrap();
    let outcome = ci_intel_policy::audit::audit_repository(repo.path(), &options).unwrap();
    let report = ci_intel_core::Report::new(
        ci_intel_core::ToolInfo::new("ci-intel-policy", "test"),
        ci_intel_policy::audit::rule_metas(),
        outcome.findings,
    );
    ci_intel_core::render::write_sarif(&report, &policy_sarif).unwrap();
    let inputs = vec![load(&zizmor_sarif), load(&policy_sarif)];
    assert!(count(&inputs[0].log) > 0 && count(&inputs[1].log) > 0);
    let log = merge_and_check(&inputs);
    // Some result is reported by both tools.
    let both = all_results(&log).into_iter().any(|r| {
        r["properties"][REPORTED_BY].as_array().is_some_and(|by| {
            let tools: BTreeSet<&str> = by.iter().map(|b| b["tool"].as_str().unwrap()).collect();
            tools.len() == 2
        })
    });
    assert!(both, "no result merged across zizmor and ci-intel-policy");
}

fn log(tool: &str, results: &Value) -> Input {
    Input {
        name: format!("{tool}.sarif"),
        log: json!({
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": tool, "rules": [
                {"id": "r1", "properties": {"tags": ["CWE-79"]}},
                {"id": "r2"}
            ]}}, "results": results}]
        }),
    }
}

fn at(rule: &str, uri: &str, line: u64, level: &str) -> Value {
    json!({
        "ruleId": rule, "level": level, "message": {"text": format!("{rule} at {uri}:{line}")},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}]
    })
}

#[test]
fn within_a_tool_repeats_drop_by_fingerprint_or_rule_and_place() {
    let mut fingerprinted = at("r2", "a.py", 3, "note");
    fingerprinted["partialFingerprints"] = json!({"primary": "abc"});
    let mut moved = at("r2", "a.py", 9, "error");
    moved["partialFingerprints"] = json!({"primary": "abc"});
    let inputs = vec![
        log(
            "one",
            &json!([at("r1", "a.py", 1, "warning"), fingerprinted]),
        ),
        log(
            "one",
            &json!([
                at("r1", "a.py", 1, "warning"),
                moved,
                at("r1", "a.py", 2, "warning")
            ]),
        ),
    ];
    let merged = sarif::merge(&inputs, &options()).unwrap();
    assert_eq!(merged.stats.duplicates, 2);
    assert_eq!(merged.stats.results_out, 3);
    assert_eq!(
        merged.logs[0]["runs"].as_array().unwrap().len(),
        1,
        "one run per tool"
    );
    let results = all_results(&merged.logs[0]);
    let fp = results
        .iter()
        .find(|r| r["partialFingerprints"]["primary"] == "abc")
        .unwrap();
    assert_eq!(fp["level"], "error", "the highest level of the repeats");
    assert_eq!(fp["properties"]["ci-intel/occurrences"], 2);
    assert_valid(&merged.logs[0]);
}

#[test]
fn across_tools_only_the_same_place_with_a_shared_cwe_or_alias_merges() {
    let inputs = vec![
        log(
            "one",
            &json!([at("r1", "a.py", 5, "note"), at("r2", "a.py", 5, "note")]),
        ),
        log(
            "two",
            &json!([
                at("r1", "./a.py", 5, "error"),
                at("r2", "a.py", 5, "note"),
                at("r1", "b.py", 5, "note")
            ]),
        ),
    ];
    let merged = sarif::merge(&inputs, &options()).unwrap();
    // r1 (CWE-79 in both) at a.py:5 merges; r2 has no CWE nor alias; b.py differs.
    assert_eq!(merged.stats.merged, 1);
    assert_eq!(merged.stats.results_out, 4);
    let mut extra = BTreeMap::new();
    extra.insert("same".to_owned(), vec!["r2".to_owned()]);
    let merged = sarif::merge(
        &inputs,
        &Options {
            aliases: AliasTable::new(&extra),
            ..options()
        },
    )
    .unwrap();
    assert_eq!(
        merged.stats.merged, 2,
        "an alias group from sarif.aliases merges r2"
    );
    let kept = all_results(&merged.logs[0])
        .into_iter()
        .find(|r| {
            r["properties"][REPORTED_BY]
                .as_array()
                .is_some_and(|b| b[0]["ruleId"] == "r1")
        })
        .unwrap();
    assert_eq!(kept["level"], "error");
}

#[test]
fn over_a_limit_it_splits_or_fails_naming_the_limit_and_never_drops() {
    let results: Vec<Value> = (1..=7).map(|i| at("r2", "a.py", i, "note")).collect();
    let inputs = vec![
        log("one", &Value::Array(results)),
        log("two", &json!([at("r2", "z.py", 1, "note")])),
    ];
    let small = Limits {
        runs_per_file: 2,
        results_per_run: 3,
        ..Limits::GITHUB
    };
    let merged = sarif::merge(
        &inputs,
        &Options {
            limits: small,
            ..options()
        },
    )
    .unwrap();
    // 7 results -> 3 runs of one (3+3+1), plus two's run: 4 runs, 2 per file.
    assert_eq!(merged.logs.len(), 2);
    let total: usize = merged.logs.iter().map(count).sum();
    assert_eq!(total, 8);
    let mut categories = BTreeSet::new();
    for log in &merged.logs {
        assert!(log["runs"].as_array().unwrap().len() <= 2);
        for run in log["runs"].as_array().unwrap() {
            assert!(run["results"].as_array().unwrap().len() <= 3);
            categories.insert(
                run["automationDetails"]["id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
        }
        assert_valid(log);
    }
    assert!(categories.contains("one/part-3/"), "{categories:?}");
    let err = sarif::merge(
        &inputs,
        &Options {
            limits: small,
            on_limit: OnLimit::Fail,
            ..options()
        },
    )
    .unwrap_err();
    assert!(
        err.message
            .contains("over GitHub's limit of 3 results per run"),
        "{}",
        err.message
    );
    let tiny = Limits {
        bytes_per_file: 120,
        ..Limits::GITHUB
    };
    let err = sarif::merge(
        &inputs,
        &Options {
            limits: tiny,
            ..options()
        },
    )
    .unwrap_err();
    assert!(err.message.contains("bytes per file"), "{}", err.message);
}

#[test]
fn the_real_limit_of_25000_results_per_run_splits() {
    let results: Vec<Value> = (1..=25_001).map(|i| at("r2", "a.py", i, "note")).collect();
    let merged = sarif::merge(&[log("big", &Value::Array(results))], &options()).unwrap();
    let runs: Vec<usize> = merged
        .logs
        .iter()
        .flat_map(|l| {
            l["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["results"].as_array().unwrap().len())
        })
        .collect();
    assert_eq!(runs, vec![25_000, 1]);
}

#[test]
fn suppressions_mark_results_and_bad_ones_are_findings() {
    let text = "suppressions:\n  - rule: r1\n    path: \"*.py\"\n    owner: alice\n    justification: accepted until the rewrite\n    created: 2025-01-01\n    expires: 2025-01-20\n  - rule: r2\n    path: a.py\n    justification: nobody owns this\n    created: 2025-01-01\n    expires: 2025-01-20\n  - fingerprint: never-seen\n    owner: bob\n    justification: gone\n    created: 2025-01-01\n    expires: 2025-01-20\n";
    let suppressions = ci_intel_evidence::suppressions::parse(
        text,
        ".ci-intel/suppressions.yml",
        "2025-01-10".parse().unwrap(),
        30,
    )
    .unwrap();
    let inputs = vec![log(
        "one",
        &json!([at("r1", "a.py", 1, "error"), at("r2", "a.py", 2, "error")]),
    )];
    let merged = sarif::merge(
        &inputs,
        &Options {
            suppressions: Some(suppressions),
            ..options()
        },
    )
    .unwrap();
    assert_eq!(merged.stats.suppressed, 1);
    let rules: Vec<&str> = merged.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(rules, vec!["suppression-ownerless", "suppression-unused"]);
    let log = &merged.logs[0];
    assert_valid(log);
    let suppressed = all_results(log)
        .into_iter()
        .find(|r| r["ruleId"] == "r1")
        .unwrap();
    assert_eq!(suppressed["suppressions"][0]["status"], "accepted");
    assert_eq!(
        suppressed["suppressions"][0]["properties"]["owner"],
        "alice"
    );
    let ownerless = all_results(log)
        .into_iter()
        .find(|r| r["ruleId"] == "r2")
        .unwrap();
    assert!(
        ownerless["suppressions"].is_null(),
        "an ownerless suppression does not apply"
    );
    // The findings are in a run of their own.
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(
        runs.last().unwrap()["tool"]["driver"]["name"],
        "ci-intel-evidence"
    );
}

#[test]
fn logs_that_are_not_sarif_are_usage_errors_naming_the_place() {
    for (text, expected) in [
        ("not json", "not JSON at line 1"),
        (
            "{\"version\": \"2.0.0\", \"runs\": []}",
            "at /version: expected \"2.1.0\"",
        ),
        ("{\"version\": \"2.1.0\"}", "at /runs"),
        (
            "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {}}]}",
            "/runs/0/tool/driver/name",
        ),
        (
            "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [1]}]}",
            "/runs/0/results/0",
        ),
    ] {
        let err = sarif::parse(text.as_bytes(), "in.sarif").unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(err.message.starts_with("in.sarif: "), "{}", err.message);
        assert!(
            err.message.contains(expected),
            "{} lacks {expected}",
            err.message
        );
    }
}

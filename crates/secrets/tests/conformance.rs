//! gitleaks' own per-rule samples, run through our detectors.
//!
//! `../shared/corpus/conformance/gitleaks-rules/samples.json` holds, for
//! each of the 225 rules of gitleaks' default configuration, the strings its
//! tests expect the rule to find (`tps`) and to leave alone (`fps`). Each
//! string is scanned on its own, as a file would be (decoding included):
//!
//! - a true sample is *found* when any of our rules reports something in
//!   it, and *found by its rule* when one of the rules that name this
//!   gitleaks id in their documentation does;
//! - a false sample is *flagged* when any of our rules reports something.
//!
//! Recall is found / true samples; precision is found / (found + flagged).
//! The table in docs/secrets.md is generated from this run (refresh with
//! `UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance`), and
//! the test fails when the committed table is stale, when a gitleaks rule is
//! mapped to none of ours, or when the overall figures drop below their
//! floors. The samples are read from the corpus at test time: they contain
//! token-shaped strings, which this repository does not hold.
//!
//! `CONFORMANCE_MISSES=1` prints the samples that were missed or flagged
//! (public data from gitleaks' tests) to help work on a rule.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ci_intel_secrets::detect::Detector;
use serde::Deserialize;

/// The overall floors this test enforces: the figures reached today (recall
/// 5776/6115 = 0.9446, precision 5776/5807 = 0.9947), rounded down. Main
/// before the provider rules reached recall 0.677 and precision 0.989 on the
/// same samples. The targets are recall 0.95 and precision 0.99:
/// recall is below its target; docs/secrets.md says which samples are missed
/// and why.
const MIN_RECALL: f64 = 0.944;
const MIN_PRECISION: f64 = 0.994;

#[derive(Deserialize)]
struct Samples {
    source: String,
    rules: BTreeMap<String, RuleSamples>,
}

#[derive(Deserialize)]
struct RuleSamples {
    #[serde(default)]
    tps: Vec<String>,
    #[serde(default)]
    fps: Vec<String>,
}

#[derive(Default, Clone)]
struct Tally {
    true_samples: usize,
    found: usize,
    found_by_rule: usize,
    false_samples: usize,
    flagged: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.true_samples += other.true_samples;
        self.found += other.found;
        self.found_by_rule += other.found_by_rule;
        self.false_samples += other.false_samples;
        self.flagged += other.flagged;
    }

    fn recall(&self) -> Option<f64> {
        (self.true_samples > 0).then(|| self.found as f64 / self.true_samples as f64)
    }

    fn precision(&self) -> Option<f64> {
        let reported = self.found + self.flagged;
        (reported > 0).then(|| self.found as f64 / reported as f64)
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn ratio(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{part}/{whole}")
    }
}

#[test]
fn gitleaks_samples_recall_and_precision_per_rule() {
    let Some(path) = ci_intel_testkit::corpus("conformance/gitleaks-rules/samples.json") else {
        return;
    };
    let samples: Samples = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let detector = Detector::builtin();
    let mut ours: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for info in detector.rules() {
        for id in info.gitleaks {
            ours.entry(id).or_default().push(info.id);
        }
    }
    // Path rules (a file, not a value) are documented but not run here.
    ours.entry("pkcs12-file")
        .or_default()
        .push("(path rule, not run)");
    let verbose = std::env::var_os("CONFORMANCE_MISSES").is_some();
    let mut rows = Vec::new();
    let mut total = Tally::default();
    let mut unmapped = Vec::new();
    for (gitleaks, rule) in &samples.rules {
        let mapped = ours.get(gitleaks.as_str()).cloned().unwrap_or_default();
        if mapped.is_empty() {
            unmapped.push(gitleaks.clone());
        }
        let mut tally = Tally {
            true_samples: rule.tps.len(),
            false_samples: rule.fps.len(),
            ..Tally::default()
        };
        for sample in &rule.tps {
            let hits = detector.find(sample);
            if !hits.is_empty() {
                tally.found += 1;
            }
            if hits.iter().any(|h| mapped.contains(&h.rule)) {
                tally.found_by_rule += 1;
            } else if verbose {
                let by: Vec<&str> = hits.iter().map(|h| h.rule).collect();
                println!("MISS {gitleaks} (found by {by:?}): {sample:?}");
            }
        }
        for sample in &rule.fps {
            let hits = detector.find(sample);
            if !hits.is_empty() {
                tally.flagged += 1;
                if verbose {
                    let by: Vec<&str> = hits.iter().map(|h| h.rule).collect();
                    println!("FLAGGED {gitleaks} by {by:?}: {sample:?}");
                }
            }
        }
        total.add(&tally);
        rows.push((gitleaks.clone(), mapped, tally));
    }
    let mut table = format!(
        "\nSamples: `{}`; {} gitleaks rules, {} true and {} false samples.\n\n\
         **Overall: recall {} ({} of {} true samples found, {} by the mapped rule), precision {} ({} of {} false samples flagged).**\n\n\
         | gitleaks rule | our rule(s) | found | by its rule | recall | flagged | precision |\n|---|---|---|---|---|---|---|\n",
        samples.source,
        samples.rules.len(),
        total.true_samples,
        total.false_samples,
        figure(total.recall()),
        total.found,
        total.true_samples,
        total.found_by_rule,
        figure(total.precision()),
        total.flagged,
        total.false_samples,
    );
    for (gitleaks, mapped, tally) in &rows {
        let names: Vec<String> = mapped
            .iter()
            .map(|m| {
                if m.starts_with('(') {
                    (*m).to_owned()
                } else {
                    format!("[`{m}`](#{m})")
                }
            })
            .collect();
        table.push_str(&format!(
            "| `{gitleaks}` | {} | {} | {} | {} | {} | {} |\n",
            names.join(", "),
            ratio(tally.found, tally.true_samples),
            ratio(tally.found_by_rule, tally.true_samples),
            figure(tally.recall()),
            ratio(tally.flagged, tally.false_samples),
            figure(tally.precision()),
        ));
    }
    println!("{table}");
    assert!(
        unmapped.is_empty(),
        "gitleaks rules no rule of ours names in its documentation: {unmapped:?}"
    );

    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/secrets.md");
    let committed = std::fs::read_to_string(&docs).unwrap_or_default();
    let begin = "<!-- conformance:begin (generated by UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance) -->";
    let end = "<!-- conformance:end -->";
    let (head, tail) = match (committed.find(begin), committed.find(end)) {
        (Some(b), Some(e)) if b < e => (
            committed[..b].to_owned(),
            committed[e + end.len()..].to_owned(),
        ),
        _ => panic!("docs/secrets.md lacks the conformance markers"),
    };
    let expected = format!("{head}{begin}\n{table}\n{end}{tail}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&docs, &expected).unwrap();
    } else {
        assert!(
            committed == expected,
            "docs/secrets.md's conformance table is stale: run UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance"
        );
    }
    let recall = total.recall().unwrap_or(0.0);
    let precision = total.precision().unwrap_or(0.0);
    assert!(
        recall >= MIN_RECALL && precision >= MIN_PRECISION,
        "overall recall {recall:.3} (floor {MIN_RECALL}), precision {precision:.3} (floor {MIN_PRECISION})"
    );
}

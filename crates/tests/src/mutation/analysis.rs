//! Judging a mutation report: the score of the judged scope (the whole
//! report, or with `--diff` the mutants on changed lines), the delta against
//! a baseline, hotspots, the top surviving mutants, and the findings.

use std::collections::BTreeMap;

use serde::Serialize;

use ci_intel_core::Finding;
use ci_intel_core::pipeline_run::Resilience;

use super::diff::Touched;
use super::{Counts, Mutant, MutationReport};
use crate::rules::{
    mutation_run_incomplete, mutation_score_drop, mutation_score_low, surviving_mutant,
};

/// Thresholds, from `tests.mutation` and the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub fail_below: f64,
    pub warn_below: f64,
    pub max_drop: f64,
}

impl Thresholds {
    fn any(&self) -> bool {
        self.fail_below > 0.0 || self.warn_below > 0.0
    }
}

/// A file's mutants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    pub file: String,
    /// Survived or not covered.
    pub undetected: u64,
    pub detected: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_percent: Option<f64>,
}

/// What a report says, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The report(s) read.
    pub source: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// `all mutants`, or `mutants on lines changed since BASE`.
    pub scope: String,
    /// The whole report.
    pub counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_percent: Option<f64>,
    /// The judged scope (the same as `counts` without `--diff`).
    pub scope_counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_score_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_score_percent: Option<f64>,
    /// Score minus baseline score, in percentage points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_points: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<super::Partial>,
    /// Files of the judged scope, most undetected mutants first.
    pub hotspots: Vec<Hotspot>,
    /// The first surviving mutants of the judged scope (by file and line).
    pub top_survivors: Vec<Mutant>,
    /// pipeline_run `tests.resilience` of the whole report.
    pub resilience: Resilience,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Judge `report` (with `baseline` and the lines `touched` by a change).
pub fn analyse(
    report: &MutationReport,
    baseline: Option<&MutationReport>,
    touched: Option<(&Touched, &str)>,
    thresholds: &Thresholds,
    top: usize,
) -> Analysis {
    let counts = report.counts();
    let score = counts.score_percent();
    let (scope, judged): (String, Vec<&Mutant>) = match touched {
        Some((t, base)) => (
            format!("mutants on lines changed since {base}"),
            report.mutants.iter().filter(|m| t.touches(m)).collect(),
        ),
        None => ("all mutants".to_owned(), report.mutants.iter().collect()),
    };
    let scope_counts = Counts::of(judged.iter().copied());
    let scope_score = scope_counts.score_percent();
    let baseline_score = baseline.and_then(|b| b.counts().score_percent());
    let delta = match (score, baseline_score) {
        (Some(s), Some(b)) => Some(s - b),
        _ => None,
    };

    let mut findings = Vec::new();
    let location = report
        .source
        .split(", ")
        .next()
        .unwrap_or(&report.source)
        .to_owned();
    if let Some(partial) = report.partial {
        findings.push(mutation_run_incomplete::partial(
            partial.listed,
            partial.tested,
            &location,
        ));
    }
    match scope_score {
        Some(s) => findings.extend(mutation_score_low::check(
            s,
            thresholds.fail_below,
            thresholds.warn_below,
            &scope,
            &location,
        )),
        // A change that touched no mutated line has nothing to judge; a
        // scope with mutants none of which was tested has no score.
        None if scope_counts.total() > 0 || (touched.is_none() && thresholds.any()) => {
            findings.push(mutation_run_incomplete::nothing_tested(
                &scope,
                scope_counts.total(),
                &location,
            ));
        }
        None => {}
    }
    if let (Some(s), Some(b)) = (score, baseline_score) {
        findings.extend(mutation_score_drop::check(
            s,
            b,
            thresholds.max_drop,
            &location,
        ));
    }
    findings.extend(judged.iter().filter_map(|m| surviving_mutant::check(m)));

    let mut files: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for mutant in &judged {
        let entry = files.entry(&mutant.file).or_default();
        if mutant.status.is_undetected() {
            entry.0 += 1;
        } else if mutant.status.is_detected() {
            entry.1 += 1;
        }
    }
    let mut hotspots: Vec<Hotspot> = files
        .into_iter()
        .map(|(file, (undetected, detected))| Hotspot {
            file: file.to_owned(),
            undetected,
            detected,
            score_percent: (undetected + detected > 0)
                .then(|| 100.0 * detected as f64 / (undetected + detected) as f64),
        })
        .collect();
    hotspots.sort_by(|a, b| b.undetected.cmp(&a.undetected).then(a.file.cmp(&b.file)));
    let mut survivors: Vec<Mutant> = judged
        .iter()
        .filter(|m| m.status.is_undetected())
        .map(|m| (*m).clone())
        .collect();
    survivors.sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
    survivors.truncate(top);

    Analysis {
        source: report.source.clone(),
        kind: report.kind.as_str().to_owned(),
        framework: report.framework.clone(),
        scope,
        counts,
        score_percent: score,
        scope_counts,
        scope_score_percent: scope_score,
        baseline_score_percent: baseline_score,
        delta_points: delta,
        partial: report.partial,
        hotspots,
        top_survivors: survivors,
        resilience: counts.resilience(delta.map(|d| d / 100.0)),
        findings,
    }
}

/// A percentage or `n/a`.
fn pct(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.2} %"))
        .unwrap_or_else(|| "n/a".to_owned())
}

/// The Markdown report: score, delta, hotspots, top surviving mutants.
pub fn markdown(analysis: &Analysis, verdict: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let c = &analysis.scope_counts;
    let _ = writeln!(out, "### Mutation testing: {verdict}\n");
    let _ = writeln!(
        out,
        "| | score | delta vs main | killed | timeout | survived | no coverage | excluded | total |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let delta = analysis
        .delta_points
        .map(|d| format!("{d:+.2} pts"))
        .unwrap_or_else(|| "n/a".to_owned());
    let all = &analysis.counts;
    let _ = writeln!(
        out,
        "| all mutants | {} | {delta} | {} | {} | {} | {} | {} | {} |",
        pct(analysis.score_percent),
        all.killed,
        all.timeout,
        all.survived,
        all.no_coverage,
        all.excluded(),
        all.total()
    );
    if analysis.scope != "all mutants" {
        let _ = writeln!(
            out,
            "| {} | {} | | {} | {} | {} | {} | {} | {} |",
            analysis.scope,
            pct(analysis.scope_score_percent),
            c.killed,
            c.timeout,
            c.survived,
            c.no_coverage,
            c.excluded(),
            c.total()
        );
    }
    if let Some(p) = analysis.partial {
        let _ = writeln!(
            out,
            "\n**Partial run**: {} of {} listed mutants have an outcome.",
            p.tested, p.listed
        );
    }
    let hot: Vec<&Hotspot> = analysis
        .hotspots
        .iter()
        .filter(|h| h.undetected > 0)
        .take(10)
        .collect();
    if !hot.is_empty() {
        let _ = writeln!(
            out,
            "\n#### Hotspots\n\n| file | undetected | detected | score |\n|---|---:|---:|---:|"
        );
        for h in hot {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                md_cell(&h.file),
                h.undetected,
                h.detected,
                pct(h.score_percent)
            );
        }
    }
    if !analysis.top_survivors.is_empty() {
        let _ = writeln!(
            out,
            "\n#### Surviving mutants\n\n| where | mutation | status |\n|---|---|---|"
        );
        for m in &analysis.top_survivors {
            let place = if m.line > 0 {
                format!("{}:{}", m.file, m.line)
            } else {
                m.file.clone()
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                md_cell(&place),
                md_cell(&m.description),
                md_cell(&m.tool_status)
            );
        }
    }
    out
}

/// Text safe inside a Markdown table cell.
pub fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::{MutantStatus, ReportKind};
    use std::collections::BTreeSet;

    fn mutant(file: &str, line: u32, status: MutantStatus) -> Mutant {
        Mutant {
            id: format!("{file}:{line}:{status}"),
            file: file.into(),
            line,
            end_line: line,
            column: None,
            mutator: "m".into(),
            description: "a | b".into(),
            status,
            tool_status: status.as_str().into(),
        }
    }

    fn report(mutants: Vec<Mutant>) -> MutationReport {
        MutationReport {
            source: "r.json".into(),
            kind: ReportKind::Stryker,
            framework: None,
            mutants,
            partial: None,
            tool_summary: BTreeMap::new(),
            files: Vec::new(),
        }
    }

    const STRICT: Thresholds = Thresholds {
        fail_below: 80.0,
        warn_below: 90.0,
        max_drop: 1.0,
    };

    #[test]
    fn the_diff_score_is_judged_and_survivors_annotated() {
        use MutantStatus::*;
        let r = report(vec![
            mutant("a.rs", 1, Killed),
            mutant("a.rs", 2, Survived),
            mutant("b.rs", 1, Survived),
            mutant("b.rs", 2, Killed),
            mutant("b.rs", 3, Killed),
        ]);
        let touched = Touched {
            files: BTreeMap::from([("b.rs".to_owned(), BTreeSet::from([1, 2, 3]))]),
        };
        let a = analyse(&r, None, Some((&touched, "main")), &STRICT, 10);
        assert_eq!(a.score_percent, Some(60.0));
        let scope = a.scope_score_percent.unwrap();
        assert!((scope - 200.0 / 3.0).abs() < 1e-9);
        let rules: Vec<&str> = a.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(rules, ["mutation-score-low", "surviving-mutant"]);
        assert_eq!(a.top_survivors.len(), 1);
        assert_eq!(a.top_survivors[0].file, "b.rs");
        let md = markdown(&a, "deny");
        assert!(md.contains("| all mutants | 60.00 % |"), "{md}");
        assert!(md.contains("a \\| b"), "{md}");
    }

    #[test]
    fn a_drop_against_the_baseline_and_the_resilience_record() {
        use MutantStatus::*;
        let base = report(vec![mutant("a.rs", 1, Killed), mutant("a.rs", 2, Killed)]);
        let now = report(vec![mutant("a.rs", 1, Killed), mutant("a.rs", 2, Survived)]);
        let loose = Thresholds {
            fail_below: 0.0,
            warn_below: 0.0,
            max_drop: 10.0,
        };
        let a = analyse(&now, Some(&base), None, &loose, 10);
        assert_eq!(a.delta_points, Some(-50.0));
        assert_eq!(a.resilience.delta_vs_main, Some(-0.5));
        assert_eq!(a.findings[0].rule_id, "mutation-score-drop");
        let same = analyse(&base, Some(&base), None, &loose, 10);
        assert!(same.findings.is_empty());
    }

    #[test]
    fn nothing_tested_is_a_finding_and_a_change_without_mutants_is_not() {
        use MutantStatus::*;
        let pending = report(vec![mutant("a.rs", 1, Pending)]);
        let a = analyse(&pending, None, None, &STRICT, 10);
        assert_eq!(a.findings[0].rule_id, "mutation-run-incomplete");
        assert_eq!(a.score_percent, None);
        let touched = Touched {
            files: BTreeMap::from([("docs.md".to_owned(), BTreeSet::from([1]))]),
        };
        let none = analyse(&pending, None, Some((&touched, "main")), &STRICT, 10);
        assert!(none.findings.is_empty());
    }
}

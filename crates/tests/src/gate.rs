//! The `tests` gate: `ci-intel check` judges the mutation reports and the
//! JUnit history the `tests:` section names, and validates the quarantine
//! list whenever it exists. With none of them (a plain repository), there
//! is nothing to check: the hub default (`allow_empty: true`) skips.

use std::path::{Path, PathBuf};

use ci_intel_core::canonical::sha256_hex;
use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun, Input};
use ci_intel_core::{Failure, RuleMeta};

use crate::config::TestsConfig;
use crate::flake::{self, FlakeOptions, Quarantine, history};
use crate::mutation::analysis::{self, Thresholds};
use crate::mutation::{self, MutationReport};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "tests";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<TestsConfig>(SECTION)
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct TestsGate;

impl GateConfig for TestsConfig {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

fn has_glob_meta(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

/// The literal folder a pattern starts in (`a/b/**/*.xml` → `a/b`).
fn literal_base(pattern: &str) -> String {
    let parts: Vec<&str> = pattern
        .split('/')
        .take_while(|s| !has_glob_meta(s))
        .collect();
    if parts.len() == pattern.split('/').count() {
        // No glob: the pattern's own folder.
        let mut parts = parts;
        parts.pop();
        parts.join("/")
    } else {
        parts.join("/")
    }
}

/// Load configured mutation reports: folders and files by path, globs by
/// match. Missing paths contribute nothing.
fn load_reports(
    ctx: &GateContext<'_>,
    entries: &[String],
    key: &str,
) -> Result<Vec<MutationReport>, Failure> {
    let root = ctx.checkout.root();
    let mut reports = Vec::new();
    for entry in entries {
        if has_glob_meta(entry) {
            for file in ctx.checkout.find_unignored(entry, key)? {
                reports.push(relative_report(mutation::load(&root.join(&file))?, root));
            }
        } else {
            let path = root.join(entry);
            if path.exists() {
                reports.push(relative_report(mutation::load(&path)?, root));
            }
        }
    }
    Ok(reports)
}

/// Name a report relative to the checkout, as findings should.
fn relative_report(mut report: MutationReport, root: &Path) -> MutationReport {
    let prefix = format!("{}/", root.display());
    report.source = report.source.replace(&prefix, "");
    report
}

fn input(root: &Path, path: &Path) -> Result<Input, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::infra(format!("cannot read {}: {e}", path.display())))?;
    let relative = path.strip_prefix(root).unwrap_or(path);
    Ok(Input {
        path: relative.to_string_lossy().replace('\\', "/"),
        sha256: sha256_hex(&bytes),
    })
}

/// Read JUnit runs matching `patterns`: the folder a pattern starts in holds
/// one run per sub-folder.
fn read_runs(
    ctx: &GateContext<'_>,
    patterns: &[String],
    key: &str,
) -> Result<(Vec<flake::Run>, Vec<PathBuf>), Failure> {
    let root = ctx.checkout.root();
    let mut runs = Vec::new();
    let mut all_files = Vec::new();
    for pattern in patterns {
        let files: Vec<PathBuf> = ctx
            .checkout
            .find_unignored(pattern, key)?
            .into_iter()
            .map(|f| root.join(f))
            .collect();
        let base = root.join(literal_base(pattern));
        runs.extend(history::read_files(&base, &files)?);
        all_files.extend(files);
    }
    history::sort_runs(&mut runs);
    Ok((runs, all_files))
}

impl Gate for TestsGate {
    type Config = TestsConfig;

    fn id(&self) -> &'static str {
        "tests"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "mutation score and drop, flake index, new flaky tests, quarantine list (ci-intel-tests)"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        crate::rules::metas()
    }

    fn run(&self, tests: &TestsConfig, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let root = ctx.checkout.root();
        let mut run = GateRun::default();
        let mut checked = Vec::new();

        // The quarantine list, whenever it exists.
        let quarantine_path = root.join(&tests.quarantine);
        let quarantine = if quarantine_path.is_file() {
            let text = std::fs::read_to_string(&quarantine_path).map_err(|e| {
                Failure::usage(format!(
                    "cannot read quarantine list {}: {e}",
                    tests.quarantine
                ))
            })?;
            let q = Quarantine::parse(&tests.quarantine, &text)?;
            run.findings.extend(q.check(ctx.now.date_naive()));
            run.inputs.push(input(root, &quarantine_path)?);
            checked.push(format!("quarantine: {} entr(y/ies)", q.entries.len()));
            run = run.count("quarantined", q.entries.len());
            Some(q)
        } else {
            None
        };

        // Mutation reports.
        let m = &tests.mutation;
        let reports = load_reports(ctx, &m.reports, "tests.mutation.reports")?;
        if let Some(report) = MutationReport::merge(reports) {
            let baseline = if m.baseline.is_empty() {
                None
            } else {
                MutationReport::merge(load_reports(
                    ctx,
                    std::slice::from_ref(&m.baseline),
                    "tests.mutation.baseline",
                )?)
            };
            let thresholds = Thresholds {
                fail_below: m.fail_below,
                warn_below: m.warn_below,
                max_drop: m.max_drop,
            };
            let analysis = analysis::analyse(&report, baseline.as_ref(), None, &thresholds, 0);
            for file in report
                .files
                .iter()
                .chain(baseline.iter().flat_map(|b| b.files.iter()))
            {
                run.inputs.push(input(root, file)?);
            }
            let score = analysis
                .score_percent
                .map(|s| format!("{s:.2} %"))
                .unwrap_or_else(|| "n/a".to_owned());
            let delta = analysis
                .delta_points
                .map(|d| format!(", {d:+.2} points vs baseline"))
                .unwrap_or_default();
            checked.push(format!(
                "mutation: score {score} of {} mutant(s){delta}",
                analysis.counts.total()
            ));
            run = run
                .count("mutants", analysis.counts.total() as usize)
                .count("mutants_detected", analysis.counts.detected() as usize)
                .count("mutants_valid", analysis.counts.valid() as usize);
            run.findings.extend(analysis.findings);
        }

        // JUnit history.
        let f = &tests.flake;
        let (runs, files) = read_runs(ctx, &f.history, "tests.flake.history")?;
        if !runs.is_empty() {
            let (current, current_files) = read_runs(ctx, &f.current, "tests.flake.current")?;
            let options = FlakeOptions {
                window_days: f.window_days.max(1),
                max_index: f.max_index,
                deny_new: f.deny_new,
                release_after: f.release_after,
            };
            let name = f.history.join(", ");
            let report = flake::analyse(&runs, &current, quarantine.as_ref(), &options, &name);
            for file in files.iter().chain(current_files.iter()) {
                run.inputs.push(input(root, file)?);
            }
            checked.push(format!(
                "flake: index {:.3} ({} flaky run(s) of {}), {} flaky test(s)",
                report.flakiness_index,
                report.flaky_runs,
                report.runs,
                report.flaky_tests.len()
            ));
            run = run
                .count("runs", report.runs)
                .count("flaky_runs", report.flaky_runs)
                .count("flaky_tests", report.flaky_tests.len());
            // Findings name files relative to the repository.
            let prefix = format!("{}/", root.display());
            for mut finding in report.findings {
                if let Some(location) = finding.location.as_mut() {
                    location.file = location.file.replace(&prefix, "");
                }
                run.findings.push(finding);
            }
        }

        if checked.is_empty() {
            return Ok(GateRun::nothing(format!(
                "no mutation report (tests.mutation.reports), JUnit history (tests.flake.history) or quarantine list ({})",
                tests.quarantine
            )));
        }
        run.checked = checked.join("; ");
        run.inputs.sort();
        run.inputs.dedup();
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_base_of_a_pattern() {
        assert_eq!(literal_base(".ci-intel/junit/**/*.xml"), ".ci-intel/junit");
        assert_eq!(literal_base("junit/run-1/report.xml"), "junit/run-1");
        assert_eq!(literal_base("*.xml"), "");
    }
}

//! Real peers: cargo-mutants, mutmut, cargo-nextest, pytest with
//! pytest-rerunfailures, and pytest-split, run on small real fixtures; our
//! reading of their output must equal their own summaries, and the
//! selections we write in their syntax must select exactly what we meant.
//!
//! `.ci/run` installs them and sets `CI_INTEL_CARGO_MUTANTS`,
//! `CI_INTEL_MUTMUT`, `CI_INTEL_PYTEST` (a venv's pytest with
//! pytest-rerunfailures and pytest-split beside it); cargo-nextest comes
//! from PATH. Without them the tests print `SKIPPED:` (and fail when
//! `CI_INTEL_REQUIRE_TOOLS` is set).

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_testkit::tool;
use ci_intel_tests::flake::{self, FlakeOptions, history};
use ci_intel_tests::mutation::{self, MutantStatus};
use ci_intel_tests::shard::{self, RunTimes, Runner, backtest};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() == "target" || entry.file_name() == "mutants" {
                continue;
            }
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A command that does not inherit the outer cargo's target dir or the
/// Actions environment.
fn command(program: &Path) -> Command {
    let mut command = Command::new(program);
    for var in [
        "CARGO_TARGET_DIR",
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "RUSTFLAGS",
    ] {
        command.env_remove(var);
    }
    command
}

/// cargo-mutants' closing line: `11 mutants tested in 15s: 2 missed, 9 caught`
/// (also `N unviable`, `N timeouts`).
fn cargo_mutants_summary(stdout: &str) -> BTreeMap<String, u64> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.contains(" mutants tested in "))
        .unwrap_or_else(|| panic!("no summary line in cargo-mutants' output:\n{stdout}"));
    let mut counts = BTreeMap::new();
    let total: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
    counts.insert("total".to_owned(), total);
    let (_, tail) = line.split_once(": ").unwrap();
    for part in tail.split(", ") {
        let (n, word) = part.trim().split_once(' ').unwrap();
        counts.insert(word.trim_end_matches('s').to_owned(), n.parse().unwrap());
    }
    counts
}

#[test]
fn cargo_mutants_on_a_real_crate_matches_its_own_summary() {
    let Some(cargo_mutants) = tool("CI_INTEL_CARGO_MUTANTS", "cargo-mutants") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let krate = dir.path().join("tiny");
    copy_dir(&fixture("peers/tiny-crate"), &krate);
    let output = command(&cargo_mutants)
        .args(["mutants", "--no-shuffle", "-j", "2", "--dir"])
        .arg(&krate)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // cargo-mutants exits 2 when a mutant is missed (ours are, on purpose).
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "cargo-mutants failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = cargo_mutants_summary(&stdout);
    let report = mutation::load(&krate.join("mutants.out")).unwrap();
    let ours = report.tool_counts();
    assert_eq!(report.mutants.len() as u64, theirs["total"], "{stdout}");
    for (word, summary) in [
        ("missed", "MissedMutant"),
        ("caught", "CaughtMutant"),
        ("unviable", "Unviable"),
        ("timeout", "Timeout"),
    ] {
        assert_eq!(
            ours.get(summary).copied().unwrap_or(0),
            theirs.get(word).copied().unwrap_or(0),
            "{word}: {stdout}"
        );
    }
    assert_eq!(report.partial, None);
    // Its missed.txt lines are our surviving mutants, place and words.
    let missed = std::fs::read_to_string(krate.join("mutants.out/missed.txt")).unwrap();
    let ours: BTreeSet<String> = report
        .mutants
        .iter()
        .filter(|m| m.status == MutantStatus::Survived)
        .map(|m| {
            format!(
                "{}:{}:{}: {}",
                m.file,
                m.line,
                m.column.unwrap(),
                m.description
            )
        })
        .collect();
    let theirs: BTreeSet<String> = missed.lines().map(str::to_owned).collect();
    assert_eq!(ours, theirs);
    assert!(!ours.is_empty(), "the fixture keeps some mutants alive");
}

#[test]
fn mutmut_on_a_real_package_matches_its_own_stats() {
    let Some(mutmut) = tool("CI_INTEL_MUTMUT", "mutmut") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("calc");
    copy_dir(&fixture("peers/mutmut-pkg"), &project);
    let run = command(&mutmut)
        .arg("run")
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "mutmut run: {}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let export = command(&mutmut)
        .arg("export-cicd-stats")
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let stats: BTreeMap<String, u64> = serde_json::from_str(
        &std::fs::read_to_string(project.join("mutants/mutmut-cicd-stats.json")).unwrap(),
    )
    .unwrap();
    let report = mutation::load(&project).unwrap();
    let ours = report.tool_counts();
    assert_eq!(report.mutants.len() as u64, stats["total"]);
    for (key, word) in [
        ("killed", "killed"),
        ("survived", "survived"),
        ("no_tests", "no tests"),
        ("skipped", "skipped"),
        ("suspicious", "suspicious"),
        ("timeout", "timeout"),
        ("segfault", "segfault"),
        (
            "check_was_interrupted_by_user",
            "check was interrupted by user",
        ),
    ] {
        assert_eq!(ours.get(word).copied().unwrap_or(0), stats[key], "{key}");
    }
    // mutmut's `results` lists every surviving mutant by name.
    let results = command(&mutmut)
        .arg("results")
        .current_dir(&project)
        .output()
        .unwrap();
    let listed: BTreeSet<String> = String::from_utf8_lossy(&results.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_suffix(": survived").map(str::to_owned))
        .collect();
    let survivors: BTreeSet<String> = report
        .mutants
        .iter()
        .filter(|m| m.status == MutantStatus::Survived)
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(survivors, listed);
    // With the mutated copy beside the sources, every mutant has its line
    // and the changed code.
    for m in &report.mutants {
        assert_eq!(m.file, "src/calc/__init__.py");
        assert!(m.line > 0, "{m:?}");
        assert!(m.description.contains('→'), "{m:?}");
    }
}

fn nextest_config(dir: &Path) {
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::write(
        dir.join(".config/nextest.toml"),
        "[profile.ci]\nretries = 2\nfail-fast = false\n[profile.ci.junit]\npath = \"junit.xml\"\n",
    )
    .unwrap();
}

/// Run the tiny crate's tests with nextest and return the JUnit path.
fn nextest_run(nextest: &Path, krate: &Path, flaky_dir: &Path) -> PathBuf {
    let output = command(nextest)
        .args(["nextest", "run", "--profile", "ci"])
        .env("CI_INTEL_FLAKY_DIR", flaky_dir)
        .current_dir(krate)
        .output()
        .unwrap();
    let junit = krate.join("target/nextest/ci/junit.xml");
    assert!(
        junit.is_file(),
        "no JUnit from nextest: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    junit
}

#[test]
fn nextest_retries_are_read_as_flaky_and_failed_tests() {
    let Some(nextest) = tool("CI_INTEL_CARGO_NEXTEST", "cargo-nextest") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let krate = dir.path().join("tiny");
    copy_dir(&fixture("peers/tiny-crate"), &krate);
    nextest_config(&krate);
    let history_dir = dir.path().join("history");
    // Run 1: the test fails once and passes its retry.
    let flaky = dir.path().join("flaky");
    std::fs::create_dir_all(&flaky).unwrap();
    let junit = nextest_run(&nextest, &krate, &flaky);
    std::fs::create_dir_all(history_dir.join("run-1")).unwrap();
    std::fs::copy(&junit, history_dir.join("run-1/junit.xml")).unwrap();
    // Run 2: it fails every attempt.
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("always"), "").unwrap();
    let junit = nextest_run(&nextest, &krate, &broken);
    std::fs::create_dir_all(history_dir.join("run-2")).unwrap();
    std::fs::copy(&junit, history_dir.join("run-2/junit.xml")).unwrap();

    let runs = history::read_history(&history_dir).unwrap();
    assert_eq!(runs.len(), 2);
    let id = "tiny::tests::flaky_when_asked";
    let first = &runs[0].tests[id];
    assert!(first.is_flaky(), "{first:?}");
    assert_eq!((first.failed_attempts, first.attempts), (1, 2));
    let second = &runs[1].tests[id];
    assert!(!second.is_flaky());
    assert_eq!((second.failed_attempts, second.attempts), (3, 3));
    let report = flake::analyse(&runs, &[], None, &FlakeOptions::default(), "history");
    assert_eq!((report.runs, report.flaky_runs), (2, 1));
    assert_eq!(report.flaky_tests[0].test, id);
}

fn nextest_listed(nextest: &Path, krate: &Path, args: &[&str]) -> BTreeSet<String> {
    let output = command(nextest)
        .args(["nextest", "list", "--message-format", "json"])
        .args(args)
        .current_dir(krate)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nextest list {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut selected = BTreeSet::new();
    for suite in list["rust-suites"].as_object().unwrap().values() {
        let binary = suite["binary-id"].as_str().unwrap();
        for (name, case) in suite["testcases"].as_object().unwrap() {
            if case["filter-match"]["status"] == "matches" {
                selected.insert(format!("{binary} {name}"));
            }
        }
    }
    selected
}

#[test]
fn nextest_runs_exactly_the_tests_our_filtersets_select() {
    let Some(nextest) = tool("CI_INTEL_CARGO_NEXTEST", "cargo-nextest") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let krate = dir.path().join("tiny");
    copy_dir(&fixture("peers/tiny-crate"), &krate);
    nextest_config(&krate);
    let flaky = dir.path().join("flaky");
    std::fs::create_dir_all(&flaky).unwrap();
    let junit = nextest_run(&nextest, &krate, &flaky);
    let run = history::read_history(&junit).unwrap().remove(0);
    let times = RunTimes::from_run(&run, Some(Runner::Nextest));
    let units = times.unit_list();
    assert_eq!(units.len(), 3);
    let predictions = shard::predict(&[&times], &units);
    let shards = shard::pack(&predictions, 2);
    let mut all = BTreeSet::new();
    for s in &shards {
        let selection = shard::selection(Runner::Nextest, &s.tests);
        let listed = nextest_listed(&nextest, &krate, &["-E", &selection[0]]);
        let wanted: BTreeSet<String> = s.tests.iter().cloned().collect();
        assert_eq!(listed, wanted, "filterset {}", selection[0]);
        all.extend(listed);
    }
    assert_eq!(all.len(), units.len());
    // nextest's own count partitioning: round-robin over each binary's
    // sorted tests (what the benchmark measures as nextest's split).
    let first = nextest_listed(&nextest, &krate, &["--partition", "count:1/2"]);
    let mut sorted: Vec<&String> = all.iter().collect();
    sorted.sort();
    let round_robin: BTreeSet<String> = sorted.iter().step_by(2).map(|s| (*s).clone()).collect();
    assert_eq!(first, round_robin);
}

fn pytest_python(pytest: &Path) -> PathBuf {
    pytest.with_file_name("python")
}

#[test]
fn pytest_rerunfailures_attempts_are_read_as_flaky_and_our_node_ids_collect() {
    let Some(pytest) = tool("CI_INTEL_PYTEST", "pytest") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("junit/pytest-rerunfailures.test_f.py"),
        dir.path().join("test_f.py"),
    )
    .unwrap();
    let junit = dir.path().join("junit.xml");
    let output = command(&pytest)
        .args([
            "-q",
            "-p",
            "no:cacheprovider",
            "--reruns",
            "2",
            "--junitxml",
        ])
        .arg(&junit)
        .arg("test_f.py")
        .current_dir(dir.path())
        .output()
        .unwrap();
    // test_always fails: pytest exits 1.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let run = history::read_history(&junit).unwrap().remove(0);
    assert!(run.tests["test_f::test_flaky"].is_flaky());
    let always = &run.tests["test_f::test_always"];
    assert!(!always.is_flaky());
    assert_eq!((always.failed_attempts, always.attempts), (3, 3));
    assert!(!run.tests["test_f::test_ok"].is_flaky());

    // Our pytest node ids collect exactly those tests.
    let times = RunTimes::from_run(&run, Some(Runner::Pytest));
    let ids: Vec<String> = times.unit_list().into_iter().map(|u| u.id).collect();
    assert_eq!(ids.len(), 3);
    let selection = shard::selection(Runner::Pytest, &ids);
    let collected = command(&pytest)
        .args([
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:rerunfailures",
        ])
        .args(&selection)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&collected.stdout);
    let collected: BTreeSet<&str> = stdout.lines().filter(|l| l.contains("::")).collect();
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(collected, wanted, "{stdout}");
}

#[test]
fn pytest_splits_own_algorithms_are_measured_on_the_same_replay() {
    let Some(pytest) = tool("CI_INTEL_PYTEST", "pytest") else {
        return;
    };
    let python = pytest_python(&pytest);
    let history_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/nextest-history");
    let runs: Vec<RunTimes> = history::read_history(&history_dir)
        .unwrap()
        .iter()
        .map(|r| RunTimes::from_run(r, Some(Runner::Nextest)))
        .collect();
    assert!(
        runs.len() >= 5,
        "the recorded history has {} runs",
        runs.len()
    );
    let steps = backtest::steps(&runs, backtest::Replay::Sequential, 3);
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    std::fs::write(
        &plan_path,
        serde_json::to_string(&backtest::plan(&steps, 3)).unwrap(),
    )
    .unwrap();
    let ours = backtest::evaluate(&steps, &backtest::ours(&steps, 3)).unwrap();
    for algorithm in ["duration_based_chunks", "least_duration"] {
        let output = command(&python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pytest_split_assign.py"))
            .arg(&plan_path)
            .arg(algorithm)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let assignments: backtest::Assignments = serde_json::from_slice(&output.stdout).unwrap();
        // pytest-split puts every test in exactly one group, as we do: the
        // evaluation checks it.
        let theirs = backtest::evaluate(&steps, &assignments).unwrap();
        assert_eq!(theirs.runs, ours.runs);
        assert!(theirs.own_prediction);
        assert!(theirs.mean_max_over_ideal >= 1.0 && ours.mean_max_over_ideal >= 1.0);
        assert!(theirs.mape_percent.is_finite());
        println!(
            "{}: MAPE {:.1} %, max/ideal {:.3}; ours: MAPE {:.1} %, max/ideal {:.3}",
            theirs.strategy,
            theirs.mape_percent,
            theirs.mean_max_over_ideal,
            ours.mape_percent,
            ours.mean_max_over_ideal
        );
    }
}

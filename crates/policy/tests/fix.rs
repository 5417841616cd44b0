//! `ci-intel-policy audit --fix`: every fixture under `tests/fixtures/fix/
//! <rule>/<case>/` is fixed by the binary; `after.yml` is the expected
//! result, and a case without one must stay byte for byte as it is (a step
//! that must not be fixed). Fixing twice changes nothing more. On the
//! real-world corpus and on arbitrary input the fix never panics and never
//! leaves a file that does not parse.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ci_intel_policy::audit::{Options, yaml};
use ci_intel_policy::config::Persona;
use ci_intel_policy::fix::fix_text;
use proptest::prelude::*;

#[path = "support/cli.rs"]
mod cli;
use cli::audit as policy;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for rule in std::fs::read_dir(fixtures()).unwrap() {
        let rule = rule.unwrap().path();
        if !rule.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            let name = format!(
                "{}/{}",
                rule.file_name().unwrap().to_string_lossy(),
                case.file_name().unwrap().to_string_lossy()
            );
            out.push((name, case));
        }
    }
    out.sort();
    out
}

const WORKFLOW: &str = ".github/workflows/ci.yml";

fn stage(before: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(WORKFLOW);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, before).unwrap();
    dir
}

#[test]
fn every_rule_with_a_fix_has_fixtures_that_fix_and_fixtures_that_must_not() {
    let cases = cases();
    for (rule, _) in ci_intel_policy::fix::FIXERS {
        let of_rule: Vec<_> = cases
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{rule}/")))
            .collect();
        assert!(
            of_rule.iter().any(|(_, p)| p.join("after.yml").exists()),
            "{rule}: no before/after fixture"
        );
        assert!(
            of_rule.iter().any(|(_, p)| !p.join("after.yml").exists()),
            "{rule}: no fixture that must stay unchanged"
        );
    }
}

#[test]
fn fixtures_are_fixed_as_expected_and_fixing_again_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 10, "fixtures missing: {cases:?}");
    for (name, case) in cases {
        let before = std::fs::read(case.join("before.yml")).unwrap();
        let expected = std::fs::read(case.join("after.yml")).unwrap_or_else(|_| before.clone());
        // Extra arguments, one a line (`--persona auditor`).
        let extra: Vec<String> = std::fs::read_to_string(case.join("args"))
            .map(|a| a.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        let dir = stage(&before);
        let out = policy(dir.path())
            .args(["--fix=write", "."])
            .args(&extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {stderr}");
        let after = std::fs::read(dir.path().join(WORKFLOW)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&after),
            String::from_utf8_lossy(&expected),
            "{name}: the fixed file differs\n{stderr}"
        );
        if expected == before {
            assert!(
                stderr.contains("not fixed:"),
                "{name}: a finding left unfixed is reported with its reason\n{stderr}"
            );
        } else {
            assert!(stderr.contains("fixed: "), "{name}: {stderr}");
        }
        // Idempotence: the fixed file has nothing more to fix.
        let again = policy(dir.path())
            .args(["--fix", "."])
            .args(&extra)
            .output()
            .unwrap();
        assert!(
            again.stdout.is_empty(),
            "{name}: fixing again changed something:\n{}",
            String::from_utf8_lossy(&again.stdout)
        );
    }
}

#[test]
fn the_default_mode_prints_a_diff_that_patch_applies() {
    let case = fixtures().join("template-injection/bash-quoting");
    let before = std::fs::read(case.join("before.yml")).unwrap();
    let dir = stage(&before);
    let out = policy(dir.path()).args(["--fix"]).output().unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n@@"),
        "{diff}"
    );
    // Nothing was written.
    assert_eq!(std::fs::read(dir.path().join(WORKFLOW)).unwrap(), before);
    // The diff applies with `patch -p1` (when installed) to the expected file.
    let Some(patch) = ci_intel_testkit::find_on_path("patch") else {
        ci_intel_testkit::skip_or_fail("`patch` is not installed");
        return;
    };
    let mut child = std::process::Command::new(patch)
        .args(["-p1", "--quiet"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join(WORKFLOW)).unwrap(),
        std::fs::read_to_string(case.join("after.yml")).unwrap()
    );
}

#[test]
fn the_exit_code_is_the_verdict_on_what_is_left() {
    // Everything fixable is fixed: nothing left at or above `high`.
    let case = fixtures().join("template-injection/only-run-key");
    let dir = stage(&std::fs::read(case.join("before.yml")).unwrap());
    policy(dir.path())
        .args(["--fix=write"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("1 fix(es) in 1 file(s) written"));
    // A finding left unfixed still denies.
    let case = fixtures().join("template-injection/heredoc");
    let dir = stage(&std::fs::read(case.join("before.yml")).unwrap());
    policy(dir.path())
        .args(["--fix=write"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("here-document"));
}

#[test]
fn fix_conflicts_with_sarif_output_and_takes_only_known_modes() {
    let dir = stage(b"on: push\njobs: {}\n");
    policy(dir.path()).args(["--fix=sideways"]).assert().code(2);
    policy(dir.path())
        .args(["--fix", "--sarif-output", "x.sarif"])
        .assert()
        .code(2);
}

/// Parse `text` as the audit does, the result of a fix must parse whenever
/// the original did.
fn check_never_breaks(name: &str, text: &str, opts: &Options) -> ci_intel_policy::fix::FileFix {
    let fixed = fix_text(name, text, None, opts);
    let strict = |t: &str| yaml::load(t.strip_prefix('\u{feff}').unwrap_or(t)).is_ok();
    if fixed.changed() {
        assert!(
            strict(text),
            "{name}: a file that does not parse was edited"
        );
        assert!(
            strict(&fixed.fixed),
            "{name}: the fix broke the YAML:\n{}",
            fixed.diff()
        );
        // Idempotent: nothing more to do on the fixed text.
        let again = fix_text(name, &fixed.fixed, None, opts);
        assert!(
            !again.changed(),
            "{name}: fixing twice changed more:\n{}",
            again.diff()
        );
    } else {
        assert!(fixed.applied.is_empty(), "{name}");
    }
    fixed
}

#[test]
fn the_real_world_corpus_is_fixed_without_panics_or_broken_yaml() {
    let Some(dir) = ci_intel_testkit::corpus("workflows/realworld") else {
        return;
    };
    let opts = Options::defaults(Persona::Regular);
    let mut files = 0usize;
    let mut changed = 0usize;
    let mut applied = 0usize;
    let mut refused = 0usize;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files += 1;
        let fixed = check_never_breaks(&name, &text, &opts);
        applied += fixed.applied.len();
        refused += fixed.refused.len();
        if fixed.changed() {
            changed += 1;
        }
    }
    eprintln!(
        "corpus: {files} files, {changed} changed, {applied} fixes applied, {refused} left with a reason"
    );
    assert!(files > 1000, "{files}");
    assert!(applied > 100, "the fixes hardly ever apply: {applied}");
}

fn workflow_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("on: issues\n".to_owned()),
        Just("permissions: {}\n".to_owned()),
        Just("jobs:\n".to_owned()),
        Just("  a:\n".to_owned()),
        Just("    runs-on: ubuntu-24.04\n".to_owned()),
        Just("    runs-on: windows-2022\n".to_owned()),
        Just("    steps:\n".to_owned()),
        Just("      - uses: actions/checkout@v4\n".to_owned()),
        Just("      - run: echo ${{ github.event.issue.title }}\n".to_owned()),
        Just("      - run: |\n          echo \"${{ github.event.issue.body }}\" '${{ github.head_ref }}'\n".to_owned()),
        Just("        with:\n          fetch-depth: 0\n".to_owned()),
        Just("        env:\n          A: b\n".to_owned()),
        Just("        with: {a: b}\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("  # comment\n".to_owned()),
        "[ -~]{0,20}\n",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fixing_arbitrary_workflows_never_panics_nor_breaks_them(text in workflow_text()) {
        let opts = Options::defaults(Persona::Regular);
        check_never_breaks("p.yml", &text, &opts);
    }
}

#[test]
fn a_composite_action_step_is_fixed_with_its_own_shell() {
    use ci_intel_policy::audit::model::DocKind;
    let opts = Options::defaults(Persona::Regular);
    let head = "name: a\ndescription: d\ninputs:\n  who:\n    description: w\nruns:\n  using: composite\n  steps:\n";
    let text = format!("{head}    - run: echo \"hi ${{{{ inputs.who }}}}\"\n      shell: bash\n");
    let fixed = fix_text("action.yml", &text, Some(DocKind::Action), &opts);
    assert_eq!(
        fixed.fixed,
        format!(
            "{head}    - run: echo \"hi $INPUTS_WHO\"\n      env:\n        INPUTS_WHO: ${{{{ inputs.who }}}}\n      shell: bash\n"
        ),
        "{:?}",
        fixed.refused
    );
    // Without `shell:` (which a composite step must name) it is left.
    let text = format!("{head}    - run: echo \"hi ${{{{ inputs.who }}}}\"\n");
    let fixed = fix_text("action.yml", &text, Some(DocKind::Action), &opts);
    assert!(!fixed.changed());
    assert!(
        fixed.refused.iter().any(|n| n.message.contains("no shell")),
        "{:?}",
        fixed.refused
    );
}

//! Ignore comments where zizmor honours them: on the finding's line, and on
//! the line of the block the finding is about (the `on:` line, a `with:`
//! line, a step's first line). A comment elsewhere, or for another rule,
//! silences nothing.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use ci_intel_policy::audit::{Options, audit_file};
use ci_intel_policy::config::Persona;

const WORKFLOW: &str = r#"on:{ON}
  issues:
  pull_request_target:
permissions: {}
jobs:
  triage:
    runs-on: ubuntu-24.04
    steps:
      - name: greet{GREET}
        run: |
          echo "${{ github.event.issue.title }}"
      - name: script{SCRIPT}
        uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1
        with:{WITH}
          script: |
            console.log("${{ github.event.issue.body }}")
"#;

fn opts() -> Options {
    let mut opts = Options::defaults(Persona::Regular);
    opts.today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    opts
}

/// (rule, line) of the findings that stand, and the number suppressed.
fn audit(on: &str, greet: &str, script: &str, with: &str) -> (Vec<(String, u32)>, usize) {
    let text = WORKFLOW
        .replace("{ON}", on)
        .replace("{GREET}", greet)
        .replace("{SCRIPT}", script)
        .replace("{WITH}", with);
    let outcome = audit_file(".github/workflows/w.yml", &text, None, &opts());
    let standing = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.location.as_ref().and_then(|l| l.line).unwrap(),
            )
        })
        .collect();
    (standing, outcome.suppressed.len())
}

#[test]
fn without_comments_three_findings_stand() {
    let (standing, suppressed) = audit("", "", "", "");
    assert_eq!(
        standing,
        [
            ("dangerous-triggers".to_owned(), 1),
            ("template-injection".to_owned(), 11),
            ("template-injection".to_owned(), 16),
        ]
    );
    assert_eq!(suppressed, 0);
}

#[test]
fn a_comment_on_the_blocks_line_silences_the_finding_about_that_block() {
    // The `on:` line (where dangerous-triggers points, as zizmor does).
    let (standing, _) = audit(" # zizmor: ignore[dangerous-triggers]", "", "", "");
    assert!(
        !standing.iter().any(|(r, _)| r == "dangerous-triggers"),
        "{standing:?}"
    );
    // A step's first line, for a finding inside its `run:`.
    let (standing, _) = audit("", " # ci-intel: ignore[template-injection]", "", "");
    assert_eq!(
        standing,
        [
            ("dangerous-triggers".to_owned(), 1),
            ("template-injection".to_owned(), 16)
        ]
    );
    // The `with:` line, for a finding inside an input.
    let (standing, _) = audit("", "", "", " # zizmor: ignore[template-injection]");
    assert_eq!(
        standing,
        [
            ("dangerous-triggers".to_owned(), 1),
            ("template-injection".to_owned(), 11)
        ]
    );
}

#[test]
fn a_comment_on_another_block_or_for_another_rule_silences_nothing() {
    // The first step's line does not cover the second step.
    let (standing, suppressed) = audit("", " # ci-intel: ignore[template-injection]", "", "");
    assert!(standing.contains(&("template-injection".to_owned(), 16)));
    assert_eq!(suppressed, 1);
    // The `on:` line names another rule.
    let (standing, suppressed) = audit(" # zizmor: ignore[template-injection]", "", "", "");
    assert_eq!(standing.len(), 3, "{standing:?}");
    assert_eq!(suppressed, 0);
    // A step's line carries the comment for a rule whose finding is not in it.
    let (standing, suppressed) = audit("", "", " # zizmor: ignore[dangerous-triggers]", "");
    assert_eq!(standing.len(), 3, "{standing:?}");
    assert_eq!(suppressed, 0);
}

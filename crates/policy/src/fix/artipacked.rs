//! Fix for `artipacked`: `persist-credentials: false` in the `with:` of an
//! `actions/checkout` step that does not set it (a `with:` is added when
//! there is none).
//!
//! Only where it cannot change what the job does: not when a later step of
//! the same job may use the persisted credentials (a `run:` that calls
//! `git push`/`fetch`/`pull`/`clone`/`submodule`/`remote`/`ls-remote`, `gh`,
//! or mentions `push` or `release`; an action whose repository or path (not
//! its owner) has a word saying it commits,
//! pushes, tags, releases, deploys, publishes or opens pull requests; a
//! local or Docker action, whose code is not known), not in a composite
//! action (its caller's later steps are not in the file), and not where the
//! author wrote `persist-credentials` (`true`, or an expression: a choice).

use super::{Change, FixCtx, Outcome, Proposal, Seg, Skip, map, plain};
use crate::audit::model::{Step, UsesTarget};
use crate::audit::shell;
use crate::fix::text::Edit;

const RULE: &str = "artipacked";

/// Git subcommands that talk to the remote (and so may use the token
/// `actions/checkout` left in `.git/config`).
const REMOTE_GIT: &[&str] = &[
    "push",
    "fetch",
    "pull",
    "clone",
    "submodule",
    "remote",
    "ls-remote",
    "subtree",
];

/// Words (between `-`, `_`, `/` and `.`) of an action's repository and
/// path, its owner left out, that say it may push with the checkout's
/// credentials.
const PUSHING_ACTIONS: &[&str] = &[
    "push",
    "commit",
    "pull",
    "request",
    "release",
    "tag",
    "git",
    "changeset",
    "version",
    "deploy",
    "publish",
    "pages",
    "merge",
    "rebase",
    "backport",
    "cherry",
    "autofix",
    "bump",
    "semantic",
    "changesets",
    "gh",
];

/// Why a later step may use the persisted credentials, if one may.
fn later_use(cx: &FixCtx<'_>, step: &Step<'_>) -> Option<String> {
    let steps = cx.ctx.steps();
    for other in steps
        .iter()
        .filter(|o| o.job == step.job && o.index > step.index)
    {
        let what = other.describe();
        if let Some(run) = other.node.get("run") {
            let Some(script) = run.as_str() else {
                return Some(format!("{what} runs a script this file does not show"));
            };
            let lower = script.to_ascii_lowercase();
            if let Some(word) = ["push", "release"].iter().find(|w| lower.contains(*w)) {
                return Some(format!("{what} mentions `{word}`"));
            }
            for cmd in shell::commands(cx.ctx, run) {
                if cmd.program() == "gh" {
                    return Some(format!("{what} runs `gh`"));
                }
                if cmd.program() == "git"
                    && let Some(sub) = cmd.args().iter().find(|a| REMOTE_GIT.contains(&a.as_str()))
                {
                    return Some(format!("{what} runs `git {sub}`"));
                }
            }
        }
        if let Some(uses) = other.uses() {
            match &uses.target {
                UsesTarget::Remote { .. } => {
                    let name = uses.action_name().unwrap_or_default().to_ascii_lowercase();
                    let words: Vec<&str> = name
                        .split_once('/')
                        .map_or(name.as_str(), |(_, rest)| rest)
                        .split(['-', '_', '/', '.'])
                        .collect();
                    if name != "actions/checkout"
                        && let Some(word) = PUSHING_ACTIONS.iter().find(|w| words.contains(*w))
                    {
                        return Some(format!("{what} uses `{name}` (`{word}`)"));
                    }
                }
                _ => {
                    return Some(format!(
                        "{what} uses `{}`, whose code is not known here",
                        uses.raw
                    ));
                }
            }
        }
    }
    None
}

pub fn propose(cx: &FixCtx<'_>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for step in cx.ctx.steps() {
        let Some(uses) = step.uses() else { continue };
        if !uses.is_action("actions/checkout") {
            continue;
        }
        let Some(finding) = cx.flagged(RULE, &step.describe()) else {
            continue;
        };
        let line = step.node.pos.line;
        let skip = |why: String| {
            Outcome::Skip(Skip {
                rule: RULE,
                line,
                fingerprint: finding.fingerprint.clone(),
                why,
            })
        };
        let with = step.node.get("with");
        if with.is_some_and(|w| w.get("persist-credentials").is_some() || !w.is_map()) {
            out.push(skip(
                "`persist-credentials` (or the whole `with:`) is written out: the author's choice, left for a human".into(),
            ));
            continue;
        }
        if step.job.is_none() {
            out.push(skip(
                "a checkout in an action: the steps after it are its caller's, which may push"
                    .into(),
            ));
            continue;
        }
        if let Some(why) = later_use(cx, &step) {
            out.push(skip(format!(
                "the job may use the persisted credentials later ({why}); pass the token to that step instead, then set `persist-credentials: false`"
            )));
            continue;
        }
        let at = cx.step_path(&step);
        let eol = cx.text.eol;
        let proposal = match with {
            None => {
                let Some((key, value)) = step.node.entry("uses") else {
                    continue;
                };
                let (Some(pad), true, Some(end)) = (
                    cx.text.block_key_indent(key),
                    cx.text.ends_its_line(value),
                    cx.text.line_end(value.pos.end_line),
                ) else {
                    out.push(skip("the step is not written as a block mapping".into()));
                    continue;
                };
                let pad = " ".repeat(pad);
                let unit = " ".repeat(cx.unit);
                Proposal {
                    rule: RULE,
                    line,
                    what: format!(
                        "{}: added `with: persist-credentials: false`",
                        step.describe()
                    ),
                    fixes: vec![finding.fingerprint.clone()],
                    edits: vec![Edit::insert(
                        end,
                        format!("{eol}{pad}with:{eol}{pad}{unit}persist-credentials: false"),
                    )],
                    changes: vec![Change::Insert {
                        at,
                        key: "with".into(),
                        value: map(&[("persist-credentials", "false")]),
                    }],
                }
            }
            Some(with) => {
                let Some((first, _)) = with.entries().first() else {
                    out.push(skip("`with:` is empty".into()));
                    continue;
                };
                let flow = cx
                    .text
                    .start_of(with.pos)
                    .and_then(|i| cx.text.text.get(i..))
                    .is_some_and(|t| t.starts_with('{'));
                let Some(start) = cx.text.start_of(first.pos) else {
                    continue;
                };
                let insert = if flow {
                    "persist-credentials: false, ".to_owned()
                } else {
                    match cx.text.block_key_indent(first) {
                        Some(pad) => format!("persist-credentials: false{eol}{}", " ".repeat(pad)),
                        None => {
                            out.push(skip(
                                "`with:` is not laid out as a mapping a line per key".into(),
                            ));
                            continue;
                        }
                    }
                };
                let mut at = at;
                at.push(Seg::Key("with".into()));
                Proposal {
                    rule: RULE,
                    line,
                    what: format!("{}: added `persist-credentials: false`", step.describe()),
                    fixes: vec![finding.fingerprint.clone()],
                    edits: vec![Edit::insert(start, insert)],
                    changes: vec![Change::Insert {
                        at,
                        key: "persist-credentials".into(),
                        value: plain("false"),
                    }],
                }
            }
        };
        out.push(Outcome::Fix(proposal));
    }
    out
}

//! Fix for `excessive-permissions` where a job gets the repository's
//! default token (no `permissions:` on the job nor on the workflow): the
//! job gets
//! ```yaml
//!     permissions:
//!       contents: read
//! ```
//! but only when that is certainly all it needs: every step is a `run:` or
//! one of a few actions known to need no more than reading the repository
//! (checkout, setup-*, cache, artifacts of the same run, well-known
//! toolchain installers); nothing in the job or the workflow's `env:`
//! mentions the job's token (`github.token`, `GITHUB_TOKEN`, `GH_TOKEN`),
//! `push`, the GitHub API, the OIDC request or its users (`provenance`,
//! `publish`, `attest`, `cosign`, `sigstore`, `oidc`); no script runs `gh`;
//! and the job deploys to no `environment:`. A job calling a reusable
//! workflow, or with any other step, is left as reported: what its token
//! must allow cannot be told from the file. Blanket grants (`write-all`,
//! `read-all`) and workflow-level write scopes are left too:
//! narrowing them needs to know what each job needs.

use super::{Change, FixCtx, Outcome, Proposal, Seg, Skip, map};
use crate::audit::yaml::Node;
use crate::fix::text::Edit;

const RULE: &str = "excessive-permissions";

/// Actions that read the repository at most (with their default inputs).
const READ_ONLY_ACTIONS: &[&str] = &[
    "actions/checkout",
    "actions/setup-node",
    "actions/setup-python",
    "actions/setup-go",
    "actions/setup-java",
    "actions/setup-dotnet",
    "actions/cache",
    "actions/cache/restore",
    "actions/cache/save",
    "actions/upload-artifact",
    "actions/download-artifact",
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "ruby/setup-ruby",
    "shivammathur/setup-php",
    "astral-sh/setup-uv",
    "pnpm/action-setup",
    "gradle/actions/setup-gradle",
    "actions-rs/toolchain",
];

/// Words in a job (or the workflow's `env:`) that mean its token may be
/// used for more than reading: the token itself under its usual names, the
/// API, the OIDC request and its users (provenance, keyless signing,
/// publishing), and `push` (a `git push` uses the token the checkout left). Other tokens (`secrets.CODECOV_TOKEN`) are not the job's
/// token and do not count.
const TOKEN_WORDS: &[&str] = &[
    "github.token",
    "github_token",
    "gh_token",
    "actions_id_token",
    "api.github.com",
    "push",
    // OIDC users: provenance and keyless signing need `id-token: write`.
    "provenance",
    "publish",
    "attest",
    "cosign",
    "sigstore",
    "oidc",
];

/// Why the job may need more than `contents: read`, if it may.
fn needs_more(job: &Node, workflow_env: Option<&Node>) -> Option<String> {
    for scalar in job
        .scalars()
        .into_iter()
        .chain(workflow_env.map(Node::scalars).unwrap_or_default())
    {
        let lower = scalar.as_str().unwrap_or("").to_ascii_lowercase();
        if let Some(word) = TOKEN_WORDS.iter().find(|w| lower.contains(*w)) {
            return Some(format!("the job mentions `{word}`"));
        }
    }
    if job.get("uses").is_some() {
        return Some("the job calls a reusable workflow".into());
    }
    if job.get("environment").is_some() {
        return Some("the job deploys to an environment".into());
    }
    let Some(steps) = job.get("steps").filter(|s| s.is_seq()) else {
        return Some("the job has no steps to read".into());
    };
    for (i, step) in steps.items().iter().enumerate() {
        if let Some(run) = step.get("run") {
            let script = run.as_str().unwrap_or("");
            let gh = script
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .any(|w| w == "gh");
            if gh || script.contains("ACTIONS_ID_TOKEN") {
                return Some(format!(
                    "step {} calls the GitHub CLI or the OIDC endpoint",
                    i + 1
                ));
            }
            continue;
        }
        let Some(uses) = step.get("uses").and_then(Node::as_str) else {
            return Some(format!("step {} is neither `run:` nor `uses:`", i + 1));
        };
        let name = uses
            .split_once('@')
            .map_or(uses, |(n, _)| n)
            .to_ascii_lowercase();
        if !READ_ONLY_ACTIONS.contains(&name.as_str()) {
            return Some(format!(
                "step {} uses `{name}`, whose needs are not known here",
                i + 1
            ));
        }
        let with = step.get("with");
        if name == "actions/download-artifact"
            && with.is_some_and(|w| w.get("run-id").is_some() || w.get("repository").is_some())
        {
            return Some(format!("step {} downloads artifacts of another run", i + 1));
        }
    }
    None
}

pub fn propose(cx: &FixCtx<'_>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (name, key, job) in cx.ctx.jobs() {
        let Some(finding) = cx.flagged(RULE, &format!("default:{name}")) else {
            continue;
        };
        let line = key.pos.line;
        let skip = |why: String| {
            Outcome::Skip(Skip {
                rule: RULE,
                line,
                fingerprint: finding.fingerprint.clone(),
                why: format!("job `{name}`: {why}; give it the `permissions:` it needs by hand"),
            })
        };
        if let Some(why) = needs_more(job, cx.ctx.doc.get("env")) {
            out.push(skip(why));
            continue;
        }
        // Above the job's first key, which starts its own line.
        let Some((first, _)) = job.entries().first() else {
            continue;
        };
        let own_line = cx
            .text
            .before(first.pos)
            .is_some_and(|b| b.chars().all(|c| c == ' '));
        let (Some(pad), true, Some(start)) = (
            cx.text.block_key_indent(first),
            own_line,
            cx.text.line_start(first.pos.line),
        ) else {
            out.push(skip("the job is not written as a block mapping".into()));
            continue;
        };
        let pad = " ".repeat(pad);
        let unit = " ".repeat(cx.unit);
        let eol = cx.text.eol;
        out.push(Outcome::Fix(Proposal {
            rule: RULE,
            line,
            what: format!(
                "job `{name}`: added `permissions: {{contents: read}}` (its steps only read the repository)"
            ),
            fixes: vec![finding.fingerprint.clone()],
            edits: vec![Edit::insert(
                start,
                format!("{pad}permissions:{eol}{pad}{unit}contents: read{eol}"),
            )],
            changes: vec![Change::Insert {
                at: vec![Seg::Key("jobs".into()), Seg::Key(name.into())],
                key: "permissions".into(),
                value: map(&[("contents", "read")]),
            }],
        }));
    }
    out
}

//! ## What it does
//! Reports GitHub Actions features that are best avoided (zizmor's
//! `misfeature` audit, low severity):
//! - `pip-install:` on `actions/setup-python`, which installs packages into
//!   the global interpreter;
//! - `shell: cmd` (on a step, or in `defaults.run` of a job or the
//!   workflow: one finding per `run:` step that inherits it);
//! - with the auditor persona, a shell GitHub does not document (anything
//!   but `bash`, `sh`, `pwsh`, `powershell`, `python` and `cmd`, with or
//!   without a path and arguments).
//!
//! ## Why is this bad?
//! Packages installed into the global environment are hard to audit and
//! break other tools' resolution. `cmd` has no grammar anyone can analyse
//! (so no rule can tell what a script does with its inputs) and has not
//! been the Windows default since 2019. An undocumented shell may be
//! missing on a runner, and its scripts cannot be checked at all.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/setup-python@83679a892e2d95755f2dac6acb0bfd1e9ac5d548 # v6.1.0
//!         with:
//!           pip-install: -r requirements.txt
//!       - run: echo hi
//!         shell: cmd
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: actions/setup-python@83679a892e2d95755f2dac6acb0bfd1e9ac5d548 # v6.1.0
//!       - run: |
//!           python -m venv .venv
//!           .venv/bin/pip install -r requirements.txt
//!       - run: echo hi
//!         shell: pwsh
//! ```
//! It does not flag a shell given by an expression (`${{ inputs.shell }}`),
//! which it cannot read.
//!
//! ## Ignore
//! `# ci-intel: ignore[misfeature]` on the `pip-install:` or `shell:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "misfeature",
    title: "pip-install on setup-python, the cmd shell, or an undocumented shell",
    default_severity: Severity::Low,
    persona: Persona::Regular,
    check,
};

const WELL_KNOWN: &[&str] = &["bash", "sh", "pwsh", "powershell", "python", "cmd"];

/// The shell's program name: `C:\x\cmd.exe /c {0}` is `cmd`.
fn program(shell: &str) -> String {
    let first = shell.split_whitespace().next().unwrap_or("");
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
    base.to_ascii_lowercase()
        .trim_end_matches(".exe")
        .to_owned()
}

/// `defaults.run.shell` of a workflow or job: (key, value).
fn default_shell(node: &Node) -> Option<(&Node, &Node)> {
    node.get("defaults")?.get("run")?.entry("shell")
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    // (owner, key, value, how many `run:` steps use it): a default shell
    // counts once per step that inherits it, as zizmor counts it.
    let mut shells: Vec<(String, &Node, &Node, usize)> = Vec::new();
    let steps = ctx.steps();
    // `run:` steps without their own shell, of one job (its default) or of
    // the jobs without a default (the workflow's).
    let inherits = |job: Option<&str>| {
        steps
            .iter()
            .filter(|s| s.node.get("run").is_some() && s.node.get("shell").is_none())
            .filter(|s| match job {
                Some(j) => s.job == Some(j),
                None => s.job_node.and_then(default_shell).is_none(),
            })
            .count()
    };
    if ctx.is_workflow() {
        if let Some((k, v)) = default_shell(ctx.doc) {
            shells.push(("the workflow's default".to_owned(), k, v, inherits(None)));
        }
        for (name, _, job) in ctx.jobs() {
            if let Some((k, v)) = default_shell(job) {
                shells.push((
                    format!("job `{name}`'s default"),
                    k,
                    v,
                    inherits(Some(name)),
                ));
            }
        }
    }
    for step in ctx.steps() {
        if let Some((k, v)) = step.node.entry("shell") {
            shells.push((format!("{}'s", step.describe()), k, v, 1));
        }
        if let Some(uses) = step.uses()
            && uses.is_action("actions/setup-python")
            && let Some((k, _)) = step.node.get("with").and_then(|w| w.entry("pip-install"))
        {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Low,
                    k.pos,
                    format!("{}:pip-install", step.describe()),
                    format!(
                        "{} uses `pip-install:`, which installs into the global interpreter",
                        step.describe()
                    ),
                )
                .fix("create a virtual environment in a `run:` step and install into it"),
            );
        }
    }
    let auditor = ctx.opts.persona >= Persona::Auditor;
    for (owner, key, value, uses) in shells {
        let Some(shell) = value.as_str() else {
            continue;
        };
        if shell.contains("${{") {
            continue;
        }
        let name = program(shell);
        let message = if name == "cmd" {
            format!("{owner} shell is `cmd`, which no tool can analyse")
        } else if auditor && !WELL_KNOWN.contains(&name.as_str()) {
            format!("{owner} shell `{name}` is not one GitHub documents")
        } else {
            continue;
        };
        for n in 0..uses {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Low,
                    key.pos,
                    format!("{owner}:shell:{name}:{n}"),
                    message.clone(),
                )
                .fix("use `bash` or `pwsh`"),
            );
        }
    }
}

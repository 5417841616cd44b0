//! ## What it does
//! Reports `run:` scripts that write computed text into `$GITHUB_ENV` or
//! `$GITHUB_PATH` (bash, PowerShell `$env:GITHUB_ENV`, cmd `%GITHUB_ENV%`)
//! in workflows that `pull_request_target` or `workflow_run` triggers, and
//! in composite actions (whoever calls them may be such a workflow)
//! (zizmor's `github-env` audit, high severity).
//!
//! ## Why is this bad?
//! Every later step of the job reads those files. If an attacker can choose
//! what is written (a pull request's title, a branch name, an artifact's
//! content), they can set `LD_PRELOAD`, `NODE_OPTIONS` or `BASH_ENV`, or put
//! their own directory first on `PATH`, and run code with the privileged
//! token those triggers carry.
//!
//! ## Example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   label:
//!     steps:
//!       - env:
//!           TITLE: ${{ github.event.pull_request.title }}
//!         run: echo "TITLE=$TITLE" >> "$GITHUB_ENV"
//! ```
//!
//! ## Fix
//! Pass the value to the steps that need it through `env:` (or a step
//! output, `$GITHUB_OUTPUT`), never through `$GITHUB_ENV`/`$GITHUB_PATH`
//! in a privileged workflow. It does not flag writes of fixed text
//! (`echo FOO=bar >> "$GITHUB_ENV"`), nor writes in workflows that other
//! triggers start (their runs hold no privilege an author of the input
//! lacks).
//!
//! ## Ignore
//! `# ci-intel: ignore[github-env]` on the `run:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "github-env",
    title: "Computed write to GITHUB_ENV or GITHUB_PATH in a privileged context",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

const TARGETS: &[&str] = &["GITHUB_ENV", "GITHUB_PATH"];

/// The file a script line writes dynamic text to, if it does.
fn dynamic_write(line: &str) -> Option<&'static str> {
    let target = TARGETS.iter().find(|t| line.contains(*t))?;
    let writes = line.contains('>')
        || ["tee", "Out-File", "Add-Content", "Set-Content"]
            .iter()
            .any(|w| line.contains(w));
    if !writes {
        return None;
    }
    let mut payload = line.to_owned();
    for t in TARGETS {
        for form in [
            format!("${{{t}}}"),
            format!("${{env:{t}}}"),
            format!("$env:{t}"),
            format!("${t}"),
            format!("%{t}%"),
        ] {
            payload = payload.replace(&form, "");
        }
    }
    let trimmed = payload.trim_start();
    let dynamic = payload.contains('$')
        || payload.contains('`')
        || payload.matches('%').count() >= 2
        || payload.contains("<<")
        || trimmed.starts_with('}')
        || trimmed.starts_with(')')
        || trimmed.starts_with("done");
    dynamic.then_some(*target)
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let privileged = if ctx.is_workflow() {
        ctx.has_trigger("pull_request_target") || ctx.has_trigger("workflow_run")
    } else {
        ctx.is_composite()
    };
    if !privileged {
        return;
    }
    for step in ctx.steps() {
        let Some((key, run)) = step.node.entry("run") else {
            continue;
        };
        let Some(script) = run.as_str() else { continue };
        let confidence = if ctx.is_workflow() {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        // One finding per write, at the `run:` line.
        for (n, target) in script
            .lines()
            .enumerate()
            .filter_map(|(n, line)| dynamic_write(line).map(|t| (n, t)))
        {
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::High,
                    key.pos,
                    format!("{}:{target}:{n}", step.describe()),
                    format!(
                        "{} writes computed text to ${target} (script line {}), which every later step trusts",
                        step.describe(),
                        n + 1
                    ),
                )
                .confidence(confidence)
                .also_line(run.pos.line)
                .fix("pass the value through `env:` or $GITHUB_OUTPUT to the steps that need it"),
            );
        }
    }
}

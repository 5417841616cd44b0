//! ## What it does
//! zizmor's `unpinned-tools`. Reports steps using an action known to
//! download the latest release of its tool at run time unless told a
//! version (today `aquasecurity/setup-trivy` and
//! `1password/load-secrets-action`, listed in `crates/policy/data/actions.txt`)
//! when `with.version` is missing or `latest`. A version chosen by an
//! expression is reported with low confidence: it may be pinned elsewhere.
//!
//! Not reported: steps that can never run (`if: false`), and actions that
//! pin their tool by hash internally.
//!
//! ## Why is this bad?
//! Pinning the action by SHA does not pin what it downloads. The next run
//! fetches whatever the tool's publisher (or someone holding their
//! credentials) released last, and runs it with the job's secrets.
//!
//! ## Example
//! ```yaml
//!       - uses: aquasecurity/setup-trivy@3fb12ec12f41e471780db15c232d5dd185dcb514 # v0.2.6
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: aquasecurity/setup-trivy@3fb12ec12f41e471780db15c232d5dd185dcb514 # v0.2.6
//!         with:
//!           version: v0.65.0
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[unpinned-tools]` on the `uses:` or `version:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::data::lists;
use crate::audit::facts::{is_expression, never_runs};
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unpinned-tools",
    title: "Action downloads the latest version of its tool",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for step in ctx.steps() {
        let Some(uses) = step.uses() else { continue };
        let Some(name) = uses.repository() else {
            continue;
        };
        if !lists().contains("unpinned-tools", &name) || never_runs(&step) {
            continue;
        }
        let version = step.node.get("with").and_then(|w| w.get("version"));
        let (pos, what, confidence) = match version {
            None => (
                uses.pos,
                "sets no `version`, so it uses `latest`".to_owned(),
                Confidence::High,
            ),
            Some(v)
                if v.as_str()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case("latest")) =>
            {
                (
                    v.pos,
                    "asks for `version: latest`".to_owned(),
                    Confidence::High,
                )
            }
            Some(v) if is_expression(v) => (
                v.pos,
                format!(
                    "takes its version from `{}`, which may be `latest`",
                    v.as_str().unwrap_or("")
                ),
                Confidence::Low,
            ),
            Some(_) => continue,
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::Medium,
                pos,
                format!("{}:{name}", step.describe()),
                format!(
                    "{} (`{name}`) {what}: the tool it downloads is not pinned",
                    step.describe()
                ),
            )
            .confidence(confidence)
            .also_line(uses.pos.line)
            .fix("set `with: {version: <exact version>}`"),
        );
    }
}

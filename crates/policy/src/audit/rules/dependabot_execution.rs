//! ## What it does
//! zizmor's `dependabot-execution`. Reports `updates:` entries of a
//! dependabot.yml with `insecure-external-code-execution: allow`.
//!
//! Not reported: `deny`, or the key left out (the default is `deny`).
//!
//! ## Why is this bad?
//! With it, Dependabot runs code from the dependency manifests it updates
//! (a `setup.py`, a gemspec) while it holds the credentials of your private
//! registries. One compromised dependency can take them.
//!
//! ## Example
//! ```yaml
//! updates:
//!   - package-ecosystem: pip
//!     directory: /
//!     insecure-external-code-execution: allow
//! ```
//!
//! ## Fix
//! Remove the key (or write `deny`), and update the ecosystems that need
//! code execution by hand or in a sandbox without credentials.
//!
//! ## Ignore
//! `# ci-intel: ignore[dependabot-execution]` on the key's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "dependabot-execution",
    title: "Dependabot allowed to execute code from manifests",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    if ctx.kind != DocKind::Dependabot {
        return;
    }
    let Some(updates) = ctx.doc.get("updates") else {
        return;
    };
    for (i, update) in updates.items().iter().enumerate() {
        let Some(value) = update.get("insecure-external-code-execution") else {
            continue;
        };
        if !value
            .as_str()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("allow"))
        {
            continue;
        }
        let ecosystem = update
            .get("package-ecosystem")
            .and_then(|e| e.as_str())
            .unwrap_or("?");
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                value.pos,
                format!("updates[{i}] ({ecosystem})"),
                format!(
                    "updates[{i}] ({ecosystem}) lets Dependabot execute code from the manifests it updates, with your registry credentials"
                ),
            )
            .fix("remove `insecure-external-code-execution` (the default is `deny`)"),
        );
    }
}

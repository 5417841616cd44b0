//! ## What it does
//! Reports `if:` conditions that are always true because a `${{ ... }}`
//! is not the whole value: text around the fence, including the newline a
//! `|` or `>` block scalar keeps at its end (zizmor's `unsound-condition`
//! audit, high severity).
//!
//! ## Why is this bad?
//! GitHub evaluates such a condition as a string: the expression is
//! expanded into the text and any non-empty string is true. `if: |` with
//! `${{ false }}` on the next line is `"false\n"`, which is true, so the
//! step or job runs whatever the expression says, often a guard that was
//! meant to keep it away from untrusted events.
//!
//! ## Example
//! ```yaml
//!       - run: ./deploy.sh
//!         if: |
//!           ${{ github.ref == 'refs/heads/main' }}
//! ```
//!
//! ## Fix
//! ```yaml
//!       - run: ./deploy.sh
//!         if: github.ref == 'refs/heads/main'
//! ```
//! or keep the fence and strip the newline with `|-` or `>-`. It does not
//! flag bare conditions written over several lines (`if: |` then
//! `a && b`: the newline is inside the expression, where it is harmless),
//! nor a value that is exactly one `${{ ... }}`.
//!
//! ## Ignore
//! `# ci-intel: ignore[unsound-condition]` on the `if:` line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::expr;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::{Kind, Node};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unsound-condition",
    title: "if: condition that is always true",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let mut stack: Vec<&Node> = vec![ctx.doc];
    while let Some(node) = stack.pop() {
        match &node.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => stack.extend(items.iter().rev()),
            Kind::Map(entries) => {
                for (key, value) in entries.iter().rev() {
                    if key.as_str() == Some("if")
                        && let Some(text) = value.as_str()
                        && let found = expr::expressions(text)
                        && !found.is_empty()
                        && !(found.len() == 1 && found[0].raw == text)
                    {
                        let why = if text.trim_end() == found[0].raw && found.len() == 1 {
                            "the block scalar's trailing newline is outside the `${{ }}`"
                        } else {
                            "there is text outside the `${{ }}`"
                        };
                        hits.push(
                            Hit::new(
                                RULE.id,
                                Severity::High,
                                key.pos,
                                format!("if:{text}"),
                                format!(
                                    "this condition is always true: {why}, so GitHub evaluates a non-empty string"
                                ),
                            )
                            .also_line(value.pos.line)
                            .fix("write the condition without `${{ }}`, or use `|-`/`>-` so nothing is left outside it"),
                        );
                    }
                    stack.push(value);
                }
            }
        }
    }
}

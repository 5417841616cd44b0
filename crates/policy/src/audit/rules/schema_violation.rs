//! ## What it does
//! Validates every workflow, action and dependabot.yml against GitHub's
//! schema for it: the SchemaStore JSON schemas that `check-jsonschema`
//! vendors (`crates/policy/schemas/`, copied unchanged from
//! check-jsonschema 0.39.0; Apache-2.0, `LICENSE.schemastore`). A job
//! without `runs-on` or `uses`, an unknown key, `permissions:` with a null
//! value, a value of the wrong type: each is a finding naming the file,
//! the line and the key. The file's other rules still run.
//!
//! A file's role comes from where it is: anything under
//! `.github/workflows/` is a workflow (even one named `dependabot.yml`),
//! then `action.y[a]ml` is an action and `dependabot.y[a]ml` a dependabot
//! configuration.
//!
//! Values are read as GitHub reads them (YAML 1.2: plain `true`, `10`,
//! `null` are a boolean, a number, a null). Messages name the key and the
//! expected type or values, never the value found (it may be a secret).
//! At most 20 findings are reported per file.
//!
//! Deliberately not flagged: what the schemas accept but GitHub may refuse
//! (an unknown action input, a wrong expression inside `${{ }}`, a cron
//! GitHub cannot run); those are other rules' business or nobody's. A file
//! that is not even usable YAML, or lacks `on:`/`jobs:`/`runs.using`, is a
//! `parse-error` instead (one finding, not two).
//!
//! ## Why is this bad?
//! GitHub refuses a file its schema rejects, or silently ignores the
//! unknown key (a misspelt `permisions:` grants the default token
//! permissions): the pipeline does not run, or runs with less protection
//! than its author meant. A policy tool that passes it reports a pass for
//! a pipeline that does not exist.
//!
//! ## Example
//! ```yaml
//! on: push
//! permisions: {}        # unknown top-level key
//! jobs:
//!   build:
//!     steps:            # no runs-on
//!       - run: make
//! ```
//!
//! ## Fix
//! Correct the key or value at the reported line; `check-jsonschema
//! --builtin-schema vendor.github-workflows FILE` gives the same verdict.
//!
//! ## Ignore
//! `# ci-intel: ignore[schema-violation]` on the reported line, for a key
//! GitHub accepts that the vendored schema does not know yet (or disable
//! the rule with `policy.rules.schema-violation.enabled: false`).

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit};
use crate::audit::schema;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "schema-violation",
    title: "Workflow, action or dependabot.yml rejected by GitHub's schema",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let (what, builtin) = match ctx.kind {
        DocKind::Workflow => ("workflow", "vendor.github-workflows"),
        DocKind::Action => ("action", "vendor.github-actions"),
        DocKind::Dependabot => ("dependabot.yml", "vendor.dependabot"),
        // No schema is vendored for pre-commit configurations.
        DocKind::PreCommit => return,
    };
    for v in schema::violations(ctx.doc, ctx.kind) {
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                v.pos,
                format!("{}:{}", ctx.kind.as_str(), v.pointer),
                format!("not a valid {what}: {}", v.message),
            )
            .fix(format!("correct the key or value at this line (`check-jsonschema --builtin-schema {builtin} --verbose` lists every alternative the schema allows)")),
        );
    }
}

//! Small facts about steps and jobs that several rules ask.

use super::model::{Ctx, Step};
use super::yaml::Node;

/// A step whose `if:` is statically false (`false`, `${{ false }}`) never
/// runs; rules that judge what a step does skip it.
pub fn never_runs(step: &Step<'_>) -> bool {
    let Some(cond) = step.node.get("if") else {
        return false;
    };
    if cond.as_bool() == Some(false) {
        return true;
    }
    let text = cond.as_str().unwrap_or("").trim();
    let inner = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text)
        .trim();
    inner == "false"
}

/// Is a `with:` input set to true (`true`, `"true"`, any case)?
pub fn truthy(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(true)
            || n.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
    })
}

/// Is a `with:` input set to false (`false`, `"false"`, any case)?
pub fn falsy(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(false)
            || n.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
    })
}

/// Is the value an expression (`${{ ... }}`)?
pub fn is_expression(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.contains("${{"))
}

/// Does the step's job get `id-token: write` (its own `permissions:`, or the
/// workflow's when the job has none)? Composite actions: unknown, false.
pub fn job_has_id_token(ctx: &Ctx<'_>, step: &Step<'_>) -> bool {
    let Some(job) = step.job_node else {
        return false;
    };
    let permissions = job
        .get("permissions")
        .or_else(|| ctx.doc.get("permissions"));
    match permissions {
        Some(p) if p.is_map() => p
            .get("id-token")
            .and_then(Node::as_str)
            .is_some_and(|v| v == "write"),
        Some(p) => p.as_str() == Some("write-all"),
        None => false,
    }
}

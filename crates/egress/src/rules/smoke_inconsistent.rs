//! ## What it does
//! Reports smoke targets that contradict the allowlist: an
//! `egress.smoke.expect_allowed` target the allowlist does not permit, an
//! `expect_denied` target it permits (by name, or an address inside
//! `allow_cidrs`). With no targets configured it checks the built-in ones
//! (`api.github.com:443` must work; `example.com:443`, `1.1.1.1:443` and
//! `169.254.169.254:80` must not) against the allowlist and reports a
//! contradiction at medium severity.
//!
//! ## Why is this bad?
//! `ci-intel-egress smoke` would deny every job: the proof the
//! requirements ask for could never pass with this configuration. Note
//! that only the configuration is compared: an allowed name that resolves
//! to a denied target's address is found by `smoke` itself.
//!
//! ## Example
//! ```yaml
//! egress:
//!   builtin: [checkout, logs]
//!   allow: ["example.com"]
//! ```
//!
//! ## Fix
//! Configure targets that fit the allowlist:
//! ```yaml
//! egress:
//!   smoke:
//!     expect_allowed: ["github.com:443"]
//!     expect_denied: ["example.org:443", "1.1.1.1:443"]
//! ```

use ci_intel_core::{Finding, Severity};

use super::{Ctx, Rule};
use crate::allowlist::{Allowlist, NamePattern, parse_cidr};
use crate::targets::{builtin_targets, contradictions, parse_target};

pub const RULE: Rule = Rule {
    id: "smoke-inconsistent",
    title: "a smoke target contradicts the allowlist",
    default_severity: Severity::High,
    check,
};

fn check(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    let config = ctx.config;
    let mut list = Allowlist::default();
    for group in &config.builtin {
        for pattern in group.group().patterns() {
            list.push_name(pattern);
        }
    }
    for pattern in config
        .allow
        .iter()
        .filter_map(|e| NamePattern::parse(e).ok())
    {
        list.push_name(pattern);
    }
    for net in config.allow_cidrs.iter().filter_map(|e| parse_cidr(e).ok()) {
        list.push_cidr(net);
    }
    let configured =
        !config.smoke.expect_allowed.is_empty() || !config.smoke.expect_denied.is_empty();
    let (allowed, denied, severity) = if configured {
        let parse = |list: &[String]| -> Vec<_> {
            list.iter().filter_map(|t| parse_target(t).ok()).collect()
        };
        (
            parse(&config.smoke.expect_allowed),
            parse(&config.smoke.expect_denied),
            Severity::High,
        )
    } else {
        let (allowed, denied) = builtin_targets();
        (allowed, denied, Severity::Medium)
    };
    for found in contradictions(&list, &allowed, &denied) {
        let target = found.target.to_string();
        let (key, message) = if found.expected_allowed {
            (
                "smoke.expect_allowed",
                format!(
                    "smoke target {target} must be reachable, but the allowlist does not permit it"
                ),
            )
        } else {
            (
                "smoke.expect_denied",
                format!("smoke target {target} must be unreachable, but the allowlist permits it"),
            )
        };
        let message = if configured {
            message
        } else {
            format!(
                "the built-in {message}; configure egress.smoke targets that fit this allowlist"
            )
        };
        let value = if configured { target.as_str() } else { "" };
        let mut finding = ctx.finding(
            &RULE,
            severity,
            key,
            value,
            message,
            "change the target or the allowlist so `smoke` can pass",
        );
        if !configured {
            finding.location = Some(ci_intel_core::Location::file(ctx.file));
        }
        findings.push(finding);
    }
}

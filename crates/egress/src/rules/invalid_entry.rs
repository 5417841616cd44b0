//! ## What it does
//! Reports entries of the `egress:` section that `ci-intel-egress apply`
//! and `smoke` would refuse: a name in `allow` that is not a host name or
//! a `*.` wildcard, an entry of `allow_cidrs` that is not an address or a
//! CIDR range (or has host bits set, like `10.0.0.1/8`), a smoke target
//! that is not `HOST:PORT`, an interface pattern that is not an interface
//! name.
//!
//! ## Why is this bad?
//! The job's first step would fail with a configuration error, after the
//! pull request was merged. Finding it in `ci-intel check` moves the
//! failure to the developer's machine.
//!
//! ## Example
//! ```yaml
//! egress:
//!   allow: ["files.*.org", "https://pypi.org"]
//!   allow_cidrs: ["10.0.0.1/8"]
//! ```
//!
//! ## Fix
//! ```yaml
//! egress:
//!   allow: ["*.pythonhosted.org", "pypi.org"]
//!   allow_cidrs: ["10.0.0.0/8"]
//! ```

use ci_intel_core::{Finding, Severity};

use super::{Ctx, Rule};
use crate::allowlist::{NamePattern, parse_cidr};
use crate::effective::parse_interface;
use crate::targets::parse_target;

pub const RULE: Rule = Rule {
    id: "invalid-entry",
    title: "an egress entry that apply or smoke would refuse",
    default_severity: Severity::High,
    check,
};

fn check(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    let config = ctx.config;
    let mut report = |key: &str, entry: &str, reason: String, fix: &str| {
        findings.push(ctx.finding(
            &RULE,
            Severity::High,
            key,
            entry,
            format!("egress.{key} entry {entry:?} is invalid: {reason}"),
            fix,
        ));
    };
    for entry in &config.allow {
        if let Err(e) = NamePattern::parse(entry) {
            report(
                "allow",
                entry,
                e.reason,
                "write a host name (`pypi.org`) or a wildcard (`*.pythonhosted.org`)",
            );
        }
    }
    for entry in &config.allow_cidrs {
        if let Err(e) = parse_cidr(entry) {
            report(
                "allow_cidrs",
                entry,
                e.reason,
                "write an address (`192.0.2.7`) or a range (`192.0.2.0/24`)",
            );
        }
    }
    for entry in &config.smoke.expect_allowed {
        if let Err(e) = parse_target(entry) {
            report(
                "smoke.expect_allowed",
                entry,
                e.reason,
                "write HOST:PORT (`pypi.org:443`)",
            );
        }
    }
    for entry in &config.smoke.expect_denied {
        if let Err(e) = parse_target(entry) {
            report(
                "smoke.expect_denied",
                entry,
                e.reason,
                "write HOST:PORT (`example.com:443`)",
            );
        }
    }
    for entry in &config.local_interfaces {
        if let Err(e) = parse_interface(entry) {
            report(
                "local_interfaces",
                entry,
                e.reason,
                "write an interface name, optionally ending in `*` (`br-*`)",
            );
        }
    }
}

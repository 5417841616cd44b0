//! ## What it does
//! Reports `egress.allow_cidrs` entries that contain a cloud instance
//! metadata address (`169.254.169.254`, `fd00:ec2::254`,
//! `100.100.100.200`).
//!
//! ## Why is this bad?
//! The metadata service hands out the machine's cloud credentials to
//! anyone on it who asks. On a self-hosted runner in a cloud account a
//! compromised step can take those credentials; on a GitHub-hosted runner
//! there is nothing of yours there, so no job needs it. `apply` drops it
//! unless an entry here opens it, so this entry is the only way in.
//!
//! ## Example
//! ```yaml
//! egress:
//!   allow_cidrs: ["169.254.0.0/16"]
//! ```
//!
//! ## Fix
//! Remove the entry. A job that really needs instance credentials should
//! get short-lived ones through OIDC instead.

use std::net::IpAddr;

use ci_intel_core::{Finding, Severity};

use super::{Ctx, Rule};
use crate::allowlist::{SPECIAL_RANGES, is_metadata, parse_cidr};

pub const RULE: Rule = Rule {
    id: "metadata-allowed",
    title: "allow_cidrs opens the cloud instance metadata service",
    default_severity: Severity::Medium,
    check,
};

fn check(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    let metadata: Vec<IpAddr> = SPECIAL_RANGES
        .iter()
        .filter_map(|range| range.cidr.split('/').next()?.parse().ok())
        .filter(|addr| is_metadata(*addr))
        .collect();
    for entry in &ctx.config.allow_cidrs {
        let Ok(net) = parse_cidr(entry) else { continue };
        for addr in metadata.iter().filter(|addr| net.contains(*addr)) {
            findings.push(ctx.finding(
                &RULE,
                Severity::Medium,
                "allow_cidrs",
                entry,
                format!(
                    "egress.allow_cidrs entry {entry:?} contains the cloud metadata address {addr}"
                ),
                "remove the entry; use OIDC for cloud credentials",
            ));
        }
    }
}

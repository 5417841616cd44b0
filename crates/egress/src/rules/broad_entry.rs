//! ## What it does
//! Reports allowlist entries that open far more than one service: a
//! wildcard over a top-level domain or a public suffix (`*.com`,
//! `*.co.uk`), a wildcard over a suffix where anyone can host content
//! (`*.s3.amazonaws.com`, `*.blob.core.windows.net`, `*.github.io`,
//! `*.workers.dev`...), and address ranges wider than a /16 (IPv4) or a
//! /32 (IPv6). A top-level wildcard and ranges wider than /8 (IPv4) or
//! /16 (IPv6) are high; the rest medium.
//!
//! ## Why is this bad?
//! An exfiltrating step needs one host it controls that the allowlist
//! permits. On a shared-hosting suffix it can create one in a minute; a
//! top-level wildcard or a huge range permits nearly everything.
//!
//! ## Example
//! ```yaml
//! egress:
//!   allow: ["*.amazonaws.com"]
//!   allow_cidrs: ["0.0.0.0/1"]
//! ```
//!
//! ## Fix
//! Name the hosts the job uses (`ci-intel-egress report --suggest` after
//! an audit run lists them):
//! ```yaml
//! egress:
//!   allow: ["my-bucket.s3.us-east-1.amazonaws.com"]
//! ```

use ci_intel_core::{Finding, Severity};
use ipnet::IpNet;

use super::{Ctx, Rule};
use crate::allowlist::{NamePattern, parse_cidr};

pub const RULE: Rule = Rule {
    id: "broad-entry",
    title: "an allowlist entry that opens far more than one service",
    default_severity: Severity::Medium,
    check,
};

/// Second-level public suffixes that a wildcard must not cover whole.
const PUBLIC_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.jp", "ne.jp", "or.jp",
    "com.br", "com.cn", "com.mx", "co.in", "co.kr", "co.nz", "co.za", "com.tr",
];

/// Suffixes under which anyone can get a host name of their own.
pub const SHARED_SUFFIXES: &[&str] = &[
    "amazonaws.com",
    "s3.amazonaws.com",
    "cloudfront.net",
    "blob.core.windows.net",
    "web.core.windows.net",
    "azurewebsites.net",
    "azureedge.net",
    "cloudapp.azure.com",
    "appspot.com",
    "storage.googleapis.com",
    "run.app",
    "web.app",
    "firebaseapp.com",
    "herokuapp.com",
    "github.io",
    "githubusercontent.com",
    "gitlab.io",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "workers.dev",
    "r2.dev",
    "ngrok.io",
    "ngrok-free.app",
    "trycloudflare.com",
    "fly.dev",
    "onrender.com",
    "repl.co",
    "glitch.me",
];

fn check(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    for entry in &ctx.config.allow {
        let Ok(NamePattern::Wildcard(suffix)) = NamePattern::parse(entry) else {
            continue;
        };
        let labels = suffix.split('.').count();
        let (severity, why) = if labels == 1 || PUBLIC_SUFFIXES.contains(&suffix.as_str()) {
            (
                Severity::High,
                format!("every name under the public suffix `{suffix}`"),
            )
        } else if SHARED_SUFFIXES.contains(&suffix.as_str()) {
            (
                Severity::Medium,
                format!("every host under `{suffix}`, where anyone can create one"),
            )
        } else {
            continue;
        };
        findings.push(ctx.finding(
            &RULE,
            severity,
            "allow",
            entry,
            format!("egress.allow entry {entry:?} allows {why}"),
            "name the hosts the job uses (run once with mode audit and `ci-intel-egress report --suggest`)",
        ));
    }
    for entry in &ctx.config.allow_cidrs {
        let Ok(net) = parse_cidr(entry) else { continue };
        let (high, medium) = match net {
            IpNet::V4(_) => (8, 16),
            IpNet::V6(_) => (16, 32),
        };
        let severity = if net.prefix_len() < high {
            Severity::High
        } else if net.prefix_len() < medium {
            Severity::Medium
        } else {
            continue;
        };
        findings.push(ctx.finding(
            &RULE,
            severity,
            "allow_cidrs",
            entry,
            format!(
                "egress.allow_cidrs entry {entry:?} is a /{} range: it allows {} addresses",
                net.prefix_len(),
                match net {
                    IpNet::V4(v4) => format!("2^{}", 32 - v4.prefix_len()),
                    IpNet::V6(v6) => format!("2^{}", 128 - v6.prefix_len()),
                }
            ),
            "list the addresses or the smallest ranges the job needs",
        ));
    }
}

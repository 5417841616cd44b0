//! ## What it does
//! Reports a vulnerability whose risk reaches `vuln.block_at` (7 by
//! default) and that no valid VEX statement waives. Risk is 10 when the CVE
//! is in CISA's KEV catalog, otherwise the larger of its CVSS base score and
//! 10 × its EPSS percentile; the finding shows each part. Severity is
//! critical for a KEV entry, high otherwise. This rule always denies.
//!
//! ## Why is this bad?
//! The release ships a known vulnerability that is either being exploited
//! or scored as dangerous, and nobody has signed a statement that the
//! product is not affected.
//!
//! ## Example
//! A grype report with `CVE-2021-44228` on `log4j-core@2.14.1`, which is in
//! KEV: `risk 10 = in CISA KEV (added 2021-12-10)`.
//!
//! ## Fix
//! Upgrade the package to a fixed version (the finding lists them), or,
//! when the product is not affected, publish a signed VEX statement
//! (`not_affected` with a justification, for this product and exactly this
//! package and version) and pass it with `--vex`.
//!
//! ## Ignore
//! Only a signed, unexpired VEX statement waives it (see `vex-waiver`).

use ci_intel_core::Severity;

use super::{Rule, Weight};

pub const RULE: Rule = Rule {
    id: "vuln-risk",
    title: "A risky vulnerability is not waived",
    default_severity: Severity::High,
    weight: Weight::Blocks,
};

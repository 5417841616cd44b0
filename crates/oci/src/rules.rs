//! Every finding this tool can report. The documentation of each rule (what,
//! why, example, fix) is in docs/oci.md under the rule's id.

use ci_intel_core::{RuleMeta, Severity};

const DOCS: &str = "https://github.com/ci-intel/ci-intel/blob/main/docs/oci.md#rules";

macro_rules! rules {
    ($($konst:ident = $id:literal, $severity:ident, $title:literal;)*) => {
        $(pub const $konst: &str = $id;)*
        /// Every rule, for SARIF `tool.driver.rules` and the gate.
        pub fn all() -> Vec<RuleMeta> {
            vec![$(RuleMeta {
                id: $id,
                title: $title,
                default_severity: Severity::$severity,
                help_uri: Some(DOCS),
            }),*]
        }
    };
}

rules! {
    REQUIRED_MISSING = "oci-required-missing", High,
        "A required kind of evidence (SBOM, provenance, VEX, signature) has no referrer on the digest";
    SUBJECT_MISSING = "oci-subject-missing", High,
        "The image digest to check does not exist in the registry or layout";
    REFERRER_SUBJECT_MISMATCH = "oci-referrer-subject-mismatch", High,
        "A listed referrer's own manifest names another subject (or none)";
    FALLBACK_IS_SUBJECT = "oci-fallback-is-subject", High,
        "The referrers fallback tag resolves to the subject itself instead of an index of referrers";
    FALLBACK_INVALID = "oci-fallback-invalid", High,
        "The referrers fallback tag holds something other than an index of referrers";
    REFERRER_UNREADABLE = "oci-referrer-unreadable", High,
        "A listed referrer is missing, does not match its digest, or does not parse";
    REFERRERS_API_REQUIRED = "oci-referrers-api-required", High,
        "--require-api: the registry has no OCI 1.1 referrers API";
    TYPE_MISMATCH = "oci-referrer-type-mismatch", Low,
        "A referrers listing states another artifact type than the referrer's own manifest";
    VERIFY_FAILED = "oci-verify-failed", High,
        "--verify: a referrer's content does not parse (SBOM) or verify (provenance)";
    PARITY_SBOM_MISSING = "oci-parity-sbom-missing", High,
        "A platform image of a multi-arch index has no SBOM to compare";
    PARITY_DIFFERENCE = "oci-parity-difference", High,
        "Platform images of one index differ in components beyond what the configuration allows";
}

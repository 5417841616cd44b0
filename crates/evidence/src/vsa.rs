//! The release-level summary: a SLSA Verification Summary Attestation v1
//! over the gate statements of a bundle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::statement::{ResourceDescriptor, STATEMENT_TYPE, Statement};

/// The VSA predicate type.
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// Our verifier id.
pub const VERIFIER_ID: &str = "https://github.com/ci-intel/ci-intel/ci-intel-evidence";
/// The custom verified property a passing bundle earns (custom values must
/// not start with `SLSA_`).
pub const VERIFIED_PROPERTY: &str = "CI_INTEL_EVIDENCE_COMPLETE";

/// The VSA predicate (SLSA verification_summary v1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VsaPredicate {
    pub verifier: Verifier,
    pub time_verified: String,
    pub resource_uri: String,
    pub policy: ResourceDescriptor,
    pub input_attestations: Vec<ResourceDescriptor>,
    /// `PASSED` or `FAILED`.
    pub verification_result: String,
    pub verified_levels: Vec<String>,
    pub slsa_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verifier {
    pub id: String,
    #[serde(default)]
    pub version: BTreeMap<String, String>,
}

/// Everything the VSA says.
#[derive(Debug, Clone)]
pub struct VsaInput<'a> {
    /// The release (tag) name.
    pub release: &'a str,
    /// The released artifact's sha256 (hex).
    pub subject_sha256: &'a str,
    pub commit: &'a str,
    pub time_verified: String,
    pub resource_uri: String,
    pub policy_uri: String,
    /// `sha256:<hex>` of the effective configuration.
    pub policy_digest: String,
    /// Each gate statement: its path in the bundle and its sha256 (hex).
    pub statements: Vec<(String, String)>,
    pub passed: bool,
}

/// Build the VSA statement.
pub fn vsa(input: &VsaInput<'_>) -> Statement<VsaPredicate> {
    let policy_digest = input
        .policy_digest
        .strip_prefix("sha256:")
        .unwrap_or(&input.policy_digest);
    Statement {
        type_: STATEMENT_TYPE.to_owned(),
        subject: vec![
            ResourceDescriptor::sha256(input.release, input.subject_sha256),
            ResourceDescriptor::git_commit(input.release, input.commit),
        ],
        predicate_type: VSA_PREDICATE_TYPE.to_owned(),
        predicate: VsaPredicate {
            verifier: Verifier {
                id: VERIFIER_ID.to_owned(),
                version: BTreeMap::from([(
                    crate::TOOL.to_owned(),
                    env!("CARGO_PKG_VERSION").to_owned(),
                )]),
            },
            time_verified: input.time_verified.clone(),
            resource_uri: input.resource_uri.clone(),
            policy: ResourceDescriptor {
                name: String::new(),
                uri: Some(input.policy_uri.clone()),
                digest: BTreeMap::from([("sha256".to_owned(), policy_digest.to_owned())]),
            },
            input_attestations: input
                .statements
                .iter()
                .map(|(path, sha)| ResourceDescriptor {
                    name: String::new(),
                    uri: Some(path.clone()),
                    digest: BTreeMap::from([("sha256".to_owned(), sha.clone())]),
                })
                .collect(),
            verification_result: if input.passed { "PASSED" } else { "FAILED" }.to_owned(),
            verified_levels: if input.passed {
                // We verified gate decisions, not build provenance: no claim
                // on the build track.
                vec![
                    "SLSA_BUILD_LEVEL_UNEVALUATED".to_owned(),
                    VERIFIED_PROPERTY.to_owned(),
                ]
            } else {
                vec!["FAILED".to_owned()]
            },
            slsa_version: "1.1".to_owned(),
        },
    }
}

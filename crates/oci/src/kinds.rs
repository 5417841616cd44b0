//! Which kind of evidence a referrer is (`sbom`, `provenance`, `vex`,
//! `signature`, or a kind the configuration adds), from its artifact type
//! and, for attestations, its predicate type.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};

use crate::parse::Manifest;

/// Annotations that carry an attestation's predicate type on the referrer
/// manifest: Sigstore bundles pushed by `actions/attest` and cosign, and
/// in-toto attestations.
pub const PREDICATE_ANNOTATIONS: &[&str] = &[
    "dev.sigstore.bundle.predicateType",
    "in-toto.io/predicate-type",
    "org.opencontainers.artifact.predicateType",
];

/// The built-in kinds and the types that name them. Patterns are globs
/// over the artifact type (or config media type) and over the predicate
/// type; the predicate type is tried first, so an in-toto attestation of an
/// SPDX document is an SBOM even though its artifact type is in-toto's.
pub fn default_types() -> BTreeMap<String, Vec<String>> {
    let kinds: [(&str, &[&str]); 4] = [
        (
            "sbom",
            &[
                "application/spdx+json",
                "application/spdx",
                "text/spdx",
                "application/vnd.cyclonedx+json",
                "application/vnd.cyclonedx+xml",
                "application/vnd.cyclonedx",
                "https://spdx.dev/Document*",
                "https://cyclonedx.org/bom*",
            ],
        ),
        (
            "provenance",
            &[
                "https://slsa.dev/provenance/*",
                "application/vnd.in-toto+json",
                "application/vnd.in-toto.provenance+json",
            ],
        ),
        (
            "vex",
            &[
                "application/openvex+json",
                "application/vnd.openvex+json",
                "https://openvex.dev/ns*",
                "application/csaf+json",
            ],
        ),
        (
            "signature",
            &[
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                "application/vnd.dev.sigstore.bundle+json;version=0.3",
                "application/vnd.dev.cosign.artifact.sig.v1+json",
                "application/vnd.cncf.notary.signature",
            ],
        ),
    ];
    kinds
        .iter()
        .map(|(kind, types)| {
            (
                (*kind).to_owned(),
                types.iter().map(|t| (*t).to_owned()).collect(),
            )
        })
        .collect()
}

/// Compiled kind patterns.
#[derive(Debug, Clone)]
pub struct Kinds {
    kinds: Vec<(String, Vec<GlobMatcher>)>,
}

impl Kinds {
    /// Compile `types` (kind → patterns). A pattern that is not a valid
    /// glob is a configuration error naming it.
    pub fn new(types: &BTreeMap<String, Vec<String>>) -> Result<Kinds, String> {
        let mut kinds = Vec::new();
        for (kind, patterns) in types {
            let mut matchers = Vec::new();
            for pattern in patterns {
                let glob = Glob::new(pattern).map_err(|e| {
                    format!("types.{kind}: `{pattern}` is not a valid pattern: {e}")
                })?;
                matchers.push(glob.compile_matcher());
            }
            kinds.push((kind.clone(), matchers));
        }
        Ok(Kinds { kinds })
    }

    /// The built-in kinds.
    pub fn builtin() -> Kinds {
        Kinds::new(&default_types()).unwrap_or(Kinds { kinds: Vec::new() })
    }

    /// Whether `kind` is known.
    pub fn knows(&self, kind: &str) -> bool {
        self.kinds.iter().any(|(k, _)| k == kind)
    }

    pub fn names(&self) -> Vec<&str> {
        self.kinds.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The kind of a referrer manifest, if any pattern names it.
    pub fn classify(&self, manifest: &Manifest) -> Option<String> {
        let predicate = predicate_type(manifest);
        self.classify_types(predicate, manifest.artifact_type())
    }

    /// The kind for a predicate type and an artifact type.
    pub fn classify_types(
        &self,
        predicate: Option<&str>,
        artifact_type: Option<&str>,
    ) -> Option<String> {
        let lookup = |value: &str| {
            self.kinds
                .iter()
                .find(|(_, matchers)| matchers.iter().any(|m| m.is_match(value)))
                .map(|(kind, _)| kind.clone())
        };
        predicate
            .and_then(lookup)
            .or_else(|| artifact_type.and_then(lookup))
    }
}

/// The predicate type a referrer's annotations declare.
pub fn predicate_type(manifest: &Manifest) -> Option<&str> {
    PREDICATE_ANNOTATIONS
        .iter()
        .find_map(|key| manifest.annotations().get(*key).map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicate_types_win_over_artifact_types() {
        let kinds = Kinds::builtin();
        assert_eq!(
            kinds
                .classify_types(None, Some("application/spdx+json"))
                .as_deref(),
            Some("sbom")
        );
        assert_eq!(
            kinds
                .classify_types(
                    Some("https://slsa.dev/provenance/v1"),
                    Some("application/vnd.dev.sigstore.bundle.v0.3+json")
                )
                .as_deref(),
            Some("provenance")
        );
        assert_eq!(
            kinds
                .classify_types(None, Some("application/vnd.dev.sigstore.bundle.v0.3+json"))
                .as_deref(),
            Some("signature")
        );
        assert_eq!(
            kinds
                .classify_types(
                    Some("https://spdx.dev/Document/v2.3"),
                    Some("application/vnd.in-toto+json")
                )
                .as_deref(),
            Some("sbom")
        );
        assert_eq!(
            kinds.classify_types(None, Some("application/example")),
            None
        );
    }

    #[test]
    fn bad_patterns_are_named() {
        let mut types = default_types();
        types.insert("sbom".into(), vec!["a[".into()]);
        assert!(Kinds::new(&types).unwrap_err().contains("types.sbom"));
    }
}

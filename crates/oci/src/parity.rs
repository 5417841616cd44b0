//! `parity INDEX`: every platform image of a multi-arch index has an SBOM
//! (a referrer, checked like `referrers` does), and their component sets
//! agree apart from components the configuration allows to differ per
//! architecture. Each difference is listed.

use std::collections::{BTreeMap, BTreeSet};

use ci_intel_core::{Failure, Finding, Location, Severity};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::digest::Digest;
use crate::discover::{self, Options};
use crate::kinds::Kinds;
use crate::parse::Manifest;
use crate::rules;
use crate::sbom::{self, Sbom};
use crate::source::{MAX_BLOB_BYTES, Source};

/// One platform image and its SBOM.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSbom {
    pub digest: String,
    pub platform: String,
    /// The SBOM referrer compared, if one was found and parsed.
    pub sbom: Option<String>,
    pub format: Option<String>,
    pub components: usize,
}

/// A component that is not the same on every platform.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub component: String,
    /// Platform → versions, for the platforms that have it.
    pub versions: BTreeMap<String, Vec<String>>,
    /// Platforms whose SBOM lacks it.
    pub absent: Vec<String>,
    /// Whether `parity.allow` lets it differ.
    pub allowed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParityReport {
    pub reference: String,
    pub source: String,
    pub index: String,
    pub platforms: Vec<PlatformSbom>,
    pub differences: Vec<Difference>,
    pub findings: Vec<Finding>,
    pub requests: u64,
}

/// Compile `allow` patterns (globs over component identities: a package
/// URL without version, or a name).
pub fn allow_set(allow: &[String]) -> Result<GlobSet, Failure> {
    let mut builder = GlobSetBuilder::new();
    for pattern in allow {
        builder.add(Glob::new(pattern).map_err(|e| {
            Failure::usage(format!(
                "parity allow pattern `{pattern}` is not a valid glob: {e}"
            ))
        })?);
    }
    builder
        .build()
        .map_err(|e| Failure::usage(format!("parity allow patterns: {e}")))
}

/// Compare the SBOMs of every platform image of `index`.
pub fn parity(
    source: &mut dyn Source,
    reference: &str,
    index: &Digest,
    kinds: &Kinds,
    allow: &[String],
    location: Option<&Location>,
) -> Result<ParityReport, Failure> {
    let allow = allow_set(allow)?;
    let mut options = Options::new(vec!["sbom".to_owned()], kinds.clone());
    options.per_platform = true;
    options.location = location.cloned();
    let checked = discover::check(source, reference, index, &options)?;
    if !checked.subject_is_index && checked.targets.len() == 1 {
        return Err(Failure::usage(format!(
            "{reference}: {index} is a single-platform image manifest; parity compares the platform images of a multi-arch index"
        )));
    }
    let mut findings: Vec<Finding> = checked
        .findings
        .into_iter()
        .map(|mut f| {
            if f.rule_id == rules::REQUIRED_MISSING {
                f.rule_id = rules::PARITY_SBOM_MISSING.to_owned();
            }
            f
        })
        .collect();
    let mut platforms = Vec::new();
    let mut sboms: Vec<(String, Sbom)> = Vec::new();
    for target in &checked.targets {
        let label = target
            .platform
            .as_ref()
            .map_or_else(|| target.digest.short(), ToString::to_string);
        let mut entry = PlatformSbom {
            digest: target.digest.to_string(),
            platform: label.clone(),
            sbom: None,
            format: None,
            components: 0,
        };
        let candidates = target
            .referrers
            .iter()
            .filter(|r| r.kind.as_deref() == Some("sbom"));
        let mut errors = Vec::new();
        for referrer in candidates {
            match read_sbom(source, &referrer.manifest)? {
                Ok(doc) => {
                    entry.sbom = Some(referrer.digest.to_string());
                    entry.format = Some(doc.format.clone());
                    entry.components = doc.components.len();
                    sboms.push((label.clone(), doc));
                    break;
                }
                Err(why) => errors.push(format!("{}: {why}", referrer.digest)),
            }
        }
        if entry.sbom.is_none() && !errors.is_empty() {
            findings.push(Finding::new(
                rules::PARITY_SBOM_MISSING,
                Severity::High,
                format!(
                    "{reference}: {} ({label}) has SBOM referrers but none parses: {}",
                    target.digest,
                    errors.join("; ")
                ),
                location.cloned(),
                &format!("{} unparsable", target.digest),
            ));
        }
        platforms.push(entry);
    }
    let differences = compare(&sboms, &allow);
    for difference in differences.iter().filter(|d| !d.allowed) {
        findings.push(
            Finding::new(
                rules::PARITY_DIFFERENCE,
                Severity::High,
                format!(
                    "{reference}: component `{}` differs across platforms: {}",
                    difference.component,
                    describe(difference)
                ),
                location.cloned(),
                &format!("{index} {}", difference.component),
            )
            .with_fix(format!(
                "build every platform from the same inputs, or allow it to differ: add `{}` to oci.parity.allow",
                difference.component
            )),
        );
    }
    Ok(ParityReport {
        reference: reference.to_owned(),
        source: checked.source,
        index: index.to_string(),
        platforms,
        differences,
        findings,
        requests: source.requests(),
    })
}

/// The first content layer of an SBOM referrer that parses.
fn read_sbom(
    source: &mut dyn Source,
    manifest: &Manifest,
) -> Result<Result<Sbom, String>, Failure> {
    let Manifest::Image(image) = manifest else {
        return Ok(Err("an index, not an SBOM manifest".to_owned()));
    };
    let mut why = Vec::new();
    for layer in &image.layers {
        if layer.size > MAX_BLOB_BYTES {
            why.push(format!("layer {} is over the size limit", layer.digest));
            continue;
        }
        let bytes = source.blob(layer)?;
        match sbom::parse_sbom(&bytes) {
            Ok(doc) => return Ok(Ok(doc)),
            Err(e) => why.push(format!("layer {}: {e}", layer.digest)),
        }
    }
    if why.is_empty() {
        why.push("no content layer".to_owned());
    }
    Ok(Err(why.join("; ")))
}

/// Every component that is absent on some platform or has other versions.
pub fn compare(sboms: &[(String, Sbom)], allow: &GlobSet) -> Vec<Difference> {
    let keys: BTreeSet<&String> = sboms
        .iter()
        .flat_map(|(_, s)| s.components.keys())
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let mut versions = BTreeMap::new();
        let mut absent = Vec::new();
        for (platform, sbom) in sboms {
            match sbom.components.get(key) {
                Some(v) => {
                    versions.insert(platform.clone(), v.iter().cloned().collect::<Vec<_>>());
                }
                None => absent.push(platform.clone()),
            }
        }
        let distinct: BTreeSet<&Vec<String>> = versions.values().collect();
        if absent.is_empty() && distinct.len() <= 1 {
            continue;
        }
        let name = key.rsplit('/').next().unwrap_or(key);
        out.push(Difference {
            component: key.clone(),
            allowed: allow.is_match(key.as_str()) || allow.is_match(name),
            versions,
            absent,
        });
    }
    out
}

fn describe(d: &Difference) -> String {
    let mut parts: Vec<String> = d
        .versions
        .iter()
        .map(|(p, v)| format!("{p} {}", v.join("+")))
        .collect();
    if !d.absent.is_empty() {
        parts.push(format!("absent on {}", d.absent.join(", ")));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sbom(entries: &[(&str, &str)]) -> Sbom {
        let mut s = Sbom::default();
        for (k, v) in entries {
            s.components
                .entry((*k).to_owned())
                .or_default()
                .insert((*v).to_owned());
        }
        s
    }

    #[test]
    fn lists_absent_and_version_differences_and_honours_allow() {
        let sboms = vec![
            (
                "linux/amd64".to_owned(),
                sbom(&[("a", "1"), ("b", "1"), ("pkg:deb/debian/libc6-amd64", "2")]),
            ),
            ("linux/arm64".to_owned(), sbom(&[("a", "1"), ("b", "2")])),
        ];
        let allow = allow_set(&["libc6-*".to_owned()]).unwrap();
        let diffs = compare(&sboms, &allow);
        assert_eq!(diffs.len(), 2);
        assert_eq!(diffs[0].component, "b");
        assert!(!diffs[0].allowed);
        assert_eq!(diffs[1].absent, vec!["linux/arm64"]);
        assert!(diffs[1].allowed);
    }
}

//! The referrers check: find what hangs on a digest (referrers API, else
//! the tag schema fallback), trust none of the listing until each
//! referrer's own manifest names the exact digest as its subject, classify
//! each, and judge the requirement on the image or index and, with
//! `per_platform`, on each platform image.

use std::collections::BTreeSet;

use ci_intel_core::{Failure, Finding, Location, Severity};
use serde::Serialize;

use crate::digest::Digest;
use crate::kinds::Kinds;
use crate::parse::{self, Descriptor, Manifest, Platform};
use crate::rules;
use crate::source::{ApiListing, Path, Source};
use crate::verify::{VerifyOutcome, VerifyPolicy};

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Kinds that must each have at least one referrer (`sbom`,
    /// `provenance`, ...).
    pub require: Vec<String>,
    /// For an index: check each platform image.
    pub per_platform: bool,
    /// For an index with `per_platform`: check the index too.
    pub include_index: bool,
    /// Refuse the tag schema fallback.
    pub require_api: bool,
    /// Ask the registry to filter by this artifact type (client-side
    /// filtering when it does not say it applied the filter).
    pub artifact_type: Option<String>,
    pub kinds: Kinds,
    /// Fetch and check the referrers of the required kinds.
    pub verify: Option<VerifyPolicy>,
    /// Where findings point (a configuration file for the gate).
    pub location: Option<Location>,
}

impl Options {
    pub fn new(require: Vec<String>, kinds: Kinds) -> Options {
        Options {
            require,
            per_platform: false,
            include_index: false,
            require_api: false,
            artifact_type: None,
            kinds,
            verify: None,
            location: None,
        }
    }
}

/// One referrer that passed the checks.
#[derive(Debug, Clone, Serialize)]
pub struct Referrer {
    #[serde(serialize_with = "display")]
    pub digest: Digest,
    pub media_type: String,
    /// From the referrer's own manifest (`artifactType`, else the config
    /// media type).
    pub artifact_type: Option<String>,
    pub kind: Option<String>,
    /// The digest it hangs on (its `subject`, checked).
    #[serde(serialize_with = "display")]
    pub hangs_on: Digest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<VerifyOutcome>,
    #[serde(skip)]
    pub manifest: Manifest,
}

/// One digest the requirement was judged on.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    #[serde(serialize_with = "display")]
    pub digest: Digest,
    #[serde(serialize_with = "display_opt")]
    pub platform: Option<Platform>,
    pub is_index: bool,
    pub path: Path,
    /// The fallback tag consulted, if any.
    pub fallback_tag: Option<String>,
    /// Referrers API pages read.
    pub pages: usize,
    /// What the registry said it filtered (`OCI-Filters-Applied`).
    pub filters_applied: Vec<String>,
    pub referrers: Vec<Referrer>,
    /// Required kinds with no referrer.
    pub missing: Vec<String>,
}

/// The whole check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub reference: String,
    pub source: String,
    #[serde(serialize_with = "display")]
    pub subject: Digest,
    pub subject_is_index: bool,
    pub require: Vec<String>,
    pub targets: Vec<Target>,
    /// Index entries not checked: attestation manifests (`unknown/unknown`,
    /// `vnd.docker.reference.type`).
    pub skipped: Vec<String>,
    pub findings: Vec<Finding>,
    pub requests: u64,
}

fn display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn display_opt<T: std::fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// Check `subject` (named `reference` in messages) in `source`.
pub fn check(
    source: &mut dyn Source,
    reference: &str,
    subject: &Digest,
    options: &Options,
) -> Result<CheckReport, Failure> {
    let mut report = CheckReport {
        reference: reference.to_owned(),
        source: source.describe(),
        subject: subject.clone(),
        subject_is_index: false,
        require: options.require.clone(),
        targets: Vec::new(),
        skipped: Vec::new(),
        findings: Vec::new(),
        requests: 0,
    };
    let finding = |rule: &str, message: String, key: &str| {
        Finding::new(
            rule,
            Severity::High,
            message,
            options.location.clone(),
            &format!("{subject} {key}"),
        )
    };
    let Some(fetched) = source.manifest(subject)? else {
        report.findings.push(
            finding(
                rules::SUBJECT_MISSING,
                format!("{reference}: {subject} does not exist in {}", source.describe()),
                "",
            )
            .with_fix("check the digest and the repository: the image must be pushed before its evidence is checked"),
        );
        report.requests = source.requests();
        return Ok(report);
    };
    if !subject.matches(&fetched.bytes) {
        return Err(Failure::deny(format!(
            "{reference}: {} returned content for {subject} that does not hash to it",
            source.describe()
        )));
    }
    let manifest =
        parse::parse_manifest(&fetched.bytes, fetched.content_type.as_deref()).map_err(|e| {
            Failure::infra(format!(
                "{reference}: the manifest of {subject} from {} does not parse: {e}",
                source.describe()
            ))
        })?;
    let mut targets: Vec<(Digest, Option<Platform>, bool)> = Vec::new();
    match &manifest {
        Manifest::Index(index) => {
            report.subject_is_index = true;
            if options.per_platform {
                for entry in &index.manifests {
                    if entry.is_attestation_entry() {
                        report.skipped.push(format!(
                            "{} ({}): attestation entry",
                            entry.digest,
                            entry
                                .platform
                                .as_ref()
                                .map_or("no platform".to_owned(), ToString::to_string)
                        ));
                        continue;
                    }
                    targets.push((
                        entry.digest.clone(),
                        entry.platform.clone(),
                        is_index_type(entry),
                    ));
                }
                if options.include_index {
                    targets.insert(0, (subject.clone(), None, true));
                }
            } else {
                targets.push((subject.clone(), None, true));
            }
        }
        Manifest::Image(_) => targets.push((subject.clone(), None, false)),
    }
    let mut seen = BTreeSet::new();
    for (digest, platform, is_index) in targets {
        if !seen.insert(digest.clone()) {
            continue;
        }
        let target = discover_target(
            source,
            reference,
            &digest,
            platform,
            is_index,
            options,
            &mut report.findings,
        )?;
        report.targets.push(target);
    }
    if let Some(policy) = &options.verify {
        for target in &mut report.targets {
            for referrer in &mut target.referrers {
                let Some(kind) = referrer.kind.as_deref() else {
                    continue;
                };
                if !options.require.iter().any(|k| k == kind) {
                    continue;
                }
                let outcome = crate::verify::verify_referrer(source, referrer, kind, policy)?;
                if !outcome.passed() {
                    report.findings.push(
                        Finding::new(
                            rules::VERIFY_FAILED,
                            Severity::High,
                            format!(
                                "{reference}: {kind} {} on {}: {}",
                                referrer.digest,
                                referrer.hangs_on,
                                outcome.detail
                            ),
                            options.location.clone(),
                            &format!("{} {kind}", referrer.digest),
                        )
                        .with_fix(match kind {
                            "provenance" => "check --source-uri/--builder-id against the workflow that built the image, and that the provenance names this exact digest",
                            _ => "push an SBOM that parses (SPDX or CycloneDX JSON) for this exact digest",
                        }),
                    );
                }
                referrer.verified = Some(outcome);
            }
        }
    }
    report.requests = source.requests();
    Ok(report)
}

fn is_index_type(d: &Descriptor) -> bool {
    d.media_type == parse::OCI_INDEX || d.media_type == parse::DOCKER_LIST
}

/// A candidate referrer from a listing.
struct Candidate {
    descriptor: Descriptor,
    via: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn discover_target(
    source: &mut dyn Source,
    reference: &str,
    digest: &Digest,
    platform: Option<Platform>,
    is_index: bool,
    options: &Options,
    findings: &mut Vec<Finding>,
) -> Result<Target, Failure> {
    let on = match &platform {
        Some(p) => format!("{digest} ({p})"),
        None => digest.to_string(),
    };
    let finding = |rule: &str, severity: Severity, message: String, key: &str| {
        Finding::new(
            rule,
            severity,
            format!("{reference}: {message}"),
            options.location.clone(),
            &format!("{digest} {key}"),
        )
    };
    let mut target = Target {
        digest: digest.clone(),
        platform,
        is_index,
        path: Path::ReferrersApi,
        fallback_tag: None,
        pages: 0,
        filters_applied: Vec::new(),
        referrers: Vec::new(),
        missing: Vec::new(),
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut client_filter = false;
    let use_fallback = match source.referrers(digest, options.artifact_type.as_deref())? {
        ApiListing::Listed(pages) => {
            target.path = if source.fallback_path() == Path::Layout {
                Path::Layout
            } else {
                Path::ReferrersApi
            };
            target.pages = pages.len();
            for (n, page) in pages.iter().enumerate() {
                let index = parse::parse_referrers_index(
                    &page.fetched.bytes,
                    page.fetched.content_type.as_deref(),
                )
                .map_err(|e| {
                    Failure::infra(format!(
                        "{reference}: the referrers response for {digest} (page {}) from {} is not an image index: {e}",
                        n + 1,
                        source.describe()
                    ))
                })?;
                for f in &page.filters_applied {
                    if !target.filters_applied.contains(f) {
                        target.filters_applied.push(f.clone());
                    }
                }
                if options.artifact_type.is_some()
                    && !page.filters_applied.iter().any(|f| f == "artifactType")
                {
                    client_filter = true;
                }
                candidates.extend(index.manifests.into_iter().map(|descriptor| Candidate {
                    descriptor,
                    via: "referrers listing",
                }));
            }
            target.path == Path::Layout
        }
        ApiListing::Unsupported => {
            target.path = Path::TagSchema;
            if options.require_api {
                findings.push(
                    finding(
                        rules::REFERRERS_API_REQUIRED,
                        Severity::High,
                        format!(
                            "{} answered 404 to the referrers API for {on}, and --require-api forbids the tag schema fallback",
                            source.describe()
                        ),
                        "api",
                    )
                    .with_fix("use a registry with the OCI 1.1 referrers API, or drop --require-api to accept the tag schema"),
                );
                target.missing = options.require.clone();
                return Ok(target);
            }
            client_filter = options.artifact_type.is_some();
            true
        }
    };
    if use_fallback {
        let tag = digest.fallback_tag();
        target.fallback_tag = Some(tag.clone());
        if let Some(fetched) = source.tag(&tag)? {
            let fetched_digest = fetched.digest();
            if &fetched_digest == digest {
                findings.push(
                    finding(
                        rules::FALLBACK_IS_SUBJECT,
                        Severity::High,
                        format!(
                            "the fallback tag `{tag}` resolves to {on} itself, not to an index of its referrers (a registry that normalises `sha256-<hex>` tags to digests, or a tag pushed by mistake); no referrer is taken from it"
                        ),
                        "fallback-self",
                    )
                    .with_fix("delete the tag and push the referrers again with a client that maintains the referrers tag schema, or use a registry with the referrers API"),
                );
            } else {
                match parse::parse_referrers_index(&fetched.bytes, fetched.content_type.as_deref())
                {
                    Err(e) => findings.push(
                        finding(
                            rules::FALLBACK_INVALID,
                            Severity::High,
                            format!(
                                "the fallback tag `{tag}` for {on} is not an index of referrers: {e}"
                            ),
                            "fallback-invalid",
                        )
                        .with_fix("the tag schema tag must hold an image index of referrer descriptors; push the referrers again"),
                    ),
                    Ok(index) => candidates.extend(index.manifests.into_iter().map(|descriptor| {
                        Candidate {
                            descriptor,
                            via: "fallback index",
                        }
                    })),
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    for candidate in candidates {
        let descriptor = candidate.descriptor;
        if !seen.insert(descriptor.digest.clone()) {
            continue;
        }
        if &descriptor.digest == digest {
            findings.push(finding(
                rules::FALLBACK_INVALID,
                Severity::High,
                format!(
                    "the {} of {on} lists {on} itself as its own referrer; ignored",
                    candidate.via
                ),
                "self-entry",
            ));
            continue;
        }
        let unreadable = |why: String| {
            finding(
                rules::REFERRER_UNREADABLE,
                Severity::High,
                format!(
                    "referrer {} listed for {on} by the {}: {why}",
                    descriptor.digest, candidate.via
                ),
                &descriptor.digest.to_string(),
            )
        };
        let Some(fetched) = source.manifest(&descriptor.digest)? else {
            findings.push(unreadable(format!(
                "its manifest does not exist in {}",
                source.describe()
            )));
            continue;
        };
        if !descriptor.digest.matches(&fetched.bytes) {
            findings.push(unreadable(
                "the manifest received does not hash to its digest".to_owned(),
            ));
            continue;
        }
        let manifest = match parse::parse_manifest(&fetched.bytes, Some(&descriptor.media_type)) {
            Ok(m) => m,
            Err(e) => {
                findings.push(unreadable(format!("its manifest does not parse: {e}")));
                continue;
            }
        };
        match manifest.subject() {
            Some(s) if &s.digest == digest => {}
            other => {
                findings.push(
                    finding(
                        rules::REFERRER_SUBJECT_MISMATCH,
                        Severity::High,
                        format!(
                            "referrer {} is listed for {on} by the {}, but its own manifest names {} as its subject; it does not count for {on}",
                            descriptor.digest,
                            candidate.via,
                            other.map_or("no subject".to_owned(), |s| s.digest.to_string())
                        ),
                        &descriptor.digest.to_string(),
                    )
                    .with_fix("attach the evidence to this exact digest (its `subject`), and repair the listing"),
                );
                continue;
            }
        }
        let artifact_type = manifest.artifact_type().map(str::to_owned);
        if let Some(listed) = &descriptor.artifact_type
            && Some(listed) != artifact_type.as_ref()
        {
            findings.push(finding(
                rules::TYPE_MISMATCH,
                Severity::Low,
                format!(
                    "the {} gives referrer {} of {on} the artifact type `{listed}`, its manifest says `{}`; the manifest's is used",
                    candidate.via,
                    descriptor.digest,
                    artifact_type.as_deref().unwrap_or("none")
                ),
                &descriptor.digest.to_string(),
            ));
        }
        if client_filter && artifact_type.as_deref() != options.artifact_type.as_deref() {
            continue;
        }
        let kind = options.kinds.classify(&manifest);
        target.referrers.push(Referrer {
            digest: descriptor.digest.clone(),
            media_type: manifest.media_type().to_owned(),
            artifact_type,
            kind,
            hangs_on: digest.clone(),
            verified: None,
            manifest,
        });
    }
    for kind in &options.require {
        if target
            .referrers
            .iter()
            .any(|r| r.kind.as_deref() == Some(kind))
        {
            continue;
        }
        target.missing.push(kind.clone());
        let filter_note = match &options.artifact_type {
            Some(t) => format!(" (listing filtered to artifact type `{t}`)"),
            None => String::new(),
        };
        findings.push(
            finding(
                rules::REQUIRED_MISSING,
                Severity::High,
                format!(
                    "{on} has no {kind} referrer (looked through {}{}{filter_note}; {} referrer(s) found: {})",
                    target.path.describe(),
                    target
                        .fallback_tag
                        .as_ref()
                        .map_or(String::new(), |t| format!(", tag `{t}`")),
                    target.referrers.len(),
                    if target.referrers.is_empty() {
                        "none".to_owned()
                    } else {
                        target
                            .referrers
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} {}",
                                    r.kind.as_deref().unwrap_or("unclassified"),
                                    r.artifact_type.as_deref().unwrap_or("?")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                kind,
            )
            .with_fix(format!(
                "attach a {kind} to exactly {digest} (e.g. `ci-intel-oci push-evidence FILE --to REPO --subject {digest} --artifact-type TYPE`), or add its artifact type to `oci.types.{kind}`"
            )),
        );
    }
    Ok(target)
}

//! SLSA provenance policy, as slsa-verifier and `gh attestation verify`
//! apply it, on a statement whose signature has been verified.
//!
//! Statement: in-toto v0.1 or v1. Predicate: SLSA provenance v0.2
//! (slsa-github-generator) or v1 (GitHub `actions/attest-build-provenance`,
//! BCR's publish-to-bcr). Source and ref are checked twice: against the
//! predicate (what the builder says) and against the certificate's Fulcio
//! extensions (what GitHub's OIDC token said when the certificate was
//! issued). The predicate's builder must be the workflow that signed the
//! certificate: a predicate is just text its signer wrote, so one naming a
//! trusted builder but signed by another workflow is a forgery.

use ci_intel_core::Failure;
use serde_json::Value;
use sigstore_crypto::CertificateInfo;
use sigstore_types::SignatureContent;

use crate::bundle::LoadedBundle;
use crate::transcript::{Check, CheckId};

/// The OIDC issuer of GitHub Actions, the only one `verify-provenance`
/// accepts (its source must be a github.com repository).
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

pub const STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
];
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

/// The builder id GitHub's own provenance (`actions/attest-build-provenance`)
/// names: the runner, not a workflow. The signing workflow is then the one in
/// `externalParameters.workflow`.
const GITHUB_RUNNER_BUILDERS: [&str; 2] = [
    "https://github.com/actions/runner/github-hosted",
    "https://github.com/actions/runner/self-hosted",
];

/// slsa-github-generator's delegator workflows (its trusted reusable
/// workflow model): they build and sign on behalf of the trusted reusable
/// workflow (TRW) that called them, which the predicate names as builder.
pub const DELEGATORS: [&str; 2] = [
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml",
];

/// slsa-github-generator's own builders on the delegator (Maven, Gradle):
/// trusted like its other builders, without `--builder-id`. Any other TRW
/// is a third party's, accepted only when `--builder-id` names it.
pub const DELEGATED_GENERATOR_BUILDERS: [&str; 2] = [
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_maven_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_gradle_slsa3.yml",
];

/// `refs/tags/vX.Y.Z`: a release of a builder (what slsa-verifier requires
/// of trusted builders outside its testing mode).
fn is_release_ref(git_ref: &str) -> bool {
    git_ref.strip_prefix("refs/tags/v").is_some_and(|version| {
        let parts: Vec<&str> = version.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `--source-tag`, `--source-branch` or `--source-versioned-tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    Tag(String),
    Branch(String),
    /// Any release tag semver-compatible with this one (`v1` takes every
    /// `v1.x.y`, `v1.2` every `v1.2.y`, `v1.2.3` only `v1.2.3`).
    VersionedTag(VersionedTag),
}

impl SourceRef {
    /// The one ref policy the flags (or config keys) name: a tag, a branch
    /// or a versioned tag; none of them is `None`. `names` are what the
    /// caller calls the three (`--source-tag`... or `source_tag`...), for
    /// the errors: more than one of them is an error naming them (a policy
    /// must not silently drop one of its own conditions), and so is a
    /// versioned tag that is not semver.
    pub fn from_flags(
        tag: Option<&str>,
        branch: Option<&str>,
        versioned_tag: Option<&str>,
        names: [&str; 3],
    ) -> Result<Option<SourceRef>, String> {
        let given: Vec<&str> = [tag, branch, versioned_tag]
            .iter()
            .zip(names)
            .filter_map(|(value, name)| value.map(|_| name))
            .collect();
        if given.len() > 1 {
            return Err(format!(
                "{} are given together: a source ref is one tag, one branch or one versioned tag; keep one of them",
                given.join(" and ")
            ));
        }
        Ok(match (tag, branch, versioned_tag) {
            (Some(tag), _, _) => Some(SourceRef::Tag(tag.to_owned())),
            (None, Some(branch), _) => Some(SourceRef::Branch(branch.to_owned())),
            (None, None, Some(v)) => Some(SourceRef::VersionedTag(
                VersionedTag::parse(v).map_err(|e| format!("{} {e}", names[2]))?,
            )),
            (None, None, None) => None,
        })
    }

    /// The ref the provenance must name, as the transcript shows it
    /// (`refs/tags/v1.2.3`, `refs/heads/main`, `refs/tags/v1.2.* (semver)`).
    pub fn expected(&self) -> String {
        match self {
            SourceRef::Tag(tag) => format!("refs/tags/{tag}"),
            SourceRef::Branch(branch) => format!("refs/heads/{branch}"),
            SourceRef::VersionedTag(v) => v.describe(),
        }
    }

    /// Whether the full git ref `actual` is one this policy accepts.
    pub fn accepts(&self, actual: &str) -> bool {
        match self {
            SourceRef::VersionedTag(v) => actual
                .strip_prefix("refs/tags/")
                .is_some_and(|tag| v.accepts_tag(tag)),
            exact => actual == exact.expected(),
        }
    }
}

/// A release version as `--source-versioned-tag` takes it: `v` and a major
/// version, optionally the minor, optionally the patch with a pre-release;
/// build metadata (`+…`) is ignored, as semver says it must be for
/// precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedTag {
    text: String,
    major: u64,
    minor: Option<u64>,
    /// The patch and its pre-release (`3`, `3-rc.1`).
    patch: Option<(u64, Option<String>)>,
}

/// A semver number: digits, no leading zero.
fn semver_number(text: &str) -> Option<u64> {
    let valid = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if valid { text.parse().ok() } else { None }
}

/// A pre-release: dot-separated identifiers of `[0-9A-Za-z-]`.
fn valid_prerelease(text: &str) -> bool {
    text.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && (!id.bytes().all(|b| b.is_ascii_digit()) || id == "0" || !id.starts_with('0'))
    })
}

impl VersionedTag {
    /// Parse `v1`, `v1.2`, `v1.2.3`, `v1.2.3-rc.1` (a `+build` suffix is
    /// dropped). The error says what was expected.
    pub fn parse(text: &str) -> Result<VersionedTag, String> {
        let invalid = || {
            format!(
                "`{text}` is not a semver version: expected v and a major version, optionally .MINOR and .PATCH[-PRERELEASE] (v1, v1.2, v1.2.3)"
            )
        };
        let body = text.strip_prefix('v').ok_or_else(invalid)?;
        let body = body
            .split_once('+')
            .map_or(body, |(version, _build)| version);
        let (numbers, prerelease) = match body.split_once('-') {
            Some((numbers, pre)) if valid_prerelease(pre) => (numbers, Some(pre.to_owned())),
            Some(_) => return Err(invalid()),
            None => (body, None),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        let values: Option<Vec<u64>> = parts.iter().map(|p| semver_number(p)).collect();
        let values = values.ok_or_else(invalid)?;
        // A pre-release belongs to a full version (`v1.2-rc` is not one).
        if values.is_empty() || values.len() > 3 || (prerelease.is_some() && values.len() != 3) {
            return Err(invalid());
        }
        Ok(VersionedTag {
            text: text.to_owned(),
            major: values[0],
            minor: values.get(1).copied(),
            patch: values.get(2).map(|p| (*p, prerelease)),
        })
    }

    /// Whether a tag (`v1.2.3`, without `refs/tags/`) is a release this
    /// accepts: a semver version whose major, and minor and patch where
    /// given here, are equal. A tag that is not semver is never accepted.
    pub fn accepts_tag(&self, tag: &str) -> bool {
        let Ok(actual) = VersionedTag::parse(tag) else {
            return false;
        };
        // `v1.2` as a tag is `v1.2.0`, as semver tools canonicalise it.
        let actual_minor = actual.minor.unwrap_or(0);
        let actual_patch = actual.patch.clone().unwrap_or((0, None));
        actual.major == self.major
            && self.minor.is_none_or(|m| m == actual_minor)
            && self.patch.as_ref().is_none_or(|p| *p == actual_patch)
    }

    fn describe(&self) -> String {
        let pattern = match (&self.minor, &self.patch) {
            (None, _) => format!("v{}.*", self.major),
            (Some(minor), None) => format!("v{}.{minor}.*", self.major),
            (Some(minor), Some((patch, None))) => format!("v{}.{minor}.{patch}", self.major),
            (Some(minor), Some((patch, Some(pre)))) => {
                format!("v{}.{minor}.{patch}-{pre}", self.major)
            }
        };
        format!(
            "refs/tags/{pattern} (semver-compatible with --source-versioned-tag {})",
            self.text
        )
    }
}

/// What the provenance must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenancePolicy {
    /// Normalised `github.com/ORG/REPO`.
    pub source_uri: String,
    pub source_ref: Option<SourceRef>,
    /// `--builder-id`: with `@ref`, compared whole; without, compared with
    /// the builder id's part before `@` (as slsa-verifier does).
    pub builder_id: Option<String>,
    /// Normalised `github.com/OWNER/REPO/PATH` (no `@ref`).
    pub signer_workflow: Option<String>,
}

impl ProvenancePolicy {
    /// Validate and normalise the flags; a malformed one is a usage error.
    pub fn new(
        source_uri: &str,
        source_ref: Option<SourceRef>,
        builder_id: Option<String>,
        signer_workflow: Option<&str>,
    ) -> Result<ProvenancePolicy, Failure> {
        let source = normalize_repo(source_uri);
        let parts: Vec<&str> = source.split('/').collect();
        if parts.len() != 3 || parts[0] != "github.com" || parts.iter().any(|p| p.is_empty()) {
            return Err(Failure::usage(format!(
                "--source-uri `{source_uri}` must name a GitHub repository: github.com/ORG/REPO"
            )));
        }
        if let Some(SourceRef::Tag(v) | SourceRef::Branch(v)) = &source_ref
            && (v.is_empty() || v.starts_with("refs/"))
        {
            return Err(Failure::usage(format!(
                "--source-tag/--source-branch `{v}` must be a bare name (v1.2.3, main), not empty or a full ref"
            )));
        }
        if let Some(id) = &builder_id
            && id.trim().is_empty()
        {
            return Err(Failure::usage("--builder-id must not be empty"));
        }
        let signer_workflow = match signer_workflow {
            None => None,
            Some(raw) => {
                let normalized = normalize_workflow(raw);
                let parts: Vec<&str> = normalized.split('/').collect();
                if parts.len() < 4 || parts.iter().any(|p| p.is_empty()) {
                    return Err(Failure::usage(format!(
                        "--signer-workflow `{raw}` must be [github.com/]OWNER/REPO/PATH/TO/WORKFLOW.yml"
                    )));
                }
                Some(normalized)
            }
        };
        Ok(ProvenancePolicy {
            source_uri: source,
            source_ref,
            builder_id,
            signer_workflow,
        })
    }
}

/// `git+https://github.com/org/repo@refs/tags/v1` → `github.com/org/repo`.
pub fn normalize_repo(uri: &str) -> String {
    let mut text = uri.trim();
    text = text.strip_prefix("git+").unwrap_or(text);
    for scheme in ["https://", "http://"] {
        text = text.strip_prefix(scheme).unwrap_or(text);
    }
    let text = text.split('@').next().unwrap_or(text);
    let text = text.trim_end_matches('/');
    text.strip_suffix(".git").unwrap_or(text).to_owned()
}

/// `https://github.com/o/r/.github/workflows/w.yml@refs/heads/main` or
/// `o/r/.github/workflows/w.yml` → `github.com/o/r/.github/workflows/w.yml`.
pub fn normalize_workflow(uri: &str) -> String {
    let mut text = uri.trim();
    for scheme in ["https://", "http://"] {
        text = text.strip_prefix(scheme).unwrap_or(text);
    }
    let text = text.split('@').next().unwrap_or(text).trim_end_matches('/');
    if text.starts_with("github.com/") {
        text.to_owned()
    } else {
        format!("github.com/{text}")
    }
}

/// The ref part of `...@refs/tags/v1`.
fn ref_of(uri: &str) -> Option<String> {
    uri.split_once('@')
        .map(|(_, r)| r.to_owned())
        .filter(|r| !r.is_empty())
}

/// The DSSE payload of a bundle, parsed as JSON (not yet trusted: the
/// signature check decides that).
pub fn statement_of(loaded: &LoadedBundle) -> Result<Value, String> {
    match &loaded.bundle.content {
        SignatureContent::DsseEnvelope(envelope) => {
            serde_json::from_slice(envelope.payload.as_bytes())
                .map_err(|e| format!("the DSSE payload is not JSON: {e}"))
        }
        _ => {
            Err("the bundle signs a blob (message signature), not an in-toto statement".to_owned())
        }
    }
}

/// `name sha256:… , …` for the transcript.
pub fn subject_list(statement: &Value) -> String {
    let Some(subjects) = statement.get("subject").and_then(Value::as_array) else {
        return "no `subject` array".to_owned();
    };
    if subjects.is_empty() {
        return "an empty `subject` array".to_owned();
    }
    subjects
        .iter()
        .map(|s| {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            let digests = s
                .get("digest")
                .and_then(Value::as_object)
                .map(|d| {
                    d.iter()
                        .map(|(alg, v)| format!("{alg}:{}", v.as_str().unwrap_or("?")))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            if name.is_empty() {
                digests
            } else {
                format!("{name} {digests}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when a subject's sha256 equals `sha256_hex` (any case).
pub fn names_digest(statement: &Value, sha256_hex: &str) -> bool {
    statement
        .get("subject")
        .and_then(Value::as_array)
        .is_some_and(|subjects| {
            subjects.iter().any(|s| {
                s.get("digest")
                    .and_then(|d| d.get("sha256"))
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.eq_ignore_ascii_case(sha256_hex))
            })
        })
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    current.as_str()
}

/// What the predicate says about builder, source and ref.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PredicateFacts {
    pub builder_id: Option<String>,
    /// Where the source came from, as written, and the field it was read from.
    pub source: Option<(String, &'static str)>,
    pub git_ref: Option<(String, &'static str)>,
    /// v1 GitHub provenance: the workflow that ran (`repo/path@ref`, as a
    /// `https://github.com/...` URI).
    pub workflow: Option<String>,
}

/// Read builder, source and ref from a v0.2 or v1 predicate.
pub fn predicate_facts(predicate_type: &str, predicate: &Value) -> PredicateFacts {
    let mut facts = PredicateFacts::default();
    if predicate_type == SLSA_V02 {
        facts.builder_id = str_at(predicate, &["builder", "id"]).map(str::to_owned);
        let config = str_at(predicate, &["invocation", "configSource", "uri"]);
        let material = predicate
            .get("materials")
            .and_then(Value::as_array)
            .and_then(|m| m.first())
            .and_then(|m| m.get("uri"))
            .and_then(Value::as_str);
        if let Some(uri) = config {
            facts.source = Some((uri.to_owned(), "predicate.invocation.configSource.uri"));
            facts.git_ref = ref_of(uri).map(|r| (r, "predicate.invocation.configSource.uri"));
        } else if let Some(uri) = material {
            facts.source = Some((uri.to_owned(), "predicate.materials[0].uri"));
            facts.git_ref = ref_of(uri).map(|r| (r, "predicate.materials[0].uri"));
        }
        if facts.git_ref.is_none()
            && let Some(r) = str_at(predicate, &["invocation", "environment", "github_ref"])
        {
            facts.git_ref = Some((r.to_owned(), "predicate.invocation.environment.github_ref"));
        }
    } else if predicate_type == SLSA_V1 {
        facts.builder_id = str_at(predicate, &["runDetails", "builder", "id"]).map(str::to_owned);
        let workflow = predicate
            .get("buildDefinition")
            .and_then(|b| b.get("externalParameters"))
            .and_then(|e| e.get("workflow"));
        let dependency = predicate
            .get("buildDefinition")
            .and_then(|b| b.get("resolvedDependencies"))
            .and_then(Value::as_array)
            .and_then(|d| d.first())
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str);
        let repo = workflow.and_then(|w| str_at(w, &["repository"]));
        let wf_ref = workflow.and_then(|w| str_at(w, &["ref"]));
        let path = workflow.and_then(|w| str_at(w, &["path"]));
        if let Some(repo) = repo {
            facts.source = Some((
                repo.to_owned(),
                "predicate.buildDefinition.externalParameters.workflow.repository",
            ));
        } else if let Some(uri) = dependency {
            facts.source = Some((
                uri.to_owned(),
                "predicate.buildDefinition.resolvedDependencies[0].uri",
            ));
        }
        if let Some(r) = wf_ref {
            facts.git_ref = Some((
                r.to_owned(),
                "predicate.buildDefinition.externalParameters.workflow.ref",
            ));
        } else if let Some(r) = dependency.and_then(ref_of) {
            facts.git_ref = Some((r, "predicate.buildDefinition.resolvedDependencies[0].uri"));
        }
        if let (Some(repo), Some(path), Some(r)) = (repo, path, wf_ref) {
            facts.workflow = Some(format!(
                "https://{}/{}@{r}",
                normalize_repo(repo),
                path.trim_start_matches('/')
            ));
        }
    }
    facts
}

/// The workflow that signed the certificate: the Build Signer URI
/// extension (1.3.6.1.4.1.57264.1.9), else the SAN.
pub fn certificate_signer(cert: &CertificateInfo) -> Option<String> {
    cert.ci_claims
        .build_signer_uri
        .clone()
        .or_else(|| cert.identity.as_ref().map(|s| s.as_str().to_owned()))
}

/// `--builder-id` against the predicate's builder id: without `@ref` the
/// part before `@`; with it the whole id, where a short tag (`@v1.2.3`)
/// stands for `@refs/tags/v1.2.3` (slsa-verifier accepts both forms).
fn builder_matches(expected: &str, actual: &str) -> bool {
    match (expected.split_once('@'), actual.split_once('@')) {
        (None, _) => actual.split('@').next() == Some(expected),
        (Some((e_id, e_ref)), Some((a_id, a_ref))) => {
            let short = |r: &'_ str| r.strip_prefix("refs/tags/").map(str::to_owned);
            e_id == a_id
                && (e_ref == a_ref
                    || (!e_ref.starts_with("refs/") && short(a_ref).as_deref() == Some(e_ref)))
        }
        (Some(_), None) => false,
    }
}

/// The builder-signer binding when a delegator signed: the delegator at a
/// release tag, and a TRW that is the generator's own or named by
/// `--builder-id` (whose match is the `builder-id` check).
fn delegated_binding(
    subject: &str,
    builder: &str,
    signer: &str,
    policy: &ProvenancePolicy,
) -> Check {
    let (delegator, delegator_ref) = signer.split_once('@').unwrap_or((signer, ""));
    let (trw, trw_ref) = builder.split_once('@').unwrap_or((builder, ""));
    let fail = |why: String| {
        Check::fail(CheckId::BuilderSigner, subject, why)
            .expected(format!("{delegator}@refs/tags/vX.Y.Z"))
            .actual(signer.to_owned())
    };
    if !is_release_ref(delegator_ref) {
        return fail(format!(
            "the delegator {delegator} signed at `{delegator_ref}`, not at a release tag (refs/tags/vX.Y.Z): only a released delegator is trusted to name the builder"
        ));
    }
    if DELEGATED_GENERATOR_BUILDERS.contains(&trw) {
        if !is_release_ref(trw_ref) {
            return fail(format!(
                "the builder {trw} ran at `{trw_ref}`, not at a release tag (refs/tags/vX.Y.Z)"
            ));
        }
        return Check::pass(CheckId::BuilderSigner, subject)
            .expected(signer.to_owned())
            .actual(builder.to_owned())
            .detail("slsa-github-generator's delegator signed for its own builder (trusted reusable workflow model)");
    }
    if policy.builder_id.is_none() {
        return Check::fail(
            CheckId::BuilderSigner,
            subject,
            format!(
                "the delegator {delegator} signed for the third-party builder {trw}: it is trusted only when --builder-id names it"
            ),
        )
        .expected("--builder-id naming the trusted reusable workflow")
        .actual(builder.to_owned());
    }
    Check::pass(CheckId::BuilderSigner, subject)
        .expected(signer.to_owned())
        .actual(builder.to_owned())
        .detail("slsa-github-generator's delegator signed for the trusted reusable workflow --builder-id names (see the builder-id check)")
}

/// Every provenance check for one verified statement.
pub fn provenance_checks(
    subject: &str,
    statement: &Value,
    cert: Option<&CertificateInfo>,
    policy: &ProvenancePolicy,
    sha256_hex: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let statement_type = statement.get("_type").and_then(Value::as_str).unwrap_or("");
    checks.push(
        Check::compare(
            CheckId::StatementType,
            subject,
            STATEMENT_TYPES.contains(&statement_type),
        )
        .expected(STATEMENT_TYPES.join(" or "))
        .actual(display_or_missing(statement_type, "_type")),
    );
    let predicate_type = statement
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or("");
    let known_predicate = predicate_type == SLSA_V02 || predicate_type == SLSA_V1;
    checks.push(
        Check::compare(CheckId::PredicateType, subject, known_predicate)
            .expected(format!("{SLSA_V02} or {SLSA_V1}"))
            .actual(display_or_missing(predicate_type, "predicateType")),
    );
    checks.push(
        Check::compare(
            CheckId::SubjectDigest,
            subject,
            names_digest(statement, sha256_hex),
        )
        .expected(format!("sha256:{sha256_hex}"))
        .actual(subject_list(statement)),
    );

    let predicate = statement.get("predicate").cloned().unwrap_or(Value::Null);
    let facts = predicate_facts(predicate_type, &predicate);
    let signer = cert.and_then(certificate_signer);
    let claims = cert.map(|c| &c.ci_claims);

    // Builder id, as required.
    if let Some(expected) = &policy.builder_id {
        let actual = facts.builder_id.as_deref();
        let ok = actual.is_some_and(|a| builder_matches(expected, a));
        checks.push(
            Check::compare(CheckId::BuilderId, subject, ok)
                .expected(expected.clone())
                .actual(
                    actual
                        .unwrap_or("no builder id in the predicate")
                        .to_owned(),
                ),
        );
    } else {
        checks.push(Check::not_applicable(
            CheckId::BuilderId,
            subject,
            "no --builder-id: any builder bound to the signer is accepted",
        ));
    }

    // The builder the predicate claims must be the certificate's signer.
    let binding = match (&facts.builder_id, &signer) {
        (None, _) => Check::fail(
            CheckId::BuilderSigner,
            subject,
            "the predicate names no builder id",
        ),
        (Some(_), None) => Check::fail(
            CheckId::BuilderSigner,
            subject,
            "the certificate names no signer (no Build Signer URI extension and no SAN)",
        ),
        (Some(builder), Some(signer)) if builder == signer => {
            Check::pass(CheckId::BuilderSigner, subject)
                .expected(signer.clone())
                .actual(builder.clone())
                .detail("the predicate's builder is the workflow that signed the certificate")
        }
        (Some(builder), Some(signer))
            if DELEGATORS.contains(&signer.split('@').next().unwrap_or_default()) =>
        {
            delegated_binding(subject, builder, signer, policy)
        }
        (Some(builder), Some(signer)) if GITHUB_RUNNER_BUILDERS.contains(&builder.as_str()) => {
            // GitHub's provenance names the runner as builder; the signer
            // must then be the workflow the predicate says ran.
            let ok = facts.workflow.as_deref() == Some(signer.as_str());
            Check::compare(CheckId::BuilderSigner, subject, ok)
                .expected(signer.clone())
                .actual(
                    facts
                        .workflow
                        .clone()
                        .unwrap_or_else(|| "no externalParameters.workflow in the predicate".into()),
                )
                .detail(format!(
                    "builder {builder}: the workflow the predicate says ran must be the certificate's signer"
                ))
        }
        (Some(builder), Some(signer)) => Check::fail(
            CheckId::BuilderSigner,
            subject,
            format!(
                "signer mismatch: the predicate claims builder {builder} but the certificate was signed by {signer}; a predicate is only text its signer wrote, so this attestation was not produced by the builder it names"
            ),
        )
        .expected(signer.clone())
        .actual(builder.clone()),
    };
    checks.push(binding);

    if let Some(expected) = &policy.signer_workflow {
        let actual = signer.as_deref().map(normalize_workflow);
        let ok = actual.as_deref() == Some(expected.as_str());
        checks.push(
            Check::compare(CheckId::SignerWorkflow, subject, ok)
                .expected(expected.clone())
                .actual(signer.unwrap_or_else(|| "no signer in the certificate".into())),
        );
    }

    // Source repository: predicate, then certificate.
    match &facts.source {
        Some((uri, field)) => checks.push(
            Check::compare(
                CheckId::SourceUri,
                subject,
                normalize_repo(uri) == policy.source_uri,
            )
            .expected(policy.source_uri.clone())
            .actual(uri.clone())
            .detail(format!("read from {field}")),
        ),
        None => checks.push(
            Check::fail(
                CheckId::SourceUri,
                subject,
                "the predicate names no source repository",
            )
            .expected(policy.source_uri.clone()),
        ),
    }
    let cert_source = claims.and_then(|c| {
        c.source_repository_uri
            .clone()
            .map(|v| {
                (
                    v,
                    "certificate extension 1.3.6.1.4.1.57264.1.12 (Source Repository URI)",
                )
            })
            .or_else(|| {
                c.deprecated_github.workflow_repository.clone().map(|v| {
                    (
                        format!("github.com/{v}"),
                        "certificate extension 1.3.6.1.4.1.57264.1.5 (GitHub Workflow Repository)",
                    )
                })
            })
    });
    match cert_source {
        Some((uri, field)) => checks.push(
            Check::compare(
                CheckId::SourceUriCertificate,
                subject,
                normalize_repo(&uri) == policy.source_uri,
            )
            .expected(policy.source_uri.clone())
            .actual(uri)
            .detail(format!("read from {field}")),
        ),
        None => checks.push(
            Check::fail(
                CheckId::SourceUriCertificate,
                subject,
                "the certificate carries no source repository extension (1.3.6.1.4.1.57264.1.12 or .5), so where it was signed cannot be established",
            )
            .expected(policy.source_uri.clone()),
        ),
    }

    // Source ref, when required.
    match &policy.source_ref {
        None => checks.push(Check::not_applicable(
            CheckId::SourceRef,
            subject,
            "no --source-tag, --source-branch or --source-versioned-tag: any ref is accepted",
        )),
        Some(required) => {
            let expected = required.expected();
            match &facts.git_ref {
                Some((actual, field)) => checks.push(
                    Check::compare(CheckId::SourceRef, subject, required.accepts(actual))
                        .expected(expected.clone())
                        .actual(actual.clone())
                        .detail(format!("read from {field}")),
                ),
                None => checks.push(
                    Check::fail(
                        CheckId::SourceRef,
                        subject,
                        "the predicate names no source ref",
                    )
                    .expected(expected.clone()),
                ),
            }
            let cert_ref = claims.and_then(|c| {
                c.source_repository_ref
                    .clone()
                    .map(|v| {
                        (
                            v,
                            "certificate extension 1.3.6.1.4.1.57264.1.14 (Source Repository Ref)",
                        )
                    })
                    .or_else(|| {
                        c.deprecated_github.workflow_ref.clone().map(|v| {
                            (
                                v,
                                "certificate extension 1.3.6.1.4.1.57264.1.6 (GitHub Workflow Ref)",
                            )
                        })
                    })
            });
            match cert_ref {
                Some((actual, field)) => checks.push(
                    Check::compare(
                        CheckId::SourceRefCertificate,
                        subject,
                        required.accepts(&actual),
                    )
                        .expected(expected)
                        .actual(actual)
                        .detail(format!("read from {field}")),
                ),
                None => checks.push(
                    Check::fail(
                        CheckId::SourceRefCertificate,
                        subject,
                        "the certificate carries no source ref extension (1.3.6.1.4.1.57264.1.14 or .6)",
                    )
                    .expected(expected),
                ),
            }
        }
    }
    checks
}

fn display_or_missing(value: &str, field: &str) -> String {
    if value.is_empty() {
        format!("no `{field}`")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn repositories_and_workflows_normalise() {
        for uri in [
            "github.com/o/r",
            "https://github.com/o/r",
            "git+https://github.com/o/r@refs/tags/v1",
            "https://github.com/o/r.git",
            "https://github.com/o/r/",
        ] {
            assert_eq!(normalize_repo(uri), "github.com/o/r", "{uri}");
        }
        for uri in [
            "o/r/.github/workflows/w.yml",
            "github.com/o/r/.github/workflows/w.yml",
            "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main",
        ] {
            assert_eq!(
                normalize_workflow(uri),
                "github.com/o/r/.github/workflows/w.yml",
                "{uri}"
            );
        }
    }

    #[test]
    fn policy_flags_are_validated() {
        for bad in ["o/r", "gitlab.com/o/r", "github.com/o", "github.com/o/r/x"] {
            let err = ProvenancePolicy::new(bad, None, None, None).unwrap_err();
            assert!(err.message.contains("--source-uri"), "{bad}");
        }
        let err = ProvenancePolicy::new(
            "github.com/o/r",
            Some(SourceRef::Tag("refs/tags/v1".into())),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("bare name"));
        let err = ProvenancePolicy::new("github.com/o/r", None, None, Some("o/r")).unwrap_err();
        assert!(err.message.contains("--signer-workflow"));
    }

    #[test]
    fn builder_id_without_ref_matches_any_ref() {
        let id = "https://github.com/s/g/.github/workflows/b.yml";
        assert!(builder_matches(id, &format!("{id}@refs/tags/v2.1.0")));
        assert!(builder_matches(
            &format!("{id}@refs/tags/v2.1.0"),
            &format!("{id}@refs/tags/v2.1.0")
        ));
        assert!(!builder_matches(
            &format!("{id}@refs/tags/v2.0.0"),
            &format!("{id}@refs/tags/v2.1.0")
        ));
        assert!(!builder_matches(
            id,
            "https://github.com/s/g/.github/workflows/b.yml.evil@x"
        ));
    }

    #[test]
    fn a_short_tag_stands_for_the_tag_ref_and_nothing_else() {
        let id = "https://github.com/s/g/.github/workflows/b.yml";
        let actual = format!("{id}@refs/tags/v2.1.0");
        assert!(builder_matches(&format!("{id}@v2.1.0"), &actual));
        assert!(!builder_matches(&format!("{id}@v2.1"), &actual));
        assert!(!builder_matches(&format!("{id}@v2.0.0"), &actual));
        // A short name is a tag, never a branch.
        assert!(!builder_matches(
            &format!("{id}@main"),
            &format!("{id}@refs/heads/main")
        ));
        assert!(!builder_matches(&format!("{id}@v2.1.0"), id));
        assert!(!builder_matches(
            &format!("{id}.evil@v2.1.0"),
            &format!("{id}.evil2@refs/tags/v2.1.0")
        ));
    }

    #[test]
    fn versioned_tags_parse_as_semver_and_match_by_the_parts_given() {
        for bad in [
            "",
            "v",
            "1.2.3",
            "v1.",
            "v01",
            "v1.02",
            "v1.2.3.4",
            "v1.2-rc",
            "v1.2.3-",
            "v1.2.3-a..b",
            "vx",
        ] {
            assert!(VersionedTag::parse(bad).is_err(), "{bad:?} parsed");
        }
        let v1 = VersionedTag::parse("v1").unwrap();
        assert!(v1.accepts_tag("v1.0.0") && v1.accepts_tag("v1.9.3") && v1.accepts_tag("v1"));
        assert!(
            !v1.accepts_tag("v2.0.0") && !v1.accepts_tag("v10.0.0") && !v1.accepts_tag("1.0.0")
        );
        assert!(!v1.accepts_tag("release-1") && !v1.accepts_tag(""));
        let v12 = VersionedTag::parse("v1.2").unwrap();
        assert!(v12.accepts_tag("v1.2.0") && v12.accepts_tag("v1.2.9") && v12.accepts_tag("v1.2"));
        assert!(!v12.accepts_tag("v1.3.0") && !v12.accepts_tag("v1"));
        let rc = VersionedTag::parse("v1.2.3-rc.1+build").unwrap();
        assert!(rc.accepts_tag("v1.2.3-rc.1") && rc.accepts_tag("v1.2.3-rc.1+other"));
        assert!(!rc.accepts_tag("v1.2.3") && !rc.accepts_tag("v1.2.3-rc.2"));
        let exact = SourceRef::VersionedTag(VersionedTag::parse("v1.2.3").unwrap());
        assert!(exact.accepts("refs/tags/v1.2.3"));
        assert!(
            !exact.accepts("refs/heads/v1.2.3"),
            "a branch named like a release"
        );
        assert!(!exact.accepts("v1.2.3"));
        assert!(exact.expected().starts_with("refs/tags/v1.2.3 "));
    }

    #[test]
    fn release_refs_are_semver_tags() {
        for ok in ["refs/tags/v1.9.0", "refs/tags/v10.0.12"] {
            assert!(is_release_ref(ok), "{ok}");
        }
        for bad in [
            "refs/heads/main",
            "refs/tags/v1.9",
            "refs/tags/1.9.0",
            "refs/tags/v1.9.0-rc.1",
            "refs/tags/v1..0",
            "v1.9.0",
            "",
        ] {
            assert!(!is_release_ref(bad), "{bad}");
        }
    }

    #[test]
    fn digests_match_in_any_case_and_only_sha256() {
        let statement =
            json!({"subject": [{"name": "a", "digest": {"sha256": "ABCDEF", "sha512": "00"}}]});
        assert!(names_digest(&statement, "abcdef"));
        assert!(!names_digest(&statement, "00"));
        assert!(!names_digest(&json!({"subject": "x"}), "abcdef"));
    }

    #[test]
    fn facts_come_from_v02_and_v1_predicates() {
        let v02 = json!({
            "builder": {"id": "B"},
            "invocation": {"configSource": {"uri": "git+https://github.com/o/r@refs/tags/v1"}}
        });
        let facts = predicate_facts(SLSA_V02, &v02);
        assert_eq!(facts.builder_id.as_deref(), Some("B"));
        assert_eq!(
            facts.source.unwrap().0,
            "git+https://github.com/o/r@refs/tags/v1"
        );
        assert_eq!(facts.git_ref.unwrap().0, "refs/tags/v1");

        let v1 = json!({
            "buildDefinition": {"externalParameters": {"workflow": {
                "ref": "refs/heads/main", "repository": "https://github.com/o/r", "path": ".github/workflows/w.yml"}}},
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}}
        });
        let facts = predicate_facts(SLSA_V1, &v1);
        assert_eq!(facts.git_ref.unwrap().0, "refs/heads/main");
        assert_eq!(
            facts.workflow.as_deref(),
            Some("https://github.com/o/r/.github/workflows/w.yml@refs/heads/main")
        );
        assert_eq!(predicate_facts("other", &v1), PredicateFacts::default());
    }

    #[test]
    fn any_of_several_subjects_matches_and_the_policy_reads_a_v02_predicate() {
        let statement = json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": SLSA_V02,
            "subject": [
                {"name": "a", "digest": {"sha256": "aa"}},
                {"name": "b", "digest": {"sha256": "BB"}},
                {"name": "c", "digest": {"sha512": "cc"}}
            ],
            "predicate": {
                "builder": {"id": "https://github.com/b/b/.github/workflows/b.yml@refs/tags/v1"},
                "invocation": {"configSource": {"uri": "git+https://github.com/o/r@refs/tags/v1"}}
            }
        });
        let policy = ProvenancePolicy::new(
            "github.com/o/r",
            Some(SourceRef::Tag("v1".into())),
            Some("https://github.com/b/b/.github/workflows/b.yml".into()),
            None,
        )
        .unwrap();
        for digest in ["aa", "bb"] {
            let checks = provenance_checks("s", &statement, None, &policy, digest);
            let by = |id| checks.iter().find(|c| c.id == id).unwrap().result;
            assert_eq!(by(CheckId::SubjectDigest), crate::CheckResult::Pass);
            assert_eq!(by(CheckId::BuilderId), crate::CheckResult::Pass);
            assert_eq!(by(CheckId::SourceUri), crate::CheckResult::Pass);
            assert_eq!(by(CheckId::SourceRef), crate::CheckResult::Pass);
            // Without a certificate nothing binds the builder or the source.
            assert_eq!(by(CheckId::BuilderSigner), crate::CheckResult::Fail);
            assert_eq!(by(CheckId::SourceUriCertificate), crate::CheckResult::Fail);
            assert_eq!(by(CheckId::SourceRefCertificate), crate::CheckResult::Fail);
        }
        let checks = provenance_checks("s", &statement, None, &policy, "cc");
        assert!(
            checks
                .iter()
                .any(|c| c.id == CheckId::SubjectDigest && c.failed())
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Arbitrary JSON where a statement is expected never panics and
        /// never passes without a matching subject.
        #[test]
        fn arbitrary_statements_never_panic_or_pass_blindly(
            text in "(?s).{0,300}",
            types in prop::sample::select(vec![SLSA_V02, SLSA_V1, "x"]),
        ) {
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
            let policy = ProvenancePolicy::new("github.com/o/r", Some(SourceRef::Tag("v1".into())), Some("B".into()), Some("o/r/w.yml")).unwrap();
            let checks = provenance_checks("s", &value, None, &policy, "00");
            prop_assert!(checks.iter().any(|c| c.failed()));
            let _ = predicate_facts(types, &value);
            let _ = subject_list(&value);
        }
    }
}

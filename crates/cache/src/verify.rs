//! The restore check: the signature first, then every file of the
//! restored paths against the signed manifest (extra files are a mismatch
//! too), and on any mismatch the quarantine and the `cache_quarantine`
//! event.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ci_intel_attest::{ArtifactInput, BundleRequest, IdentityPolicy, TrustSelection};
use ci_intel_core::Failure;
use ci_intel_manifest::{DiffOptions, Difference, Manifest, manifest_of_roots, parse_manifest};
use serde::Serialize;
use serde_json::json;

use crate::domain::{Domain, UNTRUSTED_TRIGGERS};
use crate::keys;

/// How the signature must verify.
#[derive(Debug, Clone)]
pub enum Trust {
    /// A PEM (SPKI) Ed25519 public key or a minisign public key.
    PublicKey(PathBuf),
    /// A Sigstore bundle (`actions/attest`) whose certificate names this
    /// workflow identity and OIDC issuer.
    Keyless {
        identity: IdentityPolicy,
        issuer: String,
        trust: TrustSelection,
    },
}

/// Everything a restore check needs.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// The restored paths, as given to the cache action (must be the
    /// manifest's roots).
    pub paths: Vec<PathBuf>,
    /// Where relative `paths` are (default: the current directory).
    pub base: Option<PathBuf>,
    pub manifest: PathBuf,
    pub signature: PathBuf,
    pub trust: Trust,
    /// The key the entry was restored under: the manifest must name it
    /// (an entry replayed under another key is refused).
    pub expected_key: Option<String>,
    /// The restoring job's domain: a trusted job accepts only trusted
    /// entries.
    pub job_domain: Domain,
    pub options: ci_intel_manifest::Options,
}

/// Why a restore passed or was refused. Each refusal has a rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Verified,
    Unsigned,
    BadSignature,
    BadManifest,
    UntrustedEntry,
    KeyMismatch,
    RootsMismatch,
    TreeMismatch,
    /// The check itself failed (unreadable tree, special file...).
    Error,
}

impl Reason {
    /// The rule id of a refusal.
    pub fn rule(self) -> &'static str {
        match self {
            Reason::Verified => "cache-verified",
            Reason::Unsigned => "cache-unsigned",
            Reason::BadSignature => "cache-bad-signature",
            Reason::BadManifest => "cache-bad-manifest",
            Reason::UntrustedEntry => "cache-untrusted-entry",
            Reason::KeyMismatch => "cache-key-mismatch",
            Reason::RootsMismatch => "cache-roots-mismatch",
            Reason::TreeMismatch => "cache-tree-mismatch",
            Reason::Error => "cache-verify-error",
        }
    }

    /// Every refusal rule: (id, title).
    pub const RULES: [(Reason, &'static str); 8] = [
        (
            Reason::Unsigned,
            "The cache entry has no manifest or no signature",
        ),
        (
            Reason::BadSignature,
            "The manifest's signature does not verify with the expected key or identity",
        ),
        (
            Reason::BadManifest,
            "The signed manifest is not a valid ci-intel manifest",
        ),
        (
            Reason::UntrustedEntry,
            "An entry written from an untrusted context was restored into a trusted job",
        ),
        (
            Reason::KeyMismatch,
            "The manifest was written for another cache key",
        ),
        (
            Reason::RootsMismatch,
            "The manifest records other paths than the ones restored",
        ),
        (
            Reason::TreeMismatch,
            "A restored file differs from the signed manifest",
        ),
        (Reason::Error, "The restored tree could not be verified"),
    ];
}

/// What the check decided, with everything the event and report need.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub reason: Reason,
    pub message: String,
    /// The cache key the manifest names.
    pub key: Option<String>,
    /// The domain the manifest names.
    pub entry_domain: Option<String>,
    pub expected_root: Option<String>,
    pub actual_root: Option<String>,
    pub differences: Vec<Difference>,
    /// Who signed (key id or certificate identity), when the signature
    /// verified.
    pub signer: Option<String>,
    /// Who had to sign.
    pub expected_signer: String,
    pub files: u64,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.reason == Reason::Verified
    }
}

/// How many differing paths an event and a summary list.
pub const FIRST_PATHS: usize = 20;

/// Run the restore check. `Err` only when the check could not run
/// (unreadable files): callers quarantine in that case too.
pub fn verify_restore(req: &VerifyRequest) -> Result<Verification, Failure> {
    let expected_signer = describe_trust(&req.trust)?;
    let mut result = Verification {
        reason: Reason::Verified,
        message: String::new(),
        key: None,
        entry_domain: None,
        expected_root: None,
        actual_root: None,
        differences: Vec::new(),
        signer: None,
        expected_signer,
        files: 0,
    };
    let deny = |mut result: Verification, reason: Reason, message: String| {
        result.reason = reason;
        result.message = message;
        // Best effort: the event names the restored tree's root digest.
        result.actual_root = actual(req).ok().map(|m| m.root_digest);
        Ok(result)
    };
    let Some(manifest_bytes) = read_optional(&req.manifest)? else {
        return deny(
            result,
            Reason::Unsigned,
            format!(
                "the entry has no manifest ({} is missing)",
                req.manifest.display()
            ),
        );
    };
    let signature = read_optional(&req.signature)?.filter(|s| !s.is_empty());
    let Some(signature) = signature else {
        return deny(
            result,
            Reason::Unsigned,
            format!(
                "the manifest is unsigned ({} is missing or empty)",
                req.signature.display()
            ),
        );
    };
    // 1. The signature, before anything in the manifest is believed.
    match check_signature(req, &manifest_bytes, &signature) {
        Ok(signer) => result.signer = Some(signer),
        Err((reason, message)) => return deny(result, reason, message),
    }
    // 2. The manifest itself.
    let manifest = match parse_manifest(&manifest_bytes) {
        Ok(manifest) => manifest,
        Err(e) => {
            return deny(
                result,
                Reason::BadManifest,
                format!("{}: {e}", req.manifest.display()),
            );
        }
    };
    result.expected_root = Some(manifest.root_digest.clone());
    result.key = manifest.meta_str("key").map(str::to_owned);
    result.entry_domain = manifest.meta_str("domain").map(str::to_owned);
    // 3. Fork isolation.
    let entry_domain = result.entry_domain.as_deref().and_then(Domain::parse);
    if req.job_domain == Domain::Trusted && entry_domain != Some(Domain::Trusted) {
        let message = format!(
            "the entry was written in the {} domain and this job is trusted: a trusted job never restores an entry an untrusted context wrote",
            result.entry_domain.as_deref().unwrap_or("(unnamed)")
        );
        return deny(result, Reason::UntrustedEntry, message);
    }
    // 4. The key it was restored under.
    if let Some(expected) = &req.expected_key
        && result.key.as_deref() != Some(expected.as_str())
    {
        let message = format!(
            "the entry was restored under key `{expected}` but its manifest was written for `{}`",
            result.key.as_deref().unwrap_or("(none)")
        );
        return deny(result, Reason::KeyMismatch, message);
    }
    // 5. The paths.
    let given = req.given_paths();
    if given != manifest.roots {
        let message = format!(
            "the manifest records the paths {:?}, the restore names {:?}",
            manifest.roots, given
        );
        return deny(result, Reason::RootsMismatch, message);
    }
    // 6. Every file, and nothing more.
    let actual = actual(req)?;
    result.actual_root = Some(actual.root_digest.clone());
    result.files = actual.files;
    let differences = ci_intel_manifest::diff(&manifest, &actual, &DiffOptions { modes: true });
    if !differences.is_empty() {
        result.reason = Reason::TreeMismatch;
        result.message = format!(
            "{} path(s) differ from the signed manifest, first: {} ({})",
            differences.len(),
            differences[0].path,
            differences[0].change.as_str()
        );
        result.differences = differences;
        return Ok(result);
    }
    result.message = format!(
        "{} file(s) match the manifest signed by {}",
        actual.files,
        result.signer.as_deref().unwrap_or("?")
    );
    Ok(result)
}

fn actual(req: &VerifyRequest) -> Result<Manifest, Failure> {
    let mut options = req.options.clone();
    options.allow_missing_roots = true;
    // A restored tree may hold whatever an attacker put there: record
    // every symlink as it is and let the comparison judge it.
    options.allow_external_symlinks = true;
    let mut manifest = manifest_of_roots(&req.located_paths(), &options)?;
    manifest.roots = req.given_paths();
    Ok(manifest)
}

impl VerifyRequest {
    /// The paths as the manifest names them.
    pub fn given_paths(&self) -> Vec<String> {
        self.paths
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    /// The paths on disk.
    pub fn located_paths(&self) -> Vec<PathBuf> {
        match &self.base {
            Some(base) => self.paths.iter().map(|p| base.join(p)).collect(),
            None => self.paths.clone(),
        }
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::infra(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Who must have signed, in words.
pub fn describe_trust(trust: &Trust) -> Result<String, Failure> {
    Ok(match trust {
        Trust::PublicKey(path) => keys::load_public_key(path)?.identity(),
        Trust::Keyless {
            identity, issuer, ..
        } => format!("{} (issuer {issuer})", describe_identity(identity)),
    })
}

fn describe_identity(identity: &IdentityPolicy) -> String {
    match identity {
        IdentityPolicy::Exact(value) => value.clone(),
        IdentityPolicy::Regex(re) => format!("matches /{}/", re.as_str()),
        IdentityPolicy::Unconstrained => "any identity".to_owned(),
    }
}

/// The signer's identity, or why the signature is refused.
fn check_signature(
    req: &VerifyRequest,
    manifest: &[u8],
    signature: &[u8],
) -> Result<String, (Reason, String)> {
    match &req.trust {
        Trust::PublicKey(path) => {
            let key = keys::load_public_key(path).map_err(|f| (Reason::Error, f.message))?;
            keys::verify(&key, manifest, signature).map_err(|why| (Reason::BadSignature, why))?;
            Ok(key.identity())
        }
        Trust::Keyless {
            identity,
            issuer,
            trust,
        } => {
            let request = BundleRequest {
                artifacts: vec![ArtifactInput::File(req.manifest.clone())],
                bundle: req.signature.clone(),
                identity: Some(identity.clone()),
                issuer: Some(issuer.clone()),
                key: None,
                trust: trust.clone(),
            };
            let outcome = ci_intel_attest::verify_bundle(&request).map_err(|f| {
                (
                    Reason::BadSignature,
                    format!("the Sigstore bundle cannot be verified: {}", f.message),
                )
            })?;
            if !outcome.passed() {
                let why: Vec<String> = outcome.findings.iter().map(|f| f.message.clone()).collect();
                return Err((
                    Reason::BadSignature,
                    format!("the Sigstore bundle does not verify: {}", why.join("; ")),
                ));
            }
            let (signer, trigger) = certificate_claims(&req.signature);
            if req.job_domain == Domain::Trusted
                && let Some(trigger) = trigger.as_deref()
                && UNTRUSTED_TRIGGERS.contains(&trigger)
            {
                return Err((
                    Reason::UntrustedEntry,
                    format!(
                        "the manifest was signed by a `{trigger}` run, which cannot vouch for an entry a trusted job restores"
                    ),
                ));
            }
            Ok(signer.unwrap_or_else(|| describe_identity(identity)))
        }
    }
}

/// The signing certificate's identity and build trigger (Fulcio claims).
fn certificate_claims(bundle: &Path) -> (Option<String>, Option<String>) {
    let Ok(bundles) = ci_intel_attest::bundle::read_bundles(bundle) else {
        return (None, None);
    };
    let Some(first) = bundles.first() else {
        return (None, None);
    };
    let Some(der) = first.bundle.signing_certificate() else {
        return (None, None);
    };
    match sigstore_crypto::parse_certificate_info(der) {
        Ok(info) => (
            info.identity.map(|i| i.to_string()),
            info.ci_claims.build_trigger,
        ),
        Err(_) => (None, None),
    }
}

/// Move every existing restored path into a fresh folder under `dir`,
/// leaving the cache paths empty so the job builds cold. Returns the
/// folder.
pub fn quarantine(paths: &[PathBuf], dir: &Path, stamp: &str) -> Result<PathBuf, Failure> {
    let target = dir.join(stamp);
    std::fs::create_dir_all(&target).map_err(|e| {
        Failure::infra(format!(
            "cannot create quarantine folder {}: {e}",
            target.display()
        ))
    })?;
    for (index, path) in paths.iter().enumerate() {
        if std::fs::symlink_metadata(path).is_err() {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".to_owned());
        let dest = target.join(format!("{index}-{name}"));
        move_path(path, &dest).map_err(|e| {
            Failure::infra(format!(
                "cannot move {} into quarantine ({}): {e}; the tree must not be used",
                path.display(),
                dest.display()
            ))
        })?;
    }
    Ok(target)
}

/// Rename, or copy and delete across file systems.
fn move_path(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) => {
            copy_tree(from, to)?;
            let meta = std::fs::symlink_metadata(from)?;
            if meta.is_dir() {
                std::fs::remove_dir_all(from)
            } else {
                std::fs::remove_file(from)
            }
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from)?;
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(target, to)
        }
        #[cfg(not(unix))]
        {
            let _ = target;
            Ok(())
        }
    } else if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// The `cache_quarantine` event (one NDJSON line).
pub fn quarantine_event(
    verification: &Verification,
    restored_key: Option<&str>,
    quarantined_to: Option<&Path>,
    context: &crate::domain::Context,
) -> serde_json::Value {
    let first: Vec<&Difference> = verification.differences.iter().take(FIRST_PATHS).collect();
    json!({
        "event": "cache_quarantine",
        "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "key": restored_key.map(str::to_owned).or_else(|| verification.key.clone()),
        "manifest_key": verification.key,
        "expected_root": verification.expected_root,
        "actual_root": verification.actual_root,
        "rule": verification.reason.rule(),
        "reason": verification.message,
        "differing_paths": first.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
        "differences": first,
        "differences_total": verification.differences.len(),
        "identity": {
            "expected": verification.expected_signer,
            "actual": verification.signer,
        },
        "domain": {
            "entry": verification.entry_domain,
            "job": context.domain.as_str(),
        },
        "quarantine": quarantined_to.map(|p| p.display().to_string()),
        "run": context,
    })
}

/// Append one event line to an NDJSON file.
pub fn append_event(path: &Path, event: &serde_json::Value) -> Result<(), Failure> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut line = serde_json::to_string(event)
        .map_err(|e| Failure::infra(format!("cannot write the event: {e}")))?;
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(line.as_bytes()))
        .map_err(|e| Failure::infra(format!("cannot append to {}: {e}", path.display())))
}

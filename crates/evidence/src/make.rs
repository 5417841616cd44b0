//! `bundle`: gather the evidence of a release, judge it, and write the
//! bundle (directory and `.tar`) with its VSA, memo and manifest.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use ci_intel_core::Failure;
use ci_intel_core::canonical::sha256_hex;

use crate::bundle::{
    self, MANIFEST_FILE, MANIFEST_PAYLOAD_TYPE, MANIFEST_SIGNATURE_FILE, MEMO_FILE, VSA_FILE,
};
use crate::config::RollbackConfig;
use crate::dsse::Envelope;
use crate::keys::{PublicKey, SigningKey};
use crate::memo::{self, MemoInput};
use crate::statement::{self, rfc3339};
use crate::verify::{self, BundleCheck, Evaluation, Expect, Policy, Trust};
use crate::vsa::{self, VsaInput};

/// Everything `bundle` needs.
#[derive(Debug)]
pub struct BundleRequest {
    pub release: String,
    /// The released artifact's sha256 (hex).
    pub subject_sha256: String,
    pub commit: String,
    pub from: Vec<PathBuf>,
    pub out: PathBuf,
    pub sign_key: Option<SigningKey>,
    /// Further keys the gate statements may be signed with.
    pub pubkeys: Vec<PublicKey>,
    /// The bundle's time: the VSA's timeVerified, the archive's mtime, and
    /// the reference for statement ages.
    pub time: DateTime<Utc>,
    /// The repository, for `git log` in the memo.
    pub repo: PathBuf,
    pub previous_tag: Option<String>,
    pub policy: Policy,
    pub rollback: RollbackConfig,
    pub policy_uri: String,
    /// `sha256:<hex>` of the effective configuration.
    pub policy_digest: String,
    pub resource_uri: String,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct BundleOutcome {
    pub evaluation: Evaluation,
    pub dir: PathBuf,
    pub tar: PathBuf,
    pub manifest_sha256: String,
    pub tar_sha256: String,
    pub memo: String,
    pub notes: Vec<String>,
}

/// The archive written beside the directory: `<out>.tar`.
pub fn tar_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".tar");
    PathBuf::from(name)
}

/// Build the bundle.
pub fn make(request: &BundleRequest) -> Result<BundleOutcome, Failure> {
    let tar = tar_path(&request.out);
    if tar.exists() {
        return Err(Failure::usage(format!(
            "{} exists; choose a new --out (a bundle is never written over another)",
            tar.display()
        )));
    }
    let (mut files, notes) = bundle::collect(&request.from)?;
    let expect = Expect {
        commit: request.commit.to_ascii_lowercase(),
        subject_sha256: request.subject_sha256.to_ascii_lowercase(),
    };
    let trust = match &request.sign_key {
        Some(key) => {
            let mut keys = request.pubkeys.clone();
            keys.push(key.public_key().clone());
            Trust::Keys(keys)
        }
        None if !request.pubkeys.is_empty() => Trust::Keys(request.pubkeys.clone()),
        None => Trust::Deferred,
    };
    let rows = verify::gate_rows(&files, &expect, &request.policy, &trust, request.time);
    let gates_found = rows.iter().filter(|r| r.present).count();
    let checks = vec![BundleCheck {
        name: "inputs".to_owned(),
        ok: gates_found > 0,
        detail: format!(
            "{} file(s) collected, {gates_found} gate statement(s)",
            files.len()
        ),
    }];
    let evaluation = verify::finish(&request.release, &expect, request.time, rows, checks);

    let statements: Vec<(String, String)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("gates/"))
        .map(|(p, b)| (p.clone(), sha256_hex(b)))
        .collect();
    let time = rfc3339(request.time);
    let summary = vsa::vsa(&VsaInput {
        release: &request.release,
        subject_sha256: &expect.subject_sha256,
        commit: &expect.commit,
        time_verified: time.clone(),
        resource_uri: request.resource_uri.clone(),
        policy_uri: request.policy_uri.clone(),
        policy_digest: request.policy_digest.clone(),
        statements,
        passed: evaluation.passed,
    });
    let envelope = statement::envelope(&summary, request.sign_key.as_ref())?;
    files.insert(VSA_FILE.to_owned(), envelope.to_json());

    let changes = memo::changes(
        &request.repo,
        &expect.commit,
        request.previous_tag.as_deref(),
    );
    let suppressed = memo::suppressed(&files);
    let memo_text = memo::render(&MemoInput {
        evaluation: &evaluation,
        changes: &changes,
        rollback: &request.rollback,
        suppressed: &suppressed,
        link_prefix: "",
    });
    files.insert(MEMO_FILE.to_owned(), memo_text.clone().into_bytes());

    let manifest = bundle::manifest_of(
        &files,
        &request.release,
        &expect.subject_sha256,
        &expect.commit,
        &time,
    );
    let manifest_bytes = manifest.to_json();
    if let Some(key) = &request.sign_key {
        let mut signed = Envelope::new(MANIFEST_PAYLOAD_TYPE, &manifest_bytes);
        signed.sign(key)?;
        files.insert(MANIFEST_SIGNATURE_FILE.to_owned(), signed.to_json());
    }
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    files.insert(MANIFEST_FILE.to_owned(), manifest_bytes);

    bundle::write_dir(&request.out, &files)?;
    let mtime = u64::try_from(request.time.timestamp()).unwrap_or(0);
    let archive = bundle::tar_bytes(&files, mtime)?;
    std::fs::write(&tar, &archive)
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", tar.display())))?;
    Ok(BundleOutcome {
        evaluation,
        dir: request.out.clone(),
        tar,
        manifest_sha256,
        tar_sha256: sha256_hex(&archive),
        memo: memo_text,
        notes,
    })
}

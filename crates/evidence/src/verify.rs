//! `verify`: the completeness truth table of an evidence bundle.
//!
//! Every required gate (config `evidence.required`) must have a statement in
//! `gates/` that is present, `allow`, about this exact subject (the
//! release's commit, and no other artifact known only by digest than the
//! release subject), younger than `evidence.max_age_hours`, and validly
//! signed; every file must match the manifest and nothing may be added to
//! it. A statement of a gate that is not required must still be about this
//! subject, fresh, signed and not `deny`. Any gap fails the bundle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use ci_intel_core::Verdict;
use ci_intel_core::canonical::sha256_hex;

use crate::bundle::{
    Files, LoadedBundle, MANIFEST_FILE, MANIFEST_PAYLOAD_TYPE, MANIFEST_SIGNATURE_FILE, VSA_FILE,
};
use crate::dsse::{Envelope, SignatureStatus};
use crate::keys::PublicKey;
use crate::statement::{GateStatement, parse_envelope};
use crate::vsa::VSA_PREDICATE_TYPE;

/// What the configuration requires.
#[derive(Debug, Clone)]
pub struct Policy {
    pub required: Vec<String>,
    pub max_age: chrono::Duration,
}

/// What the evidence must be about.
#[derive(Debug, Clone)]
pub struct Expect {
    pub commit: String,
    /// The release subject's sha256 (hex).
    pub subject_sha256: String,
}

/// How signatures are judged.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Every statement, the VSA and the manifest must be signed by one of
    /// these keys.
    Keys(Vec<PublicKey>),
    /// The manifest's digest was attested keylessly (actions/attest) and
    /// that attestation verified (or not, with the reason): it covers every
    /// file the manifest lists.
    Keyless(Result<String, String>),
    /// Bundle time without a key: signatures are checked later by `verify`.
    Deferred,
}

/// One line of the truth table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub gate: String,
    /// The statement's path in the bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub required: bool,
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// `ok`, or what is wrong with the subject.
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    pub signature: String,
    /// Empty when the row is complete.
    pub gaps: Vec<String>,
    /// The statement's reason, for the memo.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Findings by severity, for the memo.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub findings: BTreeMap<String, u64>,
    /// Counts the gate recorded (e.g. `baselined`), for the memo.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
}

impl Row {
    pub fn ok(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// A check of the bundle as a whole (manifest digests, signatures, VSA).
#[derive(Debug, Clone, Serialize)]
pub struct BundleCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// The whole verification.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub release: String,
    pub subject: String,
    pub commit: String,
    pub time: String,
    pub rows: Vec<Row>,
    pub checks: Vec<BundleCheck>,
    pub passed: bool,
}

impl Evaluation {
    pub fn gaps(&self) -> Vec<String> {
        let mut gaps: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        for row in &self.rows {
            for gap in &row.gaps {
                gaps.push(format!("{}: {gap}", row.gate));
            }
        }
        gaps
    }
}

/// The truth table rows for the gate statements among `files`.
pub fn gate_rows(
    files: &Files,
    expect: &Expect,
    policy: &Policy,
    trust: &Trust,
    now: DateTime<Utc>,
) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("gates/")) {
        let mut row = Row {
            gate: path.trim_start_matches("gates/").to_owned(),
            file: Some(path.clone()),
            required: false,
            present: true,
            verdict: None,
            subject: "-".to_owned(),
            age_seconds: None,
            signature: "-".to_owned(),
            gaps: Vec::new(),
            reason: String::new(),
            findings: BTreeMap::new(),
            counts: BTreeMap::new(),
        };
        let parsed = parse_envelope(bytes, path).and_then(|p| {
            let statement = p.gate(path)?;
            Ok((p.envelope, statement))
        });
        let (envelope, statement) = match parsed {
            Ok(parsed) => parsed,
            Err(why) => {
                row.gaps.push(format!("unreadable statement: {why}"));
                rows.push(row);
                continue;
            }
        };
        row.gate = statement.predicate.gate.id.clone();
        if !seen.insert(row.gate.clone()) {
            row.gaps.push(format!(
                "a second statement for gate `{}`; one statement per gate",
                row.gate
            ));
        }
        row.required = policy.required.contains(&row.gate);
        judge_statement(&mut row, &statement, expect, policy, now);
        judge_signature(&mut row, &envelope, trust);
        rows.push(row);
    }
    for required in &policy.required {
        if !seen.contains(required) {
            rows.push(Row {
                gate: required.clone(),
                file: None,
                required: true,
                present: false,
                verdict: None,
                subject: "-".to_owned(),
                age_seconds: None,
                signature: "-".to_owned(),
                gaps: vec![format!(
                    "required (evidence.required) but no statement for it in gates/"
                )],
                reason: String::new(),
                findings: BTreeMap::new(),
                counts: BTreeMap::new(),
            });
        }
    }
    rows.sort_by(|a, b| (!a.required, &a.gate).cmp(&(!b.required, &b.gate)));
    rows
}

fn judge_statement(
    row: &mut Row,
    statement: &GateStatement,
    expect: &Expect,
    policy: &Policy,
    now: DateTime<Utc>,
) {
    let predicate = &statement.predicate;
    row.verdict = Some(predicate.verdict);
    row.reason = predicate.reason.clone();
    row.findings = predicate
        .findings
        .by_severity
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    row.counts = predicate.counts.clone();
    match predicate.verdict {
        Verdict::Allow => {}
        Verdict::Warn if !row.required => {}
        other => row.gaps.push(format!(
            "verdict `{}`{} ({})",
            other.as_str(),
            if row.required {
                ", a required gate must be `allow`"
            } else {
                ""
            },
            predicate.reason
        )),
    }
    let subject = subject_problems(statement, expect);
    if subject.is_empty() {
        row.subject = "ok".to_owned();
    } else {
        row.subject = "wrong".to_owned();
        row.gaps.extend(subject);
    }
    match statement.finished() {
        None => row.gaps.push(format!(
            "finishedOn `{}` is not an RFC 3339 time",
            predicate.finished_on
        )),
        Some(finished) => {
            let age = now.signed_duration_since(finished);
            row.age_seconds = Some(age.num_seconds());
            if age > policy.max_age {
                row.gaps.push(format!(
                    "stale: {} old, older than evidence.max_age_hours ({})",
                    human_age(age.num_seconds()),
                    human_age(policy.max_age.num_seconds())
                ));
            }
        }
    }
}

/// What makes a statement not about the expected subject: a missing or other
/// commit, or an artifact known only by digest (an image, a release file)
/// that is not the release subject.
pub fn subject_problems(statement: &GateStatement, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    let commits = statement.commits();
    if commits.is_empty() {
        problems.push("the statement names no commit (subject digest gitCommit)".to_owned());
    }
    for commit in commits {
        if !commit.eq_ignore_ascii_case(&expect.commit) {
            problems.push(format!(
                "about commit {commit}, not the release commit {}",
                expect.commit
            ));
        }
    }
    for subject in &statement.subject {
        let by_digest = subject.name.starts_with("sha256:") || subject.name.contains("@sha256:");
        if let Some(sha) = subject.digest.get("sha256")
            && by_digest
            && !sha.eq_ignore_ascii_case(&expect.subject_sha256)
        {
            problems.push(format!(
                "about artifact {} (sha256:{sha}), not the release subject sha256:{}",
                subject.name, expect.subject_sha256
            ));
        }
    }
    problems
}

fn judge_signature(row: &mut Row, envelope: &Envelope, trust: &Trust) {
    match trust {
        Trust::Keys(keys) => {
            match envelope.verify(keys) {
                SignatureStatus::Valid(by) => row.signature = format!("valid ({by})"),
                SignatureStatus::Unsigned => {
                    row.signature = "unsigned".to_owned();
                    row.gaps
                    .push("unsigned; sign the evidence (`--sign-key`) or verify keylessly (`--identity`)".to_owned());
                }
                SignatureStatus::Invalid(why) => {
                    row.signature = "invalid".to_owned();
                    row.gaps.push(format!("signature: {why}"));
                }
            }
        }
        Trust::Keyless(Ok(by)) => row.signature = format!("keyless ({by})"),
        Trust::Keyless(Err(why)) => {
            row.signature = "invalid".to_owned();
            row.gaps.push(format!(
                "the keyless attestation of the manifest failed: {why}"
            ));
        }
        Trust::Deferred => {
            row.signature = match envelope.signatures.len() {
                0 => "unsigned (checked by verify)".to_owned(),
                n => format!("{n} signature(s) (checked by verify)"),
            };
        }
    }
}

/// Verify a loaded bundle.
pub fn verify(
    bundle: &LoadedBundle,
    policy: &Policy,
    trust: &Trust,
    expect_commit: Option<&str>,
    expect_subject: Option<&str>,
    now: DateTime<Utc>,
) -> Evaluation {
    let manifest = &bundle.manifest;
    let mut checks = Vec::new();
    checks.push(manifest_check(bundle));
    if let Some(commit) = expect_commit {
        checks.push(BundleCheck {
            name: "commit".to_owned(),
            ok: commit.eq_ignore_ascii_case(&manifest.commit),
            detail: format!("expected {commit}, the manifest says {}", manifest.commit),
        });
    }
    if let Some(subject) = expect_subject {
        let subject = subject.trim_start_matches("sha256:");
        checks.push(BundleCheck {
            name: "subject".to_owned(),
            ok: subject.eq_ignore_ascii_case(manifest.subject_sha256()),
            detail: format!(
                "expected sha256:{subject}, the manifest says sha256:{}",
                manifest.subject_sha256()
            ),
        });
    }
    checks.push(manifest_signature_check(bundle, trust));
    checks.push(vsa_check(bundle, trust));
    let expect = Expect {
        commit: manifest.commit.clone(),
        subject_sha256: manifest.subject_sha256().to_owned(),
    };
    let rows = gate_rows(&bundle.files, &expect, policy, trust, now);
    finish(&manifest.release, &expect, now, rows, checks)
}

/// Assemble an evaluation.
pub fn finish(
    release: &str,
    expect: &Expect,
    now: DateTime<Utc>,
    rows: Vec<Row>,
    checks: Vec<BundleCheck>,
) -> Evaluation {
    let passed = rows.iter().all(Row::ok) && checks.iter().all(|c| c.ok);
    Evaluation {
        release: release.to_owned(),
        subject: format!("sha256:{}", expect.subject_sha256),
        commit: expect.commit.clone(),
        time: crate::statement::rfc3339(now),
        rows,
        checks,
        passed,
    }
}

fn manifest_check(bundle: &LoadedBundle) -> BundleCheck {
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for entry in &bundle.manifest.files {
        if !crate::bundle::valid_path(&entry.path) {
            problems.push(format!("`{}` is not a safe relative path", entry.path));
            continue;
        }
        if !listed.insert(entry.path.as_str()) {
            problems.push(format!("{} is listed twice", entry.path));
        }
        match bundle.files.get(&entry.path) {
            None => problems.push(format!("{} is listed but missing", entry.path)),
            Some(bytes) => {
                let actual = sha256_hex(bytes);
                if !actual.eq_ignore_ascii_case(&entry.sha256) {
                    problems.push(format!(
                        "{} changed: sha256 {actual}, the manifest says {}",
                        entry.path, entry.sha256
                    ));
                } else if bytes.len() as u64 != entry.size {
                    problems.push(format!(
                        "{}: {} bytes, the manifest says {}",
                        entry.path,
                        bytes.len(),
                        entry.size
                    ));
                }
            }
        }
    }
    for path in bundle.files.keys() {
        if path != MANIFEST_FILE
            && path != MANIFEST_SIGNATURE_FILE
            && !listed.contains(path.as_str())
        {
            problems.push(format!("{path} is not in the manifest"));
        }
    }
    BundleCheck {
        name: "manifest".to_owned(),
        ok: problems.is_empty(),
        detail: if problems.is_empty() {
            format!(
                "{} file(s), every sha256 matches",
                bundle.manifest.files.len()
            )
        } else {
            problems.join("; ")
        },
    }
}

fn manifest_signature_check(bundle: &LoadedBundle, trust: &Trust) -> BundleCheck {
    let name = "bundle signature".to_owned();
    match trust {
        Trust::Keyless(Ok(by)) => BundleCheck {
            name,
            ok: true,
            detail: format!("manifest.json attested keylessly: {by}"),
        },
        Trust::Keyless(Err(why)) => BundleCheck {
            name,
            ok: false,
            detail: format!("manifest.json: {why}"),
        },
        Trust::Deferred => BundleCheck {
            name,
            ok: true,
            detail: "not checked here".to_owned(),
        },
        Trust::Keys(keys) => {
            let Some(bytes) = bundle.files.get(MANIFEST_SIGNATURE_FILE) else {
                return BundleCheck {
                    name,
                    ok: false,
                    detail: format!(
                        "no {MANIFEST_SIGNATURE_FILE}: the bundle was not signed (`bundle --sign-key`)"
                    ),
                };
            };
            let envelope = match Envelope::parse(bytes, MANIFEST_SIGNATURE_FILE) {
                Ok(envelope) => envelope,
                Err(why) => {
                    return BundleCheck {
                        name,
                        ok: false,
                        detail: why,
                    };
                }
            };
            let same = envelope.payload_type == MANIFEST_PAYLOAD_TYPE
                && envelope.payload_bytes().ok().as_deref() == Some(&bundle.manifest_bytes[..]);
            if !same {
                return BundleCheck {
                    name,
                    ok: false,
                    detail: format!(
                        "{MANIFEST_SIGNATURE_FILE} does not sign this {MANIFEST_FILE} (payload differs)"
                    ),
                };
            }
            match envelope.verify(keys) {
                SignatureStatus::Valid(by) => BundleCheck {
                    name,
                    ok: true,
                    detail: format!("manifest signed by {by}"),
                },
                SignatureStatus::Unsigned => BundleCheck {
                    name,
                    ok: false,
                    detail: format!("{MANIFEST_SIGNATURE_FILE} has no signature"),
                },
                SignatureStatus::Invalid(why) => BundleCheck {
                    name,
                    ok: false,
                    detail: format!("manifest: {why}"),
                },
            }
        }
    }
}

fn vsa_check(bundle: &LoadedBundle, trust: &Trust) -> BundleCheck {
    let name = "vsa".to_owned();
    let fail = |detail: String| BundleCheck {
        name: "vsa".to_owned(),
        ok: false,
        detail,
    };
    let Some(bytes) = bundle.files.get(VSA_FILE) else {
        return fail(format!("no {VSA_FILE}"));
    };
    let parsed = match parse_envelope(bytes, VSA_FILE) {
        Ok(parsed) => parsed,
        Err(why) => return fail(why),
    };
    if parsed.predicate_type != VSA_PREDICATE_TYPE {
        return fail(format!(
            "predicateType `{}`, expected `{VSA_PREDICATE_TYPE}`",
            parsed.predicate_type
        ));
    }
    let subject_ok = parsed.value["subject"].as_array().is_some_and(|subjects| {
        subjects
            .iter()
            .any(|s| s["digest"]["sha256"].as_str() == Some(bundle.manifest.subject_sha256()))
    });
    if !subject_ok {
        return fail(format!(
            "its subject is not the release subject sha256:{}",
            bundle.manifest.subject_sha256()
        ));
    }
    // Every gate statement, and nothing else, by digest.
    let listed: BTreeSet<(String, String)> = parsed.value["predicate"]["inputAttestations"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["uri"].as_str().unwrap_or_default().to_owned(),
                        i["digest"]["sha256"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let actual: BTreeSet<(String, String)> = bundle
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("gates/"))
        .map(|(p, b)| (p.clone(), sha256_hex(b)))
        .collect();
    if listed != actual {
        return fail(
            "its inputAttestations do not name exactly the gate statements in gates/ by digest"
                .to_owned(),
        );
    }
    let result = parsed.value["predicate"]["verificationResult"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let signature = match trust {
        Trust::Keys(keys) => match parsed.envelope.verify(keys) {
            SignatureStatus::Valid(by) => format!("signed by {by}"),
            SignatureStatus::Unsigned => return fail("unsigned".to_owned()),
            SignatureStatus::Invalid(why) => return fail(why),
        },
        Trust::Keyless(_) => "covered by the keyless attestation of the manifest".to_owned(),
        Trust::Deferred => "signature not checked here".to_owned(),
    };
    BundleCheck {
        name,
        ok: true,
        detail: format!(
            "{} statement(s), verificationResult {result} at bundle time, {signature}",
            actual.len()
        ),
    }
}

/// `1d 2h`, `3h 5m`, `42s`; negative ages (clock skew) keep their sign.
pub fn human_age(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    let text = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {}s", s % 60)
    } else {
        format!("{s}s")
    };
    format!("{sign}{text}")
}

/// The truth table as fixed-width text.
pub fn table(evaluation: &Evaluation) -> String {
    let mut out = format!(
        "evidence for {} (subject {}, commit {}) at {}\n\n",
        evaluation.release, evaluation.subject, evaluation.commit, evaluation.time
    );
    out.push_str(&format!(
        "{:<14} {:<8} {:<7} {:<7} {:<7} {:<8} {:<34} {}\n",
        "gate", "required", "present", "verdict", "subject", "age", "signature", "result"
    ));
    for row in &evaluation.rows {
        out.push_str(&format!(
            "{:<14} {:<8} {:<7} {:<7} {:<7} {:<8} {:<34} {}\n",
            row.gate,
            yes_no(row.required),
            yes_no(row.present),
            row.verdict.map_or("-", Verdict::as_str),
            row.subject,
            row.age_seconds.map_or("-".to_owned(), human_age),
            row.signature,
            if row.ok() {
                "ok".to_owned()
            } else {
                format!("GAP: {}", row.gaps.join("; "))
            }
        ));
    }
    out.push('\n');
    for check in &evaluation.checks {
        out.push_str(&format!(
            "{:<17} {:<4} {}\n",
            check.name,
            if check.ok { "ok" } else { "GAP" },
            check.detail
        ));
    }
    let gaps = evaluation.gaps().len();
    out.push_str(&if evaluation.passed {
        format!(
            "\nresult: pass ({} gate statement(s), no gap)\n",
            evaluation.rows.iter().filter(|r| r.present).count()
        )
    } else {
        format!("\nresult: deny ({gaps} gap(s))\n")
    });
    out
}

/// The truth table as Markdown; `link_prefix` is prepended to statement
/// paths for links (empty: relative to the bundle root).
pub fn markdown_table(evaluation: &Evaluation, link_prefix: &str) -> String {
    let mut out = String::from(
        "| gate | required | present | verdict | subject | age | signature | result |\n|---|---|---|---|---|---|---|---|\n",
    );
    for row in &evaluation.rows {
        let gate = match &row.file {
            Some(file) => format!("[{}]({link_prefix}{file})", row.gate),
            None => row.gate.clone(),
        };
        out.push_str(&format!(
            "| {gate} | {} | {} | {} | {} | {} | {} | {} |\n",
            yes_no(row.required),
            yes_no(row.present),
            row.verdict.map_or("-", Verdict::as_str),
            row.subject,
            row.age_seconds.map_or("-".to_owned(), human_age),
            row.signature.replace('|', "\\|"),
            if row.ok() {
                "ok".to_owned()
            } else {
                format!("**gap**: {}", row.gaps.join("; ").replace('|', "\\|"))
            }
        ));
    }
    out.push('\n');
    for check in &evaluation.checks {
        out.push_str(&format!(
            "- {} {}: {}\n",
            if check.ok { "ok" } else { "**gap**" },
            check.name,
            check.detail.replace('|', "\\|")
        ));
    }
    out
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// Options for a keyless check (`--identity`).
#[derive(Debug, Clone)]
pub struct KeylessOptions {
    pub identity: ci_intel_attest::IdentityPolicy,
    pub issuer: String,
    pub sigstore_bundle: PathBuf,
    pub trust: ci_intel_attest::TrustSelection,
}

/// Verify the keyless attestation (actions/attest) of the manifest's bytes.
pub fn keyless(manifest_bytes: &[u8], options: &KeylessOptions) -> Result<String, String> {
    use sha2::Digest as _;
    let digest: [u8; 32] = sha2::Sha256::digest(manifest_bytes).into();
    let request = ci_intel_attest::BundleRequest {
        artifacts: vec![ci_intel_attest::ArtifactInput::Sha256(digest)],
        bundle: options.sigstore_bundle.clone(),
        identity: Some(options.identity.clone()),
        issuer: Some(options.issuer.clone()),
        key: None,
        trust: options.trust.clone(),
    };
    match ci_intel_attest::verify_bundle(&request) {
        Ok(outcome) if outcome.passed() => Ok(format!(
            "Sigstore bundle {} verified for sha256:{}",
            options.sigstore_bundle.display(),
            ci_intel_core::canonical::hex(&digest)
        )),
        Ok(outcome) => Err(format!(
            "{}: {}",
            options.sigstore_bundle.display(),
            outcome
                .findings
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(failure) => Err(failure.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_well() {
        assert_eq!(human_age(42), "42s");
        assert_eq!(human_age(125), "2m 5s");
        assert_eq!(human_age(3 * 3600 + 300), "3h 5m");
        assert_eq!(human_age(2 * 86_400 + 3600), "2d 1h");
        assert_eq!(human_age(-90), "-1m 30s");
    }
}

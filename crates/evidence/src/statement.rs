//! The gate statement: an in-toto Statement v1 about one gate decision.
//!
//! Its subject is the checked commit (`{"gitCommit": SHA}`) and every
//! artifact the gate judged (`{"sha256": HEX}`); its predicate (type
//! [`GATE_PREDICATE_TYPE`], schema `schemas/evidence/gate-statement.v1.schema.json`)
//! records the gate, the tool and version, the effective configuration's
//! digest and the keys the gate read, every input with its sha256, the
//! counts, the findings by severity with their digest, the verdict with its
//! reason, and the start and end times.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use ci_intel_core::gate::{GateResult, Input};
use ci_intel_core::{Failure, Finding, Verdict, canonical};

use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::keys::SigningKey;

/// `_type` of every in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Our predicate type for one gate decision (version 1).
pub const GATE_PREDICATE_TYPE: &str = "https://github.com/ci-intel/ci-intel/evidence/gate/v1";
/// The JSON Schema of a gate statement, as committed.
pub const GATE_STATEMENT_SCHEMA: &str =
    include_str!("../../../schemas/evidence/gate-statement.v1.schema.json");
/// Findings listed in a statement at most (all count in the digest).
pub const MAX_LISTED_FINDINGS: usize = 200;

/// A ResourceDescriptor of the in-toto attestation framework (the fields
/// we use).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl ResourceDescriptor {
    pub fn git_commit(name: &str, sha: &str) -> ResourceDescriptor {
        ResourceDescriptor {
            name: name.to_owned(),
            uri: None,
            digest: BTreeMap::from([("gitCommit".to_owned(), sha.to_ascii_lowercase())]),
        }
    }

    pub fn sha256(name: &str, hex: &str) -> ResourceDescriptor {
        ResourceDescriptor {
            name: name.to_owned(),
            uri: None,
            digest: BTreeMap::from([("sha256".to_owned(), hex.to_ascii_lowercase())]),
        }
    }
}

/// An in-toto Statement v1 with a typed predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: P,
}

/// The gate predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatePredicate {
    pub gate: GateInfo,
    pub tool: ToolRef,
    pub config: ConfigRef,
    pub inputs: Vec<Input>,
    pub counts: BTreeMap<String, u64>,
    pub findings: FindingsSummary,
    pub verdict: Verdict,
    /// The gate's status: pass, warn, deny, skip, usage-error, infra-error.
    pub status: String,
    pub reason: String,
    /// RFC 3339, UTC.
    pub started_on: String,
    pub finished_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GateInfo {
    pub id: String,
    /// The configuration section the gate read (`policy`, `gates.telemetry`).
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolRef {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigRef {
    /// `sha256:<hex>` of the effective configuration (canonical JSON).
    pub digest: String,
    /// The keys the gate read: its section and `fail_on`.
    pub keys: Vec<String>,
    /// `sha256:<hex>` of the gate's own section (canonical JSON).
    pub section_digest: String,
    /// The layers applied, in order.
    pub layers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingsSummary {
    pub total: u64,
    pub by_severity: BTreeMap<String, u64>,
    /// `sha256:<hex>` of the findings as canonical JSON.
    pub digest: String,
    /// The first findings (rule, severity, place, fingerprint).
    pub listed: Vec<FindingRef>,
    /// How many were left out of `listed`.
    pub omitted: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingRef {
    pub rule_id: String,
    pub severity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub fingerprint: String,
}

/// A gate statement.
pub type GateStatement = Statement<GatePredicate>;

/// What a run of `ci-intel check` knows besides each gate's result.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// The checked commit (40 or 64 hex digits).
    pub commit: String,
    /// The name of the commit subject (the repository, e.g.
    /// `https://github.com/OWNER/REPO`).
    pub repository: String,
    pub tool: ToolRef,
    /// `sha256:<hex>` of the effective configuration.
    pub config_digest: String,
    pub layers: Vec<String>,
    /// The effective configuration (for each gate's section digest).
    pub effective: Value,
}

/// `sha256:<hex>` of `value` as canonical JSON.
pub fn digest_of(value: &Value) -> String {
    format!(
        "sha256:{}",
        canonical::sha256_hex(&canonical::to_vec(value))
    )
}

/// RFC 3339 in UTC with seconds.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn system_time(time: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(time)
}

/// Whether `text` is a git commit id (SHA-1 or SHA-256, lower or upper hex).
pub fn is_commit(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The statement for one gate result.
pub fn gate_statement(result: &GateResult, run: &RunContext) -> GateStatement {
    let mut subject = vec![ResourceDescriptor::git_commit(&run.repository, &run.commit)];
    let mut artifacts: Vec<&Input> = result.subjects.iter().collect();
    artifacts.sort();
    artifacts.dedup();
    subject.extend(
        artifacts
            .into_iter()
            .map(|input| ResourceDescriptor::sha256(&input.path, &input.sha256)),
    );
    let mut keys = Vec::new();
    if !result.section_key.is_empty() {
        keys.push(result.section_key.to_owned());
    }
    keys.push("fail_on".to_owned());
    let section_value = lookup(&run.effective, result.section_key)
        .cloned()
        .unwrap_or(Value::Null);
    let mut inputs = result.inputs.clone();
    inputs.sort();
    inputs.dedup();
    GateStatement {
        type_: STATEMENT_TYPE.to_owned(),
        subject,
        predicate_type: GATE_PREDICATE_TYPE.to_owned(),
        predicate: GatePredicate {
            gate: GateInfo {
                id: result.id.to_owned(),
                section: result.section_key.to_owned(),
            },
            tool: run.tool.clone(),
            config: ConfigRef {
                digest: run.config_digest.clone(),
                keys,
                section_digest: digest_of(&section_value),
                layers: run.layers.clone(),
            },
            inputs,
            counts: result.counts.clone(),
            findings: summarize(&result.findings),
            verdict: result.status.verdict(),
            status: result.status.label().to_owned(),
            reason: result.reason(),
            started_on: rfc3339(system_time(result.started)),
            finished_on: rfc3339(system_time(result.finished)),
        },
    }
}

fn lookup<'a>(tree: &'a Value, dotted: &str) -> Option<&'a Value> {
    if dotted.is_empty() {
        return None;
    }
    dotted.split('.').try_fold(tree, |node, key| node.get(key))
}

/// Findings by severity, their digest, and the first ones listed.
pub fn summarize(findings: &[Finding]) -> FindingsSummary {
    let mut by_severity: BTreeMap<String, u64> = ci_intel_core::Severity::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    for finding in findings {
        *by_severity
            .entry(finding.severity.as_str().to_owned())
            .or_default() += 1;
    }
    let value = serde_json::to_value(findings).unwrap_or(Value::Null);
    let listed: Vec<FindingRef> = findings
        .iter()
        .take(MAX_LISTED_FINDINGS)
        .map(|f| FindingRef {
            rule_id: f.rule_id.clone(),
            severity: f.severity.as_str().to_owned(),
            location: f.location.as_ref().map(ToString::to_string),
            fingerprint: f.fingerprint.clone(),
        })
        .collect();
    FindingsSummary {
        total: findings.len() as u64,
        by_severity,
        digest: digest_of(&value),
        omitted: findings.len().saturating_sub(listed.len()) as u64,
        listed,
    }
}

/// The statement as DSSE payload bytes (canonical JSON).
pub fn payload<P: Serialize>(statement: &Statement<P>) -> Vec<u8> {
    let value = serde_json::to_value(statement).unwrap_or(Value::Null);
    canonical::to_vec(&value)
}

/// The statement in a DSSE envelope, signed when a key is given.
pub fn envelope<P: Serialize>(
    statement: &Statement<P>,
    key: Option<&SigningKey>,
) -> Result<Envelope, Failure> {
    let mut envelope = Envelope::new(IN_TOTO_PAYLOAD_TYPE, &payload(statement));
    if let Some(key) = key {
        envelope.sign(key)?;
    }
    Ok(envelope)
}

/// The file name of a gate's statement: `<gate>.intoto.json`.
pub fn file_name(gate: &str) -> String {
    format!("{gate}.intoto.json")
}

/// Write one statement per gate result into `dir` (created if missing).
/// Returns the files written.
pub fn write_statements(
    dir: &Path,
    results: &[GateResult],
    run: &RunContext,
    key: Option<&SigningKey>,
) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::infra(format!(
            "cannot create the evidence directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut written = Vec::new();
    for result in results {
        let statement = gate_statement(result, run);
        let envelope = envelope(&statement, key)?;
        let path = dir.join(file_name(result.id));
        std::fs::write(&path, envelope.to_json())
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// A statement read back from an envelope, with what was wrong with it.
#[derive(Debug, Clone)]
pub struct ParsedStatement {
    pub envelope: Envelope,
    /// The statement as JSON (always an object when parsing succeeded).
    pub value: Value,
    pub predicate_type: String,
}

/// Read an envelope and its in-toto Statement. Errors say what is wrong.
pub fn parse_envelope(bytes: &[u8], origin: &str) -> Result<ParsedStatement, String> {
    let envelope = Envelope::parse(bytes, origin)?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(format!(
            "{origin}: payloadType is `{}`, expected `{IN_TOTO_PAYLOAD_TYPE}`",
            envelope.payload_type
        ));
    }
    let payload = envelope.payload_bytes()?;
    let value: Value = serde_json::from_slice(&payload)
        .map_err(|e| format!("{origin}: the payload is not JSON: {e}"))?;
    if value.get("_type").and_then(Value::as_str) != Some(STATEMENT_TYPE) {
        return Err(format!(
            "{origin}: the payload's `_type` is {}, expected `{STATEMENT_TYPE}`",
            value
                .get("_type")
                .map_or("missing".to_owned(), ToString::to_string)
        ));
    }
    let predicate_type = value
        .get("predicateType")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{origin}: the statement has no `predicateType`"))?
        .to_owned();
    Ok(ParsedStatement {
        envelope,
        value,
        predicate_type,
    })
}

impl ParsedStatement {
    /// The statement as a gate statement.
    pub fn gate(&self, origin: &str) -> Result<GateStatement, String> {
        if self.predicate_type != GATE_PREDICATE_TYPE {
            return Err(format!(
                "{origin}: predicateType is `{}`, expected `{GATE_PREDICATE_TYPE}`",
                self.predicate_type
            ));
        }
        serde_path_to_error::deserialize(&self.value).map_err(|e| {
            format!(
                "{origin}: not a gate statement at `{}`: {}; see schemas/evidence/gate-statement.v1.schema.json",
                e.path(),
                e.inner()
            )
        })
    }
}

impl GateStatement {
    /// The commits the statement is about.
    pub fn commits(&self) -> Vec<&str> {
        self.subject
            .iter()
            .filter_map(|s| s.digest.get("gitCommit").map(String::as_str))
            .collect()
    }

    pub fn finished(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.predicate.finished_on)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ci_intel_core::gate::GateStatus;
    use ci_intel_core::{Location, Severity};
    use std::time::{Duration, Instant};

    pub(crate) fn result(id: &'static str, status: GateStatus) -> GateResult {
        let mut result = GateResult::bare(
            id,
            "policy",
            status,
            "3 file(s)",
            (SystemTime::now() - Duration::from_secs(2), Instant::now()),
        );
        result.inputs = vec![Input {
            path: ".github/workflows/ci.yml".into(),
            sha256: "ab".repeat(32),
        }];
        result.subjects = vec![Input {
            path: "sha256:".to_owned() + &"cd".repeat(32),
            sha256: "cd".repeat(32),
        }];
        result.findings = vec![Finding::new(
            "unpinned-uses",
            Severity::Medium,
            "m",
            Some(Location::at(".github/workflows/ci.yml", 3, Some(7))),
            "s",
        )];
        result
    }

    fn run() -> RunContext {
        RunContext {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            repository: "https://github.com/acme/app".into(),
            tool: ToolRef {
                name: "ci-intel".into(),
                version: "0.1.0".into(),
            },
            config_digest: "sha256:".to_owned() + &"00".repeat(32),
            layers: vec!["hub defaults".into()],
            effective: serde_json::json!({"fail_on": "high", "policy": {"enabled": true}}),
        }
    }

    #[test]
    fn the_statement_names_the_commit_the_artifacts_and_everything_the_gate_read() {
        let statement = gate_statement(&result("policy", GateStatus::Warn), &run());
        assert_eq!(statement.type_, STATEMENT_TYPE);
        assert_eq!(
            statement.commits(),
            vec!["0123456789abcdef0123456789abcdef01234567"]
        );
        assert_eq!(statement.subject.len(), 2);
        assert_eq!(statement.subject[1].digest["sha256"], "cd".repeat(32));
        let p = &statement.predicate;
        assert_eq!(p.config.keys, vec!["policy", "fail_on"]);
        assert_eq!(
            p.config.section_digest,
            digest_of(&serde_json::json!({"enabled": true}))
        );
        assert_eq!(p.findings.total, 1);
        assert_eq!(p.findings.by_severity["medium"], 1);
        assert_eq!(p.findings.by_severity.len(), 5);
        assert_eq!(p.verdict, Verdict::Warn);
        assert_eq!(p.status, "warn");
        assert!(p.reason.starts_with("warn: "));
        assert!(statement.finished().is_some());
        // The findings digest changes with any finding.
        let mut other = result("policy", GateStatus::Warn);
        other.findings[0].message = "n".into();
        assert_ne!(
            gate_statement(&other, &run()).predicate.findings.digest,
            p.findings.digest
        );
    }

    #[test]
    fn a_skip_is_never_recorded_as_allow() {
        let statement = gate_statement(&result("policy", GateStatus::Skip), &run());
        assert_eq!(statement.predicate.verdict, Verdict::Warn);
    }

    #[test]
    fn envelopes_round_trip_and_wrong_statements_are_named() {
        let statement = gate_statement(&result("policy", GateStatus::Pass), &run());
        let envelope = envelope(&statement, None).unwrap();
        let parsed = parse_envelope(&envelope.to_json(), "policy.intoto.json").unwrap();
        assert_eq!(parsed.gate("policy.intoto.json").unwrap(), statement);
        let other = Envelope::new(IN_TOTO_PAYLOAD_TYPE, b"{\"_type\":\"x\"}");
        let err = parse_envelope(&other.to_json(), "o.json").unwrap_err();
        assert!(
            err.contains("expected `https://in-toto.io/Statement/v1`"),
            "{err}"
        );
    }
}

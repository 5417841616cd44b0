//! Typed pipeline_run v1.2 records (`schemas/pipeline_run.v1.2.schema.json`).
//!
//! The schema is the contract; these types are how Rust code builds records.
//! `crates/telemetry` validates every record it writes against the schema, so
//! the two cannot drift silently.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::findings::Verdict;

/// The `schema` value of a v1.2 record.
pub const SCHEMA_V1_2: &str = "pipeline_run.v1.2";
/// The `schema` value of a v1.1 record (input to migration only).
pub const SCHEMA_V1_1: &str = "pipeline_run.v1.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Success,
    Failed,
    Canceled,
    Skipped,
}

impl std::str::FromStr for RunStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "success" => Ok(RunStatus::Success),
            // `job.status` in Actions says "failure"/"cancelled"; accept both spellings.
            "failed" | "failure" => Ok(RunStatus::Failed),
            "canceled" | "cancelled" => Ok(RunStatus::Canceled),
            "skipped" => Ok(RunStatus::Skipped),
            other => Err(format!(
                "unknown status `{other}`; expected success, failed (failure), canceled (cancelled) or skipped"
            )),
        }
    }
}

/// One pipeline run, v1.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineRun {
    pub schema: String,
    pub run_id: String,
    pub repo: String,
    pub commit_sha: String,
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr: Option<u64>,
    pub started_at: String,
    pub ended_at: String,
    pub status: RunStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_evidence_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cache_keys: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flakiness_index: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryDecision>,
    pub jobs: Vec<Job>,
    pub tests: Tests,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub policies: Vec<PolicyDecision>,
    pub cost: Cost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub name: String,
    pub status: RunStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs_uri: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub matrix: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tests {
    pub total: u64,
    pub failed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<u64>,
    pub duration_ms: u64,
    pub resilience: Resilience,
}

/// Mutation-testing results. The schema requires the object even when no
/// mutation run happened; [`Resilience::not_measured`] is then all zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resilience {
    pub mutants_total: u64,
    pub killed: u64,
    pub equiv: u64,
    pub timeout: u64,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_vs_main: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalent_mutants_dropped: Option<bool>,
}

impl Resilience {
    pub fn not_measured() -> Self {
        Resilience {
            mutants_total: 0,
            killed: 0,
            equiv: 0,
            timeout: 0,
            score: 0.0,
            delta_vs_main: None,
            equivalent_mutants_dropped: None,
        }
    }

    /// The contract's formula: killed / max(1, mutants_total - equivalent).
    pub fn score_of(killed: u64, mutants_total: u64, equiv: u64) -> f64 {
        let denominator = mutants_total.saturating_sub(equiv).max(1);
        (killed as f64 / denominator as f64).min(1.0)
    }
}

/// A gate decision: one `policies[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDecision {
    pub id: String,
    pub result: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_ns: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Cost {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_seconds: Option<f64>,
}

/// The canary promotion decision (added to the contract in ci-intel's
/// corrected schema; see docs/adr/0002-pipeline-run-canary.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryDecision {
    pub decision: CanaryOutcome,
    pub recorded_at: String,
    pub window: CanaryWindow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_uri: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CanaryOutcome {
    Promote,
    Rollback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryWindow {
    pub start: String,
    pub end: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_follows_the_metrics_dictionary() {
        assert_eq!(Resilience::score_of(810, 900, 30), 810.0 / 870.0);
        // No mutants: the denominator is clamped to 1, never a division by zero.
        assert_eq!(Resilience::score_of(0, 0, 0), 0.0);
        // More equivalents than mutants cannot push the score over 1.
        assert_eq!(Resilience::score_of(5, 3, 10), 1.0);
    }

    #[test]
    fn actions_job_status_spellings_are_accepted() {
        assert_eq!("failure".parse::<RunStatus>().unwrap(), RunStatus::Failed);
        assert_eq!(
            "cancelled".parse::<RunStatus>().unwrap(),
            RunStatus::Canceled
        );
        assert!("green".parse::<RunStatus>().is_err());
    }
}

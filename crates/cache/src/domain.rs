//! The trust domain of the running job.
//!
//! A cache entry written by code an outsider controls must never be read
//! by a trusted job: that is how caches are poisoned. Untrusted contexts:
//!
//! - a pull request (`pull_request`, `pull_request_review`,
//!   `pull_request_review_comment`) whose head repository is a fork;
//! - every `pull_request_target` run (it runs with the base repository's
//!   rights on behalf of the pull request);
//! - a `workflow_run` triggered by a run whose head repository is a fork.
//!
//! Everything else (push, schedule, workflow_dispatch, a same-repository
//! pull request, a run outside Actions) is trusted. The domain goes into
//! the cache key (`ci-intel-cache-v1-<domain>-...`) and into the signed
//! manifest, and a trusted restore refuses an entry of another domain.

use std::path::Path;

use ci_intel_core::{Failure, RunnerEnv};
use serde::Serialize;
use serde_json::Value;

/// Where an entry came from, or where a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Trusted,
    Untrusted,
}

impl Domain {
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Trusted => "trusted",
            Domain::Untrusted => "untrusted",
        }
    }

    pub fn parse(text: &str) -> Option<Domain> {
        match text {
            "trusted" => Some(Domain::Trusted),
            "untrusted" => Some(Domain::Untrusted),
            _ => None,
        }
    }
}

/// Events whose runs are untrusted when the head repository is a fork.
const PULL_REQUEST_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
];

/// Build triggers (Fulcio's claim) under which a keyless signature can
/// never vouch for a trusted entry: the certificate does not say whether
/// the triggering run came from a fork, so these are refused outright.
pub const UNTRUSTED_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "workflow_run",
];

/// The running job: its domain, why, and what identifies the run.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub domain: Domain,
    /// Why this domain, in words.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The repository is private (then `actions/attest` signs with
    /// GitHub's Sigstore instance, else with the public-good instance).
    #[serde(skip)]
    pub private: Option<bool>,
    /// The repository's default branch, from the event.
    #[serde(skip)]
    pub default_branch: Option<String>,
}

/// The context of the job `env` describes. The event payload is read from
/// `GITHUB_EVENT_PATH`; a pull-request-like event whose payload cannot be
/// read is untrusted (fail closed).
pub fn detect(env: &RunnerEnv) -> Result<Context, Failure> {
    let event = env.var("GITHUB_EVENT_NAME").map(str::to_owned);
    let repository = env.var("GITHUB_REPOSITORY").map(str::to_owned);
    let payload = match env.var("GITHUB_EVENT_PATH") {
        Some(path) => read_payload(Path::new(path)),
        None => None,
    };
    let (domain, reason) = decide(event.as_deref(), repository.as_deref(), payload.as_ref());
    let private = payload
        .as_ref()
        .and_then(|p| p.pointer("/repository/private"))
        .and_then(Value::as_bool);
    let default_branch = payload
        .as_ref()
        .and_then(|p| p.pointer("/repository/default_branch"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Context {
        domain,
        reason,
        event,
        repository,
        git_ref: env.var("GITHUB_REF").map(str::to_owned),
        sha: env.var("GITHUB_SHA").map(str::to_owned),
        workflow_ref: env.var("GITHUB_WORKFLOW_REF").map(str::to_owned),
        run_id: env.var("GITHUB_RUN_ID").map(str::to_owned),
        private,
        default_branch,
    })
}

fn read_payload(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The domain of an event (a plain function: tests and fuzzing call it).
pub fn decide(
    event: Option<&str>,
    repository: Option<&str>,
    payload: Option<&Value>,
) -> (Domain, String) {
    let Some(event) = event else {
        return (
            Domain::Trusted,
            "not running in GitHub Actions (no GITHUB_EVENT_NAME)".to_owned(),
        );
    };
    let full_name = |pointer: &str| {
        payload
            .and_then(|p| p.pointer(pointer))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let base = full_name("/repository/full_name").or_else(|| repository.map(str::to_owned));
    if event == "pull_request_target" {
        return (
            Domain::Untrusted,
            "pull_request_target runs on behalf of a pull request with the base repository's rights".to_owned(),
        );
    }
    if PULL_REQUEST_EVENTS.contains(&event) {
        return match (full_name("/pull_request/head/repo/full_name"), base) {
            (Some(head), Some(base)) if head.eq_ignore_ascii_case(&base) => {
                (Domain::Trusted, format!("{event} from a branch of {base}"))
            }
            (Some(head), _) => (Domain::Untrusted, format!("{event} from the fork {head}")),
            (None, _) => (
                Domain::Untrusted,
                format!(
                    "{event} whose head repository is unknown (deleted fork or unreadable event payload)"
                ),
            ),
        };
    }
    if event == "workflow_run" {
        return match (full_name("/workflow_run/head_repository/full_name"), base) {
            (Some(head), Some(base)) if head.eq_ignore_ascii_case(&base) => {
                (Domain::Trusted, format!("workflow_run of a run in {base}"))
            }
            (Some(head), _) => (
                Domain::Untrusted,
                format!("workflow_run of a run from the fork {head}"),
            ),
            (None, _) => (
                Domain::Untrusted,
                "workflow_run whose head repository is unknown".to_owned(),
            ),
        };
    }
    (Domain::Trusted, format!("{event} event"))
}

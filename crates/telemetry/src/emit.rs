//! `emit`: build a pipeline_run v1.2 record from the Actions environment,
//! flags and JUnit files, validate it, and append it to an NDJSON file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use ci_intel_core::pipeline_run::{
    Cost, Job, PipelineRun, PolicyDecision, Resilience, RunStatus, SCHEMA_V1_2, Tests,
};
use ci_intel_core::{Failure, RunnerEnv, Verdict};

use crate::junit::{self, JunitSummary};
use crate::{files, schema};

/// The environment variable `start` exports and `emit` reads.
pub const STARTED_AT_VAR: &str = "CI_INTEL_STARTED_AT";

/// What the caller chose; everything else comes from the environment.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    pub output: PathBuf,
    pub junit: Vec<String>,
    pub status: Option<RunStatus>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub run_id: Option<String>,
    pub repo: Option<String>,
    pub sha: Option<String>,
    pub branch: Option<String>,
    pub job_name: Option<String>,
    pub environment: Option<String>,
    pub policies: Vec<PolicyDecision>,
}

/// Build, validate and append one record; returns it.
pub fn emit(
    options: &EmitOptions,
    env: &RunnerEnv,
    now: DateTime<Utc>,
) -> Result<PipelineRun, Failure> {
    let record = build(options, env, now)?;
    let value = serde_json::to_value(&record)
        .map_err(|e| Failure::infra(format!("cannot serialise the record: {e}")))?;
    let defects = schema::defects(&value);
    if !defects.is_empty() {
        let list: Vec<String> = defects
            .iter()
            .map(|d| {
                format!(
                    "  {}: {}",
                    if d.pointer.is_empty() {
                        "/"
                    } else {
                        &d.pointer
                    },
                    d.message
                )
            })
            .collect();
        return Err(Failure::usage(format!(
            "the record built from the environment and flags does not validate; fix these inputs:\n{}",
            list.join("\n")
        )));
    }
    append_line(&options.output, &value.to_string())?;
    Ok(record)
}

/// Build the record without writing it.
pub fn build(
    options: &EmitOptions,
    env: &RunnerEnv,
    now: DateTime<Utc>,
) -> Result<PipelineRun, Failure> {
    let repo = pick(&options.repo, env, "GITHUB_REPOSITORY", "--repo")?;
    let sha = pick(&options.sha, env, "GITHUB_SHA", "--sha")?;
    let branch = match &options.branch {
        Some(b) => b.clone(),
        // On pull requests GITHUB_REF_NAME is `123/merge`; the head branch is the useful name.
        None => env
            .var("GITHUB_HEAD_REF")
            .or_else(|| env.var("GITHUB_REF_NAME"))
            .map(str::to_owned)
            .ok_or_else(|| missing("GITHUB_REF_NAME", "--branch"))?,
    };
    let started = match options
        .started_at
        .as_deref()
        .or_else(|| env.var(STARTED_AT_VAR))
    {
        Some(text) => parse_time(text, "--started-at")?,
        None => {
            return Err(Failure::usage(format!(
                "the run's start time is unknown: pass --started-at RFC3339, or run `ci-intel-telemetry start` earlier in the job (it exports {STARTED_AT_VAR})"
            )));
        }
    };
    let ended = match options.ended_at.as_deref() {
        Some(text) => parse_time(text, "--ended-at")?,
        None => now,
    };
    if ended < started {
        return Err(Failure::usage(format!(
            "ended_at {} is before started_at {}",
            rfc3339(ended),
            rfc3339(started)
        )));
    }
    let run_id = match &options.run_id {
        Some(id) => uuid::Uuid::parse_str(id)
            .map_err(|e| Failure::usage(format!("--run-id `{id}` is not a UUID: {e}")))?
            .to_string(),
        None => derived_run_id(env, &repo)?,
    };
    let tests = junit_totals(&options.junit)?;
    let status = options.status.unwrap_or(if tests.failed > 0 {
        RunStatus::Failed
    } else {
        RunStatus::Success
    });
    let duration_ms = u64::try_from((ended - started).num_milliseconds()).unwrap_or(0);
    let job_id = env.var("GITHUB_JOB").unwrap_or("job").to_owned();
    let attempt = env.var("GITHUB_RUN_ATTEMPT").and_then(|a| a.parse().ok());
    Ok(PipelineRun {
        schema: SCHEMA_V1_2.to_owned(),
        run_id,
        repo,
        commit_sha: sha,
        branch,
        pr: pull_request_number(env)?,
        started_at: rfc3339(started),
        ended_at: rfc3339(ended),
        status,
        queue_ms: None,
        artifact_bytes: None,
        environment: options.environment.clone(),
        deployment_id: None,
        image_digest: None,
        release_evidence_uri: None,
        runner_os: env.var("RUNNER_OS").map(|os| os.to_ascii_lowercase()),
        runner_type: env.var("RUNNER_ENVIRONMENT").map(|e| {
            if e == "github-hosted" {
                "hosted"
            } else {
                "self-hosted"
            }
            .to_owned()
        }),
        cache_keys: Vec::new(),
        flakiness_index: None,
        canary: None,
        jobs: vec![Job {
            name: options.job_name.clone().unwrap_or_else(|| job_id.clone()),
            id: job_id,
            status,
            attempt,
            duration_ms,
            queue_ms: None,
            logs_uri: None,
            matrix: Default::default(),
        }],
        tests: Tests {
            total: tests.total,
            failed: tests.failed,
            skipped: Some(tests.skipped),
            duration_ms: tests.duration_ms,
            resilience: Resilience::not_measured(),
        },
        policies: options.policies.clone(),
        cost: Cost::default(),
    })
}

fn pick(
    flag: &Option<String>,
    env: &RunnerEnv,
    var: &str,
    flag_name: &str,
) -> Result<String, Failure> {
    match flag {
        Some(v) => Ok(v.clone()),
        None => env
            .var(var)
            .map(str::to_owned)
            .ok_or_else(|| missing(var, flag_name)),
    }
}

fn missing(var: &str, flag: &str) -> Failure {
    Failure::usage(format!(
        "{var} is not set: run inside GitHub Actions or pass {flag}"
    ))
}

fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure::usage(format!(
                "{what} `{text}` is not an RFC 3339 time ({e}); e.g. 2025-10-23T12:00:00Z"
            ))
        })
}

pub(crate) fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stable UUID per run attempt (v5 over server, repository, run id and
/// attempt), so re-emitting the same attempt yields the same `run_id` and a
/// `unique(run_id)` check catches duplicates.
fn derived_run_id(env: &RunnerEnv, repo: &str) -> Result<String, Failure> {
    let run = env
        .var("GITHUB_RUN_ID")
        .ok_or_else(|| missing("GITHUB_RUN_ID", "--run-id"))?;
    let server = env.var("GITHUB_SERVER_URL").unwrap_or("https://github.com");
    let attempt = env.var("GITHUB_RUN_ATTEMPT").unwrap_or("1");
    let name = format!("{server}/{repo}/actions/runs/{run}/attempts/{attempt}");
    Ok(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string())
}

fn pull_request_number(env: &RunnerEnv) -> Result<Option<u64>, Failure> {
    let Some(path) = env.var("GITHUB_EVENT_PATH") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::infra(format!(
            "cannot read the event payload GITHUB_EVENT_PATH={path}: {e}"
        ))
    })?;
    let event: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::infra(format!("the event payload {path} is not JSON: {e}")))?;
    Ok(event
        .pointer("/pull_request/number")
        .and_then(serde_json::Value::as_u64)
        .filter(|n| *n >= 1))
}

fn junit_totals(patterns: &[String]) -> Result<JunitSummary, Failure> {
    let mut totals = JunitSummary::default();
    for pattern in patterns {
        let matched = files::expand(pattern)?;
        if matched.is_empty() {
            return Err(Failure::usage(format!(
                "--junit `{pattern}` matched no file; check the path, or drop the flag if the job wrote no JUnit report"
            )));
        }
        for path in matched {
            let summary = junit::summarise_file(&path).map_err(|e| Failure::usage(e.message))?;
            totals.add(summary);
        }
    }
    Ok(totals)
}

fn append_line(path: &Path, line: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            Failure::infra(format!("cannot open {} for appending: {e}", path.display()))
        })?;
    writeln!(file, "{line}")
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))
}

/// Parse `--policy id=result[:reason]`.
pub fn parse_policy(text: &str) -> Result<PolicyDecision, String> {
    let (id, rest) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected ID=allow|warn|deny[:REASON]"))?;
    let (result, reason) = match rest.split_once(':') {
        Some((r, reason)) => (r, Some(reason.to_owned())),
        None => (rest, None),
    };
    let result = match result {
        "allow" => Verdict::Allow,
        "warn" => Verdict::Warn,
        "deny" => Verdict::Deny,
        other => {
            return Err(format!(
                "`{text}`: result `{other}` is not allow, warn or deny"
            ));
        }
    };
    if id.is_empty() {
        return Err(format!("`{text}`: the policy id is empty"));
    }
    Ok(PolicyDecision {
        id: id.to_owned(),
        result,
        reason,
        docs_uri: None,
        time_ns: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> RunnerEnv {
        RunnerEnv::from_pairs([
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_JOB", "test"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
            (STARTED_AT_VAR, "2025-10-23T12:00:00Z"),
        ])
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-10-23T12:04:10Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn builds_a_valid_record_from_the_environment() {
        let record = build(&EmitOptions::default(), &env(), now()).unwrap();
        assert_eq!(record.repo, "acme/app");
        assert_eq!(record.jobs[0].duration_ms, 250_000);
        assert_eq!(record.jobs[0].attempt, Some(2));
        assert_eq!(record.runner_os.as_deref(), Some("linux"));
        assert_eq!(record.runner_type.as_deref(), Some("hosted"));
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(schema::defects(&value), vec![]);
    }

    #[test]
    fn run_id_is_stable_per_attempt_and_differs_across_attempts() {
        let a = build(&EmitOptions::default(), &env(), now())
            .unwrap()
            .run_id;
        let b = build(&EmitOptions::default(), &env(), now())
            .unwrap()
            .run_id;
        assert_eq!(a, b);
        let mut pairs: Vec<(String, String)> = vec![("GITHUB_RUN_ATTEMPT".into(), "3".into())];
        pairs.extend(
            [
                "GITHUB_REPOSITORY",
                "GITHUB_SHA",
                "GITHUB_REF_NAME",
                "GITHUB_RUN_ID",
                STARTED_AT_VAR,
            ]
            .iter()
            .map(|k| (k.to_string(), env().var(k).unwrap().to_owned())),
        );
        let c = build(
            &EmitOptions::default(),
            &RunnerEnv::from_pairs(pairs),
            now(),
        )
        .unwrap()
        .run_id;
        assert_ne!(a, c);
    }

    #[test]
    fn missing_start_time_is_a_usage_error_that_says_what_to_do() {
        let env = RunnerEnv::from_pairs([
            ("GITHUB_REPOSITORY", "a/b"),
            ("GITHUB_SHA", "x"),
            ("GITHUB_REF_NAME", "m"),
        ]);
        let err = build(&EmitOptions::default(), &env, now()).unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(err.message.contains("--started-at"), "{}", err.message);
    }

    #[test]
    fn end_before_start_is_refused() {
        let options = EmitOptions {
            ended_at: Some("2025-10-23T11:00:00Z".into()),
            ..Default::default()
        };
        assert!(build(&options, &env(), now()).is_err());
    }

    #[test]
    fn a_bad_sha_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let options = EmitOptions {
            output: dir.path().join("runs.ndjson"),
            sha: Some("abc".into()),
            ..Default::default()
        };
        let err = emit(&options, &env(), now()).unwrap_err();
        assert!(err.message.contains("/commit_sha"), "{}", err.message);
        assert!(!options.output.exists());
    }

    #[test]
    fn policies_parse_and_reject_garbage() {
        let p = parse_policy("two_person=deny:one approver").unwrap();
        assert_eq!(
            (p.id.as_str(), p.result, p.reason.as_deref()),
            ("two_person", Verdict::Deny, Some("one approver"))
        );
        assert!(parse_policy("x=maybe").is_err());
        assert!(parse_policy("=allow").is_err());
        assert!(parse_policy("noequals").is_err());
    }
}

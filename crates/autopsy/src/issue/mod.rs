//! `upsert-issue`: one GitHub issue per failure signature.
//!
//! For each of the report's best causes (`autopsy.issue.max_issues`, 1 by
//! default) it looks for an issue carrying the cause's hidden marker
//! `<!-- ci-intel-autopsy signature=<16 hex> -->`: first with the search
//! API (`GET /search/issues`), then, because search indexes new issues with
//! a delay, among the most recently updated issues with the first label
//! (`GET /repos/{o}/{r}/issues`). Found and open: the body's occurrence
//! table is updated (count, first and last seen, the newest runs linked;
//! `PATCH`). Found and closed: the same update reopens it (`state:
//! open`). Not found: a new issue with the labels (`POST`).
//!
//! The transport is octocrab (hyper-rustls with ring; no OpenSSL, no
//! aws-lc) on a current-thread tokio runtime. Every call has a timeout;
//! failures are retried a bounded number of times with a logged back-off;
//! an answer that says the rate limit is exhausted (`403`/`429` with
//! `retry-after`, or `x-ratelimit-remaining: 0` and `x-ratelimit-reset`)
//! is waited out when the wait is short enough (`--max-wait`), else it is
//! an infrastructure error. GitHub unreachable: exit 3.

mod body;

use std::path::PathBuf;
use std::time::Duration;

use http_body_util::BodyExt as _;
use octocrab::Octocrab;
use serde::Deserialize;

use ci_intel_core::{ExitCode, Failure, RunnerEnv};

use crate::redact::Redactor;
pub use body::{IssueBody, Occurrences, marker};

/// Arguments of `upsert-issue`.
#[derive(Debug, clap::Args)]
pub struct UpsertArgs {
    /// The report written by `classify --json-output FILE` (or printed by
    /// `classify --format json`).
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
    /// The repository to file issues in (default: `$GITHUB_REPOSITORY`).
    #[arg(long, value_name = "OWNER/REPO")]
    pub repo: Option<String>,
    /// The REST API (default: `$GITHUB_API_URL`, else https://api.github.com).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The failed run, linked in the issue (default: built from
    /// `$GITHUB_SERVER_URL`, `$GITHUB_REPOSITORY` and `$GITHUB_RUN_ID`).
    #[arg(long, value_name = "URL")]
    pub run_url: Option<String>,
    /// Labels of a new issue (repeatable; default: `autopsy.issue.labels`).
    #[arg(long = "label", value_name = "NAME")]
    pub labels: Vec<String>,
    /// Issues to upsert, best causes first (default: `autopsy.issue.max_issues`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=10))]
    pub max_issues: Option<u8>,
    /// Seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Retries of a request that failed to connect, timed out or got a 5xx.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// The longest rate-limit wait accepted, in seconds; a longer one is an
    /// error (exit 3).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub max_wait: u64,
    /// Print the calls instead of making them.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
}

/// The fields of a report cause that an issue needs.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportCause {
    pub rule: String,
    pub title: String,
    pub tool: String,
    pub severity: String,
    pub message: String,
    pub suggestion: String,
    pub docs_uri: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
    pub log: String,
    #[serde(default)]
    pub log_line: Option<u64>,
    pub matched: String,
    #[serde(default)]
    pub context: ReportContext,
    pub signature: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportContext {
    #[serde(default)]
    pub before: Vec<ReportLine>,
    #[serde(default)]
    pub after: Vec<ReportLine>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReportLine {
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Deserialize)]
struct Report {
    root_causes: Vec<ReportCause>,
}

/// The issue fields we read (GitHub's issue object has many more).
#[derive(Debug, Clone, Deserialize)]
struct Issue {
    number: u64,
    state: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct SearchResult {
    items: Vec<Issue>,
}

/// What happened to one cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created(u64),
    Updated(u64),
    Reopened(u64),
}

struct Http {
    client: Octocrab,
    runtime: tokio::runtime::Runtime,
    base: String,
    timeout: Duration,
    retries: u32,
    max_wait: Duration,
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Http {
    fn new(base: &str, token: &str, args: &UpsertArgs) -> Result<Http, Failure> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::infra(format!("cannot start the async runtime: {e}")))?;
        let timeout = Duration::from_secs(args.timeout.max(1));
        let client = {
            let _context = runtime.enter();
            Octocrab::builder()
                .base_uri(base)
                .map_err(|e| Failure::usage(format!("--api-url {base}: {e}")))?
                .personal_token(token.to_owned())
                .set_connect_timeout(Some(timeout.min(Duration::from_secs(15))))
                .set_read_timeout(Some(timeout))
                .set_write_timeout(Some(timeout))
                .build()
                .map_err(|e| Failure::infra(format!("cannot set up the GitHub client: {e}")))?
        };
        Ok(Http {
            client,
            runtime,
            base: base.trim_end_matches('/').to_owned(),
            timeout,
            retries: args.retries,
            max_wait: Duration::from_secs(args.max_wait),
        })
    }

    /// One call with bounded retries and rate-limit waits.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, Failure> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0u32;
        loop {
            let sent = self.runtime.block_on(async {
                let request = async {
                    let response = match method {
                        "GET" => self.client._get(url.as_str()).await,
                        "POST" => self.client._post(url.as_str(), body).await,
                        _ => self.client._patch(url.as_str(), body).await,
                    }?;
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    let bytes = response.into_body().collect().await?.to_bytes().to_vec();
                    Ok::<_, octocrab::Error>((status, headers, bytes))
                };
                tokio::time::timeout(self.timeout, request).await
            });
            let (status, headers, bytes) = match sent {
                Ok(Ok(answer)) => answer,
                Ok(Err(e)) => {
                    let why = describe(&e);
                    if attempt < self.retries {
                        attempt += 1;
                        self.back_off(attempt, method, &url, &why);
                        continue;
                    }
                    return Err(Failure::infra(format!(
                        "{method} {url}: GitHub cannot be reached after {} attempt(s): {why}",
                        attempt + 1
                    )));
                }
                Err(_) => {
                    if attempt < self.retries {
                        attempt += 1;
                        self.back_off(attempt, method, &url, "timed out");
                        continue;
                    }
                    return Err(Failure::infra(format!(
                        "{method} {url}: no answer within {}s after {} attempt(s)",
                        self.timeout.as_secs(),
                        attempt + 1
                    )));
                }
            };
            if let Some(wait) = rate_limit_wait(status, &headers) {
                if wait > self.max_wait {
                    return Err(Failure::infra(format!(
                        "{method} {url}: rate limited (HTTP {status}) for {}s more, longer than --max-wait {}s; try again later",
                        wait.as_secs(),
                        self.max_wait.as_secs()
                    )));
                }
                if attempt < self.retries {
                    attempt += 1;
                    eprintln!(
                        "{}: {method} {url}: rate limited (HTTP {status}); waiting {}s as GitHub asks (attempt {attempt} of {})",
                        crate::TOOL,
                        wait.as_secs(),
                        self.retries
                    );
                    std::thread::sleep(wait);
                    continue;
                }
                return Err(Failure::infra(format!(
                    "{method} {url}: still rate limited (HTTP {status}) after {} attempt(s)",
                    attempt + 1
                )));
            }
            if status >= 500 && attempt < self.retries {
                attempt += 1;
                self.back_off(attempt, method, &url, &format!("HTTP {status}"));
                continue;
            }
            return Ok(Answer {
                status,
                body: bytes,
            });
        }
    }

    fn back_off(&self, attempt: u32, method: &str, url: &str, why: &str) {
        let wait = Duration::from_millis(250 * (1u64 << attempt.min(4)));
        eprintln!(
            "{}: {method} {url}: {why}; retrying in {}ms (attempt {attempt} of {})",
            crate::TOOL,
            wait.as_millis(),
            self.retries
        );
        std::thread::sleep(wait);
    }

    fn json<T: for<'de> Deserialize<'de>>(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        ok: &[u16],
    ) -> Result<T, Failure> {
        let answer = self.call(method, path, body)?;
        if !ok.contains(&answer.status) {
            let text = String::from_utf8_lossy(&answer.body);
            let what = match answer.status {
                401 => "the token is missing or invalid (set GITHUB_TOKEN)",
                403 => "the token may not do this (the job needs `issues: write`)",
                404 => "the repository does not exist or the token cannot see it",
                410 => "issues are disabled for the repository",
                422 => "GitHub rejected the request",
                _ => "unexpected answer",
            };
            return Err(Failure::infra(format!(
                "{method} {}{path} answered HTTP {}: {what}: {}",
                self.base,
                answer.status,
                line_of(&text)
            )));
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            Failure::infra(format!(
                "{method} {}{path}: the answer is not the JSON GitHub documents: {e}",
                self.base
            ))
        })
    }
}

fn line_of(text: &str) -> String {
    crate::scan::line::truncate(text.split_whitespace().collect::<Vec<_>>().join(" "), 300)
}

/// How long a rate-limited answer asks to wait, if it is one.
fn rate_limit_wait(status: u16, headers: &http::HeaderMap) -> Option<Duration> {
    if status != 403 && status != 429 {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(seconds) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(seconds));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        let reset = header("x-ratelimit-reset")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let now = chrono::Utc::now().timestamp();
        return Some(Duration::from_secs((reset - now).max(0) as u64 + 1));
    }
    if status == 429 {
        return Some(Duration::from_secs(60));
    }
    None
}

fn describe(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn query_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The search query that finds a signature's issue.
pub fn search_path(repo: &str, signature: &str) -> String {
    let q = format!("repo:{repo} is:issue in:body \"ci-intel-autopsy signature={signature}\"");
    format!("/search/issues?q={}&per_page=10", query_escape(&q))
}

/// The listing that finds issues search has not indexed yet.
pub fn list_path(repo: &str, label: Option<&str>) -> String {
    let mut path =
        format!("/repos/{repo}/issues?state=all&sort=updated&direction=desc&per_page=100");
    if let Some(label) = label {
        path.push_str(&format!("&labels={}", query_escape(label)));
    }
    path
}

fn find(
    http: &Http,
    repo: &str,
    labels: &[String],
    signature: &str,
) -> Result<Option<Issue>, Failure> {
    let mark = marker(signature);
    let has = |issue: &Issue| {
        issue.pull_request.is_none() && issue.body.as_deref().is_some_and(|b| b.contains(&mark))
    };
    let found: SearchResult = http.json("GET", &search_path(repo, signature), None, &[200])?;
    if let Some(issue) = found.items.into_iter().find(|i| has(i)) {
        return Ok(Some(issue));
    }
    let recent: Vec<Issue> = http.json(
        "GET",
        &list_path(repo, labels.first().map(String::as_str)),
        None,
        &[200],
    )?;
    Ok(recent.into_iter().find(|i| has(i)))
}

/// `ci-intel-autopsy upsert-issue`.
pub fn run_cli(args: &UpsertArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (autopsy, _) =
        crate::classify::load_config(args.config.as_deref(), args.org_policy.as_deref())?;
    let text = std::fs::read_to_string(&args.report).map_err(|e| {
        Failure::usage(format!(
            "cannot read --report {}: {e}; write it with `classify --json-output FILE`",
            args.report.display()
        ))
    })?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "--report {}: not a classify report ({e}); expected the JSON of `classify --json-output` with \"root_causes\"",
            args.report.display()
        ))
    })?;
    let repo = args
        .repo
        .clone()
        .or_else(|| env.var("GITHUB_REPOSITORY").map(str::to_owned))
        .ok_or_else(|| {
            Failure::usage("no repository: pass --repo OWNER/REPO or set GITHUB_REPOSITORY")
        })?;
    if repo.split('/').count() != 2
        || repo
            .split('/')
            .any(|p| p.is_empty() || p.contains(char::is_whitespace))
    {
        return Err(Failure::usage(format!("--repo {repo:?} is not OWNER/REPO")));
    }
    let base = args
        .api_url
        .clone()
        .or_else(|| env.var("GITHUB_API_URL").map(str::to_owned))
        .unwrap_or_else(|| "https://api.github.com".to_owned());
    let run_url = args.run_url.clone().or_else(|| {
        let server = env.var("GITHUB_SERVER_URL").unwrap_or("https://github.com");
        let id = env.var("GITHUB_RUN_ID")?;
        Some(format!("{server}/{repo}/actions/runs/{id}"))
    });
    let labels = if args.labels.is_empty() {
        autopsy.issue.labels.clone()
    } else {
        args.labels.clone()
    };
    let max = args.max_issues.unwrap_or(autopsy.issue.max_issues).max(1) as usize;
    if report.root_causes.is_empty() {
        eprintln!(
            "{}: upsert-issue: the report has no cause; no issue filed",
            crate::TOOL
        );
        return Ok(ExitCode::Pass);
    }
    // Belt and braces: the report is redacted by classify; redact again
    // what is sent, in case the file came from elsewhere.
    let redactor = Redactor::new(Vec::new());
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let causes: Vec<ReportCause> = report.root_causes.into_iter().take(max).collect();
    if args.dry_run {
        for cause in &causes {
            let body = IssueBody::new(cause, &redactor).render(
                &Occurrences::first(&now, run_url.as_deref()),
                autopsy.issue.keep_runs as usize,
            );
            println!("GET {base}{}", search_path(&repo, &cause.signature));
            println!("POST {base}/repos/{repo}/issues (if none is found)\n{body}");
        }
        return Ok(ExitCode::Pass);
    }
    let token = env
        .var("GITHUB_TOKEN")
        .or_else(|| env.var("GH_TOKEN"))
        .ok_or_else(|| {
            Failure::usage(
                "no token: set GITHUB_TOKEN (the job needs `permissions: issues: write`)",
            )
        })?
        .to_owned();
    env.mask(&token);
    let http = Http::new(&base, &token, args)?;
    for cause in &causes {
        let outcome = upsert(
            &http,
            &repo,
            &labels,
            cause,
            &redactor,
            &now,
            run_url.as_deref(),
            autopsy.issue.keep_runs as usize,
        )?;
        let (what, number) = match outcome {
            Outcome::Created(n) => ("created", n),
            Outcome::Updated(n) => ("updated", n),
            Outcome::Reopened(n) => ("reopened", n),
        };
        eprintln!(
            "{}: upsert-issue: {what} {repo}#{number} for {} ({})",
            crate::TOOL,
            cause.rule,
            cause.signature
        );
        env.set_output("issue", &number.to_string())?;
        env.set_output("issue-action", what)?;
    }
    Ok(ExitCode::Pass)
}

#[allow(clippy::too_many_arguments)]
fn upsert(
    http: &Http,
    repo: &str,
    labels: &[String],
    cause: &ReportCause,
    redactor: &Redactor,
    now: &str,
    run_url: Option<&str>,
    keep_runs: usize,
) -> Result<Outcome, Failure> {
    let body = IssueBody::new(cause, redactor);
    match find(http, repo, labels, &cause.signature)? {
        Some(issue) => {
            let seen = Occurrences::parse(issue.body.as_deref().unwrap_or(""))
                .unwrap_or_else(|| Occurrences::first(now, None))
                .next(now, run_url);
            let mut patch = serde_json::json!({ "body": body.render(&seen, keep_runs) });
            let reopen = issue.state != "open";
            if reopen {
                patch["state"] = "open".into();
            }
            let _: Issue = http.json(
                "PATCH",
                &format!("/repos/{repo}/issues/{}", issue.number),
                Some(&patch),
                &[200],
            )?;
            let _ = issue.html_url;
            Ok(if reopen {
                Outcome::Reopened(issue.number)
            } else {
                Outcome::Updated(issue.number)
            })
        }
        None => {
            let create = serde_json::json!({
                "title": body.title(),
                "body": body.render(&Occurrences::first(now, run_url), keep_runs),
                "labels": labels,
            });
            let issue: Issue = http.json(
                "POST",
                &format!("/repos/{repo}/issues"),
                Some(&create),
                &[201, 200],
            )?;
            Ok(Outcome::Created(issue.number))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_headers_give_the_wait() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(rate_limit_wait(200, &headers), None);
        assert_eq!(rate_limit_wait(403, &headers), None);
        headers.insert("retry-after", http::HeaderValue::from_static("7"));
        assert_eq!(rate_limit_wait(403, &headers), Some(Duration::from_secs(7)));
        let mut headers = http::HeaderMap::new();
        headers.insert("x-ratelimit-remaining", http::HeaderValue::from_static("0"));
        let reset = (chrono::Utc::now().timestamp() + 5).to_string();
        headers.insert(
            "x-ratelimit-reset",
            http::HeaderValue::from_str(&reset).unwrap_or(http::HeaderValue::from_static("0")),
        );
        let wait = rate_limit_wait(403, &headers).unwrap_or_default();
        assert!((5..=6).contains(&wait.as_secs()), "{wait:?}");
    }

    #[test]
    fn the_search_query_is_escaped() {
        assert_eq!(
            search_path("o/r", "0123456789abcdef"),
            "/search/issues?q=repo%3Ao%2Fr+is%3Aissue+in%3Abody+%22ci-intel-autopsy+signature%3D0123456789abcdef%22&per_page=10"
        );
        assert_eq!(
            list_path("o/r", Some("ci failure")),
            "/repos/o/r/issues?state=all&sort=updated&direction=desc&per_page=100&labels=ci+failure"
        );
    }
}

//! `synth`: a deterministic generator of realistic pipeline_run v1.2 records
//! for demos, tests and benchmarks. The same options give the same bytes:
//! the generator uses its own SplitMix64 stream (no `rand` version can
//! change the output), fixed word lists, a fixed end date unless one is
//! given, and serialises through [`Record`] (fixed field order).
//!
//! What it models, per repository: pushes to `main` (CI runs on new
//! commits), pull-request runs on feature branches, production and staging
//! deployments of the newest `main` commit, failures and rollbacks at a
//! per-repository rate, flaky tests, mutation runs whose score drifts over
//! time, gate decisions (mostly allow, some deny), cost and carbon from
//! CPU time and the region's grid intensity, chaos experiments and autopsy
//! root causes on failed runs.

use std::io::Write;

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};

use crate::record::{
    Autopsy, Canary, CanaryMetrics, CanaryWindow, Chaos, Cost, Coverage, Energy, Job, JobCache,
    Machine, Policy, Record, Resilience, RootCause, Tests,
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub seed: u64,
    pub runs: u64,
    pub repos: u32,
    /// Days the runs span, ending at `end`.
    pub days: u32,
    /// The end of the span (exclusive). Fixed by default so the bytes do
    /// not depend on the day they are made.
    pub end: DateTime<Utc>,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: 1,
            runs: 1000,
            repos: 3,
            days: 90,
            end: default_end(),
        }
    }
}

/// 2026-01-01T00:00:00Z.
pub fn default_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// SplitMix64: tiny, fast, and fixed forever (this is the output format).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// Log-normal around `median` with spread `sigma` (Box-Muller).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(digits);
        out
    }
    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        // Version 4 and the RFC 4122 variant, so every validator accepts it.
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            ["8", "9", "a", "b"][(self.next() % 4) as usize],
            &h[17..20],
            &h[20..32]
        )
    }
}

const ORGS: &[&str] = &["acme", "globex", "initech", "umbrella", "hooli"];
const SERVICES: &[&str] = &[
    "api", "web", "billing", "search", "auth", "payments", "catalog", "mobile", "infra", "docs",
    "ledger", "gateway",
];
const REGIONS: &[(&str, f64)] = &[
    // (region, grid intensity in g CO2e per kWh; round figures of public grid averages)
    ("us-east-1", 380.0),
    ("us-west-2", 120.0),
    ("eu-west-1", 300.0),
    ("eu-north-1", 30.0),
    ("ap-southeast-1", 480.0),
];
const GATES: &[&str] = &[
    "policy",
    "secrets",
    "attest",
    "telemetry",
    "vuln",
    "two_person_prod",
];
const FEATURES: &[&str] = &[
    "login", "retry", "cache", "search", "export", "billing", "i18n", "metrics", "cleanup", "deps",
];
const CAUSES: &[(&str, &str, &str)] = &[
    (
        "pytest",
        "AssertionError",
        "compare against the fixture's current value",
    ),
    (
        "cargo",
        "error[E0308]: mismatched types",
        "fix the type at the reported line",
    ),
    ("npm", "ERR! code ETIMEDOUT", "retry with a registry mirror"),
    (
        "runner",
        "No space left on device",
        "clean the workspace before the build",
    ),
    (
        "go",
        "panic: runtime error: index out of range",
        "guard the slice index",
    ),
];

/// Per repository state while generating.
#[derive(Debug)]
struct Repo {
    name: String,
    /// Probability that a CI run fails (a repository's reliability).
    fail_rate: f64,
    /// Probability that a production deployment fails.
    deploy_fail_rate: f64,
    region: usize,
    commit_counter: u64,
    head: String,
    pr_counter: i64,
    mutation_score: f64,
    flakiness: f64,
    deploys: u64,
}

/// Write `options.runs` records, one per line, to `out`.
pub fn synth(options: &SynthOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = Rng(options.seed ^ 0x5EED_CAFE_F00D_D00D);
    let repos_n = options.repos.max(1);
    let mut repos: Vec<Repo> = (0..repos_n)
        .map(|i| {
            let org = ORGS[(i as usize / SERVICES.len()) % ORGS.len()];
            let service = SERVICES[i as usize % SERVICES.len()];
            let suffix = i as usize / (SERVICES.len() * ORGS.len());
            let name = if suffix == 0 {
                format!("{org}/{service}")
            } else {
                format!("{org}/{service}-{suffix}")
            };
            Repo {
                name,
                fail_rate: 0.04 + rng.unit() * 0.12,
                deploy_fail_rate: 0.02 + rng.unit() * 0.15,
                region: rng.below(REGIONS.len() as u64) as usize,
                commit_counter: 0,
                head: rng.hex(40),
                pr_counter: 100 + rng.below(900) as i64,
                mutation_score: 0.55 + rng.unit() * 0.2,
                flakiness: rng.unit() * 0.15,
                deploys: 0,
            }
        })
        .collect();
    let span_ms = i64::from(options.days.max(1)) * 86_400_000;
    let start = options.end - Duration::milliseconds(span_ms);
    let step = span_ms as f64 / options.runs.max(1) as f64;
    let mut line = Vec::with_capacity(2048);
    for i in 0..options.runs {
        let offset = (i as f64 * step + rng.unit() * step) as i64;
        let at = start + Duration::milliseconds(offset.min(span_ms - 1));
        let progress = offset as f64 / span_ms as f64;
        let index = rng.below(u64::from(repos_n)) as usize;
        let record = one_run(&mut rng, &mut repos[index], at, progress);
        line.clear();
        serde_json::to_writer(&mut line, &record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Push,
    PullRequest,
    Deploy(&'static str),
}

fn one_run(rng: &mut Rng, repo: &mut Repo, started: DateTime<Utc>, progress: f64) -> Record {
    let roll = rng.unit();
    let kind = if roll < 0.55 {
        Kind::Push
    } else if roll < 0.88 {
        Kind::PullRequest
    } else if roll < 0.95 {
        Kind::Deploy("prod")
    } else {
        Kind::Deploy("staging")
    };
    let (branch, commit_sha, pr) = match kind {
        Kind::Push => {
            repo.commit_counter += 1;
            repo.head = rng.hex(40);
            ("main".to_owned(), repo.head.clone(), None)
        }
        Kind::PullRequest => {
            if rng.chance(0.4) {
                repo.pr_counter += 1;
            }
            let feature = rng.pick(FEATURES);
            (
                format!("feature/{feature}-{}", repo.pr_counter),
                rng.hex(40),
                Some(repo.pr_counter),
            )
        }
        Kind::Deploy(_) => ("main".to_owned(), repo.head.clone(), None),
    };
    let deploy_env = match kind {
        Kind::Deploy(env) => Some(env),
        _ => None,
    };
    let fail_rate = match kind {
        Kind::Deploy(_) => repo.deploy_fail_rate,
        _ => repo.fail_rate,
    };
    let status = if rng.chance(fail_rate) {
        "failed"
    } else if rng.chance(0.02) {
        "canceled"
    } else if kind != Kind::PullRequest && rng.chance(0.01) {
        "skipped"
    } else {
        "success"
    };
    let queue_ms = rng.lognormal(9_000.0, 0.9).min(1_800_000.0) as i64;
    // Jobs: build always, then some of test, lint, e2e; deploy for deployments.
    let mut names: Vec<&str> = vec!["build"];
    if deploy_env.is_some() {
        names.push("deploy");
    } else {
        names.push("test");
        if rng.chance(0.6) {
            names.push("lint");
        }
        if rng.chance(0.3) {
            names.push("e2e");
        }
    }
    let failing_job = if status == "failed" {
        Some(1 + rng.below(names.len() as u64 - 1) as usize)
    } else {
        None
    };
    let machine_class = if rng.chance(0.2) { "large" } else { "standard" };
    let (cpus, ram) = if machine_class == "large" {
        ("8", 32.0)
    } else {
        ("4", 16.0)
    };
    let mut jobs = Vec::with_capacity(names.len());
    let mut total_ms = 0i64;
    let mut cpu_seconds = 0.0;
    for (index, name) in names.iter().enumerate() {
        let median = match *name {
            "build" => 150_000.0,
            "test" => 240_000.0,
            "lint" => 45_000.0,
            "e2e" => 420_000.0,
            _ => 180_000.0,
        };
        let duration = rng.lognormal(median, 0.45).max(1_000.0) as i64;
        let job_status = match (status, failing_job) {
            ("failed", Some(f)) if f == index => "failed",
            ("failed", Some(f)) if index > f => "skipped",
            ("canceled", _) if index + 1 == names.len() => "canceled",
            ("skipped", _) => "skipped",
            _ => "success",
        };
        let ran = if job_status == "skipped" { 0 } else { duration };
        total_ms += ran;
        cpu_seconds += ran as f64 / 1000.0 * cpus.parse::<f64>().unwrap_or(4.0) * 0.7;
        let cache_hit = rng.chance(0.75);
        jobs.push(Job {
            id: (*name).to_owned(),
            name: (*name).to_owned(),
            status: job_status.to_owned(),
            attempt: Some(if rng.chance(0.05) { 2 } else { 1 }),
            duration_ms: ran,
            queue_ms: Some(rng.lognormal(4_000.0, 0.8).min(600_000.0) as i64),
            cache: Some(JobCache {
                hit: Some(cache_hit),
                key: Some(format!("{name}-{}", &repo.name.replace('/', "-"))),
            }),
            machine: Some(Machine {
                class: Some(machine_class.to_owned()),
                cpu: Some(cpus.to_owned()),
                ram_gb: Some(ram),
            }),
            matrix: None,
            logs_uri: None,
        });
    }
    let wall_ms = total_ms + rng.below(20_000) as i64;
    let ended = started + Duration::milliseconds(wall_ms.max(1_000));
    // Tests.
    let total_tests = if deploy_env.is_some() {
        0
    } else {
        200 + rng.below(2800) as i64
    };
    let failed_tests = if status == "failed" && total_tests > 0 {
        1 + rng.below(5) as i64
    } else {
        0
    };
    repo.flakiness = (repo.flakiness + (rng.unit() - 0.5) * 0.01).clamp(0.0, 0.3);
    let mutation = kind == Kind::Push && rng.chance(0.1);
    let resilience = if mutation {
        repo.mutation_score =
            (repo.mutation_score + (rng.unit() - 0.42) * 0.02 + progress * 0.0005).clamp(0.3, 0.99);
        let mutants_total = 300 + rng.below(900) as i64;
        let equiv = rng.below(30) as i64;
        let killed = ((mutants_total - equiv) as f64 * repo.mutation_score).round() as i64;
        Resilience {
            mutants_total,
            killed,
            equiv,
            timeout: rng.below(12) as i64,
            score: round(
                ci_intel_core::pipeline_run::Resilience::score_of(
                    killed as u64,
                    mutants_total as u64,
                    equiv as u64,
                ),
                4,
            ),
            delta_vs_main: None,
            equivalent_mutants_dropped: Some(true),
        }
    } else {
        Resilience {
            mutants_total: 0,
            killed: 0,
            equiv: 0,
            timeout: 0,
            score: 0.0,
            delta_vs_main: None,
            equivalent_mutants_dropped: None,
        }
    };
    let tests = Tests {
        total: total_tests,
        failed: failed_tests,
        skipped: Some(if total_tests > 0 {
            rng.below(20) as i64
        } else {
            0
        }),
        duration_ms: jobs
            .iter()
            .filter(|j| j.name == "test" || j.name == "e2e")
            .map(|j| j.duration_ms)
            .sum(),
        coverage: (total_tests > 0).then(|| Coverage {
            lines_pct: Some(round(0.7 + rng.unit() * 0.25, 3)),
            branches_pct: Some(round(0.6 + rng.unit() * 0.3, 3)),
            statements_pct: None,
        }),
        resilience,
    };
    // Gates.
    let mut policies = Vec::new();
    for gate in GATES
        .iter()
        .take(if deploy_env == Some("prod") { 6 } else { 4 })
    {
        let deny = rng.chance(0.03);
        let warn = !deny && rng.chance(0.05);
        policies.push(Policy {
            id: (*gate).to_owned(),
            result: if deny {
                "deny"
            } else if warn {
                "warn"
            } else {
                "allow"
            }
            .to_owned(),
            reason: deny.then(|| format!("{gate}: findings at or above high")),
            docs_uri: None,
            time_ns: Some(rng.lognormal(2.0e7, 1.0) as i64),
        });
    }
    // Cost and carbon: CPU seconds at $0.008 per vCPU-minute; 10 W per vCPU.
    let (region, intensity) = REGIONS[repo.region];
    let usd = round(cpu_seconds / 60.0 * 0.008, 4);
    let kwh = cpu_seconds * 10.0 / 3_600_000.0;
    let carbon = round(kwh * intensity, 4);
    // Deployment details.
    let mut deployment_id = None;
    let mut strategy = None;
    let mut rollback_reason = None;
    let mut canary = None;
    let mut canary_metrics = None;
    let mut rollout_step = None;
    let mut image_digest = None;
    if let Some(env) = deploy_env {
        repo.deploys += 1;
        deployment_id = Some(format!(
            "{}-{env}-{}",
            repo.name.replace('/', "-"),
            repo.deploys
        ));
        let strat = *rng.pick(&["direct", "rolling", "canary", "blue-green"]);
        strategy = Some(strat.to_owned());
        image_digest = Some(format!("sha256:{}", rng.hex(64)));
        let rolled_back = status == "success" && env == "prod" && rng.chance(0.04);
        if rolled_back {
            rollback_reason = Some("error rate above the SLO after rollout".to_owned());
        }
        if strat == "canary" && status == "success" {
            rollout_step = Some(if rolled_back { 1 } else { 3 });
            let error_rate = if rolled_back {
                0.02 + rng.unit() * 0.05
            } else {
                rng.unit() * 0.004
            };
            canary_metrics = Some(CanaryMetrics {
                error_rate: Some(round(error_rate, 5)),
                success_rate: Some(round(1.0 - error_rate, 5)),
                latency_p50_ms: Some(round(rng.lognormal(45.0, 0.2), 1)),
                latency_p95_ms: Some(round(rng.lognormal(90.0, 0.25), 1)),
                latency_p99_ms: Some(round(rng.lognormal(150.0, 0.3), 1)),
                reqs_per_s: Some(round(rng.lognormal(120.0, 0.5), 1)),
            });
            canary = Some(Canary {
                decision: if rolled_back { "rollback" } else { "promote" }.to_owned(),
                recorded_at: time(ended),
                window: CanaryWindow {
                    start: time(ended - Duration::minutes(5)),
                    end: time(ended),
                },
                query: None,
                metrics_uri: None,
            });
        }
    }
    let chaos = (kind == Kind::Push && rng.chance(0.01)).then(|| {
        let fault = *rng.pick(&["kill_job", "delay_net", "drop_net", "corrupt_cache"]);
        vec![Chaos {
            fault: fault.to_owned(),
            target: "test".to_owned(),
            seed: rng.below(1000) as i64,
            rate: Some(0.01),
            started_at: Some(time(started + Duration::seconds(30))),
            ended_at: Some(time(started + Duration::seconds(50))),
            outcome: (*rng.pick(&["recovered", "recovered", "degraded", "failed"])).to_owned(),
            retries: Some(rng.below(3) as i64),
        }]
    });
    let autopsy = (status == "failed").then(|| {
        let (tool, pattern, suggestion) = *rng.pick(CAUSES);
        Autopsy {
            root_causes: Some(vec![RootCause {
                tool: Some(tool.to_owned()),
                pattern: pattern.to_owned(),
                file: None,
                line: None,
                message: Some(pattern.to_owned()),
                suggestion: suggestion.to_owned(),
                severity: Some("error".to_owned()),
                docs_uri: None,
            }]),
        }
    });
    Record {
        schema: ci_intel_core::pipeline_run::SCHEMA_V1_2.to_owned(),
        run_id: rng.uuid(),
        repo: repo.name.clone(),
        commit_sha,
        branch,
        pr,
        started_at: time(started),
        ended_at: time(ended),
        status: status.to_owned(),
        queue_ms: Some(queue_ms),
        artifact_bytes: Some(rng.lognormal(8.0e6, 0.6) as i64),
        environment: deploy_env.map(str::to_owned),
        deployment_id,
        rollout_step,
        strategy,
        image_digest,
        sbom_uri: None,
        provenance_uri: None,
        signature_uri: None,
        release_evidence_uri: None,
        runner_os: Some("linux".to_owned()),
        runner_type: Some(
            if rng.chance(0.8) {
                "hosted"
            } else {
                "self-hosted"
            }
            .to_owned(),
        ),
        region: Some(region.to_owned()),
        spot: Some(rng.chance(0.3)),
        carbon_g_co2e: Some(carbon),
        energy: Some(Energy {
            kwh: Some(round(kwh, 6)),
        }),
        cache_keys: None,
        flakiness_index: Some(round(repo.flakiness, 4)),
        canary_metrics,
        canary,
        rollback_reason,
        jobs,
        tests,
        chaos,
        autopsy,
        policies: Some(policies),
        cost: Cost {
            usd: Some(usd),
            cpu_seconds: Some(round(cpu_seconds, 1)),
            gpu_seconds: Some(0.0),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(options: &SynthOptions) -> Vec<u8> {
        let mut out = Vec::new();
        synth(options, &mut out).unwrap();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let a = SynthOptions {
            seed: 7,
            runs: 300,
            repos: 4,
            ..SynthOptions::default()
        };
        assert_eq!(bytes(&a), bytes(&a.clone()));
        let b = SynthOptions { seed: 8, ..a };
        assert_ne!(bytes(&a), bytes(&b));
    }

    #[test]
    fn every_record_validates_and_the_mix_is_realistic() {
        let options = SynthOptions {
            seed: 3,
            runs: 2000,
            repos: 5,
            ..SynthOptions::default()
        };
        let out = bytes(&options);
        let records = crate::read::read_ndjson("synth.ndjson", &out).unwrap();
        assert_eq!(records.len(), 2000);
        let prod = records
            .iter()
            .filter(|r| r.record.environment.as_deref() == Some("prod"))
            .count();
        let failed = records
            .iter()
            .filter(|r| r.record.status == "failed")
            .count();
        assert!((80..=200).contains(&prod), "{prod} prod deployments");
        assert!((60..=400).contains(&failed), "{failed} failed runs");
        let repos: std::collections::BTreeSet<_> =
            records.iter().map(|r| r.record.repo.clone()).collect();
        assert_eq!(repos.len(), 5);
        // Inside the span, in order.
        let end = default_end().timestamp_millis();
        assert!(
            records
                .iter()
                .all(|r| r.started_ms < end && r.started_ms >= end - 90 * 86_400_000)
        );
    }
}

//! The `ci-intel-evidence` command line.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use ci_intel_core::config::{self, LoadedConfig, Sections};
use ci_intel_core::{ExitCode, Failure, RunnerEnv, Severity};

use crate::bundle;
use crate::config::{EvidenceConfig, SarifConfig, evidence_section, sarif_section};
use crate::keys::{Algorithm, PublicKey, SigningKey};
use crate::make::{self, BundleRequest};
use crate::memo::{self, MemoInput};
use crate::sarif::{self, identity::AliasTable, limits::Limits, limits::OnLimit};
use crate::statement::is_commit;
use crate::suppressions;
use crate::verify::{self, KeylessOptions, Policy, Trust};

#[derive(Debug, Parser)]
#[command(
    name = crate::TOOL,
    version,
    about = "Signed evidence for gate decisions, the release evidence bundle, its truth table and Go/No-Go memo; SARIF merge"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a release's evidence bundle: a directory and a deterministic .tar.
    Bundle(BundleArgs),
    /// Check a bundle: the completeness truth table. Exit 1 on any gap, 3 when unreadable.
    Verify(VerifyArgs),
    /// Print the one-page Go/No-Go memo of a bundle (also to the job summary).
    Memo(MemoArgs),
    /// Merge SARIF 2.1.0 logs (also `ci-intel sarif merge`).
    SarifMerge(SarifMergeArgs),
    /// Write a new signing key (PKCS#8 PEM) and its public key (FILE.pub).
    Keygen(KeygenArgs),
}

/// Configuration flags every command shares.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// Repository configuration (default: .ci-intel/config.yml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Org policy overlay applied below the repository configuration.
    /// Default: $CI_INTEL_ORG_POLICY when set.
    #[arg(long, value_name = "FILE")]
    pub org_policy: Option<PathBuf>,
}

impl ConfigArgs {
    fn load(&self, env: &RunnerEnv) -> Result<LoadedConfig, Failure> {
        let org = self
            .org_policy
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| env.var("CI_INTEL_ORG_POLICY").map(PathBuf::from));
        config::load_cli(
            self.config.as_deref(),
            org.as_deref(),
            &Sections::partial([evidence_section(), sarif_section()]),
        )
    }
}

#[derive(Debug, Args)]
struct BundleArgs {
    /// The release (tag), e.g. v1.4.0.
    #[arg(long)]
    release: String,
    /// The released artifact's digest, `sha256:<64 hex>` (an image digest,
    /// the digest of SHA256SUMS...).
    #[arg(long, value_name = "sha256:HEX")]
    subject: String,
    /// The released commit. Default: `git rev-parse HEAD` in --repo, else $GITHUB_SHA
    /// (as `ci-intel check --evidence` finds it).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// A directory of evidence (repeatable): statements from `ci-intel check
    /// --evidence`, SBOMs, provenance, SARIF, pipeline_run NDJSON, and
    /// rollout/ and drills/ subdirectories.
    #[arg(long, value_name = "DIR", required = true)]
    from: Vec<PathBuf>,
    /// The bundle directory to create; the archive is written to DIR.tar.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Sign the VSA and the manifest with this PEM key (ECDSA P-256 or Ed25519).
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
    /// Further public keys the gate statements may be signed with (repeatable).
    #[arg(long, value_name = "FILE")]
    pubkey: Vec<PathBuf>,
    /// The bundle's time (RFC 3339). Default: $SOURCE_DATE_EPOCH, else now.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// The repository, for the changes since the previous tag.
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// The tag to list changes from (default: the tag before the commit).
    #[arg(long, value_name = "TAG")]
    previous_tag: Option<String>,
    /// The VSA's resourceUri (default: git+<server>/<repository>@refs/tags/<release>).
    #[arg(long, value_name = "URI")]
    resource_uri: Option<String>,
    #[command(flatten)]
    config: ConfigArgs,
}

const NO_TRUST: &str = "give --pubkey FILE (signed evidence) or --identity/--identity-regexp with --sigstore-bundle (keyless, actions/attest): without one no signature can be checked";

/// How signatures are checked.
#[derive(Debug, Args, Clone)]
pub struct TrustArgs {
    /// Public key(s) the statements, VSA and manifest must be signed with (repeatable).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["identity", "identity_regexp"])]
    pubkey: Vec<PathBuf>,
    /// Keyless: the signer identity (certificate SAN) of the manifest's
    /// attestation, e.g. https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/heads/main.
    #[arg(long, value_name = "IDENTITY")]
    identity: Option<String>,
    /// Keyless: a regular expression the signer identity must match.
    #[arg(long, value_name = "REGEX", conflicts_with = "identity")]
    identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer of the signing certificate.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://token.actions.githubusercontent.com"
    )]
    issuer: String,
    /// Keyless: the Sigstore bundle actions/attest wrote for manifest.json
    /// (its `bundle-path` output).
    #[arg(long, value_name = "FILE")]
    sigstore_bundle: Option<PathBuf>,
    /// Keyless: the Sigstore instance (public repositories: public-good;
    /// private ones: github).
    #[arg(long, value_enum, default_value = "public-good")]
    instance: ci_intel_attest::Instance,
    /// Keyless: a trusted_root.json instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
}

impl TrustArgs {
    fn trust(&self, bundle: &bundle::LoadedBundle) -> Result<Trust, Failure> {
        if !self.pubkey.is_empty() {
            let keys = self
                .pubkey
                .iter()
                .map(|p| PublicKey::from_pem_file(p))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Trust::Keys(keys));
        }
        let identity = match (&self.identity, &self.identity_regexp) {
            (Some(exact), _) => ci_intel_attest::IdentityPolicy::Exact(exact.clone()),
            (None, Some(pattern)) => ci_intel_attest::IdentityPolicy::regex(pattern)?,
            (None, None) => return Err(Failure::usage(NO_TRUST)),
        };
        let sigstore_bundle = self.sigstore_bundle.clone().ok_or_else(|| {
            Failure::usage(
                "--identity needs --sigstore-bundle FILE: the attestation actions/attest wrote for the bundle's manifest.json",
            )
        })?;
        let trust = match &self.trusted_root {
            Some(file) => ci_intel_attest::TrustSelection::File(file.clone()),
            None => ci_intel_attest::TrustSelection::Embedded(self.instance),
        };
        let options = KeylessOptions {
            identity,
            issuer: self.issuer.clone(),
            sigstore_bundle,
            trust,
        };
        Ok(Trust::Keyless(verify::keyless(
            &bundle.manifest_bytes,
            &options,
        )))
    }
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The bundle: its directory or its .tar.
    bundle: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// The commit the bundle must be about.
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// The subject the bundle must be about (`sha256:<hex>`).
    #[arg(long, value_name = "sha256:HEX")]
    subject: Option<String>,
    /// Judge ages at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: VerifyFormat,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
struct MemoArgs {
    /// The bundle: its directory or its .tar.
    bundle: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// The repository, for the changes since the previous tag.
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// The tag to list changes from (default: the tag before the commit).
    #[arg(long, value_name = "TAG")]
    previous_tag: Option<String>,
    /// Judge ages at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// Also write the memo to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
}

/// `sarif merge` (also `ci-intel sarif merge`).
#[derive(Debug, Args)]
pub struct SarifMergeArgs {
    /// SARIF 2.1.0 files to merge.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Where to write the merged log (more files, FILE-2.sarif..., when split).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The suppressions file (default: `sarif.suppressions`, when it exists).
    #[arg(long, value_name = "FILE")]
    suppressions: Option<PathBuf>,
    /// Over a GitHub upload limit: split into more runs and files, or fail.
    #[arg(long, value_enum, default_value = "split")]
    on_limit: OnLimit,
    /// Judge suppression expiry on this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, Args)]
struct KeygenArgs {
    #[arg(long, value_enum, default_value = "ed25519")]
    algorithm: KeyKind,
    /// The private key file to write (mode 0600); the public key goes to FILE.pub.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KeyKind {
    Ed25519,
    EcdsaP256,
}

/// Run a parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Bundle(args) => cmd_bundle(&args, env),
        Command::Verify(args) => cmd_verify(&args, env),
        Command::Memo(args) => cmd_memo(&args, env),
        Command::SarifMerge(args) => run_sarif_merge(&args, env),
        Command::Keygen(args) => cmd_keygen(&args),
    }
}

fn parse_time(
    flag: Option<&str>,
    env: &RunnerEnv,
    source_date_epoch: bool,
) -> Result<DateTime<Utc>, Failure> {
    if let Some(text) = flag {
        return DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Failure::usage(format!(
                    "--time {text}: not an RFC 3339 time ({e}); e.g. 2025-06-01T12:00:00Z"
                ))
            });
    }
    if source_date_epoch && let Some(epoch) = env.var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            Failure::usage(format!(
                "SOURCE_DATE_EPOCH={epoch}: not a number of seconds"
            ))
        })?;
        return DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| Failure::usage(format!("SOURCE_DATE_EPOCH={epoch}: out of range")));
    }
    Ok(Utc::now())
}

fn policy(evidence: &EvidenceConfig) -> Policy {
    Policy {
        required: evidence.required.clone(),
        max_age: chrono::Duration::hours(
            i64::try_from(evidence.max_age_hours).unwrap_or(i64::MAX / 3_600_000),
        ),
    }
}

fn parse_subject(text: &str) -> Result<String, Failure> {
    let hex = text.strip_prefix("sha256:").unwrap_or(text);
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(Failure::usage(format!(
            "--subject {text}: expected sha256:<64 hex digits> (e.g. `sha256:$(sha256sum SHA256SUMS | cut -d' ' -f1)`)"
        )))
    }
}

fn cmd_bundle(args: &BundleArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let loaded = args.config.load(env)?;
    let evidence: EvidenceConfig = loaded.section(crate::config::EVIDENCE_SECTION)?;
    let subject = parse_subject(&args.subject)?;
    let commit = match &args.commit {
        Some(commit) if is_commit(commit) => commit.to_ascii_lowercase(),
        Some(commit) => {
            return Err(Failure::usage(format!(
                "--commit {commit}: expected a full commit SHA (40 or 64 hex digits)"
            )));
        }
        None => crate::resolve_commit(&args.repo, env).ok_or_else(|| {
                Failure::usage(
                    "the released commit is unknown: pass --commit SHA (or run in a git checkout, or set GITHUB_SHA)",
                )
            })?,
    };
    let sign_key = args
        .sign_key
        .as_deref()
        .map(SigningKey::from_pem_file)
        .transpose()?;
    let pubkeys = args
        .pubkey
        .iter()
        .map(|p| PublicKey::from_pem_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let repo_url = match (env.var("GITHUB_SERVER_URL"), env.var("GITHUB_REPOSITORY")) {
        (Some(server), Some(repo)) => Some(format!("{}/{repo}", server.trim_end_matches('/'))),
        _ => None,
    };
    let resource_uri = args
        .resource_uri
        .clone()
        .unwrap_or_else(|| match &repo_url {
            Some(url) => format!("git+{url}@refs/tags/{}", args.release),
            None => format!("urn:ci-intel:release:{}", args.release),
        });
    let policy_uri = evidence
        .policy_uri
        .clone()
        .unwrap_or_else(|| match &repo_url {
            Some(url) => format!("git+{url}@{commit}#{}", config::REPO_CONFIG_PATH),
            None => config::REPO_CONFIG_PATH.to_owned(),
        });
    let request = BundleRequest {
        release: args.release.clone(),
        subject_sha256: subject,
        commit,
        from: args.from.clone(),
        out: args.out.clone(),
        sign_key,
        pubkeys,
        time: parse_time(args.time.as_deref(), env, true)?,
        repo: args.repo.clone(),
        previous_tag: args.previous_tag.clone(),
        policy: policy(&evidence),
        rollback: evidence.rollback.clone(),
        policy_uri,
        policy_digest: loaded.digest(),
        resource_uri,
    };
    let outcome = make::make(&request)?;
    for note in &outcome.notes {
        eprintln!("{}: note: {note}", crate::TOOL);
    }
    print!("{}", verify::table(&outcome.evaluation));
    println!(
        "wrote {} and {} (sha256 {}); manifest.json sha256 {}",
        outcome.dir.display(),
        outcome.tar.display(),
        outcome.tar_sha256,
        outcome.manifest_sha256
    );
    if env.var("GITHUB_OUTPUT").is_some() {
        env.set_output("dir", &outcome.dir.display().to_string())?;
        env.set_output("tar", &outcome.tar.display().to_string())?;
        env.set_output("tar-sha256", &outcome.tar_sha256)?;
        env.set_output(
            "manifest",
            &outcome
                .dir
                .join(bundle::MANIFEST_FILE)
                .display()
                .to_string(),
        )?;
        env.set_output("manifest-sha256", &outcome.manifest_sha256)?;
        env.set_output(
            "result",
            if outcome.evaluation.passed {
                "pass"
            } else {
                "deny"
            },
        )?;
    }
    if env.in_actions() {
        env.append_summary(&outcome.memo)?;
    }
    Ok(if outcome.evaluation.passed {
        ExitCode::Pass
    } else {
        ExitCode::Deny
    })
}

fn evaluate(
    bundle_path: &Path,
    trust: &TrustArgs,
    config: &ConfigArgs,
    time: Option<&str>,
    commit: Option<&str>,
    subject: Option<&str>,
    env: &RunnerEnv,
) -> Result<(bundle::LoadedBundle, verify::Evaluation, EvidenceConfig), Failure> {
    let loaded = config.load(env)?;
    let evidence: EvidenceConfig = loaded.section(crate::config::EVIDENCE_SECTION)?;
    let now = parse_time(time, env, false)?;
    if let Some(subject) = subject {
        parse_subject(subject)?;
    }
    // Usage errors in the trust flags come before reading the bundle.
    if trust.pubkey.is_empty() && trust.identity.is_none() && trust.identity_regexp.is_none() {
        return Err(Failure::usage(NO_TRUST));
    }
    let bundle = bundle::load(bundle_path)?;
    let trust = trust.trust(&bundle)?;
    let evaluation = verify::verify(&bundle, &policy(&evidence), &trust, commit, subject, now);
    Ok((bundle, evaluation, evidence))
}

fn cmd_verify(args: &VerifyArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (_, evaluation, _) = evaluate(
        &args.bundle,
        &args.trust,
        &args.config,
        args.time.as_deref(),
        args.commit.as_deref(),
        args.subject.as_deref(),
        env,
    )?;
    match args.format {
        VerifyFormat::Human => print!("{}", verify::table(&evaluation)),
        VerifyFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&evaluation).map_err(|e| Failure::infra(e.to_string()))?
        ),
    }
    if env.var("GITHUB_OUTPUT").is_some() {
        env.set_output("result", if evaluation.passed { "pass" } else { "deny" })?;
        env.set_output("gaps", &evaluation.gaps().len().to_string())?;
    }
    Ok(if evaluation.passed {
        ExitCode::Pass
    } else {
        ExitCode::Deny
    })
}

fn cmd_memo(args: &MemoArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (bundle, evaluation, evidence) = evaluate(
        &args.bundle,
        &args.trust,
        &args.config,
        args.time.as_deref(),
        None,
        None,
        env,
    )?;
    let changes = memo::changes(&args.repo, &evaluation.commit, args.previous_tag.as_deref());
    let suppressed = memo::suppressed(&bundle.files);
    let text = memo::render(&MemoInput {
        evaluation: &evaluation,
        changes: &changes,
        rollback: &evidence.rollback,
        suppressed: &suppressed,
        link_prefix: "",
    });
    print!("{text}");
    if let Some(out) = &args.out {
        std::fs::write(out, &text)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", out.display())))?;
    }
    if env.in_actions() {
        env.append_summary(&text)?;
    }
    if env.var("GITHUB_OUTPUT").is_some() {
        env.set_output("decision", memo::decision(&evaluation))?;
    }
    Ok(if evaluation.passed {
        ExitCode::Pass
    } else {
        ExitCode::Deny
    })
}

/// `sarif merge`: merge, write, summarise. Exit 1 when a finding about the
/// suppressions reaches `fail_on`.
pub fn run_sarif_merge(args: &SarifMergeArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let loaded = args.config.load(env)?;
    let sarif_config: SarifConfig = loaded.section(crate::config::SARIF_SECTION)?;
    let today = args.today.unwrap_or_else(|| Utc::now().date_naive());
    let suppressions = match &args.suppressions {
        Some(path) => Some(
            suppressions::load(
                path,
                &path.display().to_string(),
                today,
                sarif_config.max_suppression_days,
            )?
            .ok_or_else(|| {
                Failure::usage(format!("--suppressions {}: no such file", path.display()))
            })?,
        ),
        None => suppressions::load(
            Path::new(&sarif_config.suppressions),
            &sarif_config.suppressions,
            today,
            sarif_config.max_suppression_days,
        )?,
    };
    let mut inputs = Vec::new();
    for file in &args.files {
        let bytes = std::fs::read(file)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
        inputs.push(sarif::parse(&bytes, &file.display().to_string())?);
    }
    let options = sarif::Options {
        aliases: AliasTable::new(&sarif_config.aliases),
        suppressions,
        limits: Limits::GITHUB,
        on_limit: args.on_limit,
    };
    let merged = sarif::merge(&inputs, &options)?;
    let paths = output_paths(&args.out, merged.logs.len());
    for (path, log) in paths.iter().zip(&merged.logs) {
        let mut text = serde_json::to_vec_pretty(log).map_err(|e| Failure::infra(e.to_string()))?;
        text.push(b'\n');
        std::fs::write(path, text)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
    }
    let s = &merged.stats;
    println!(
        "sarif merge: {} result(s) in {} run(s) of {} file(s) -> {} result(s) in {} run(s): {} repeat(s) within a tool, {} merged across tools, {} suppressed, {} suppression finding(s)",
        s.results_in,
        s.runs_in,
        s.files,
        s.results_out,
        s.runs_out,
        s.duplicates,
        s.merged,
        s.suppressed,
        s.suppression_findings
    );
    for finding in &merged.findings {
        let place = finding
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        println!(
            "{place}{} [{}] {}",
            finding.severity, finding.rule_id, finding.message
        );
    }
    let written: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    println!("wrote {}", written.join(", "));
    if paths.len() > 1 {
        println!(
            "note: split to respect GitHub's upload limits; upload each file (each run has its own category)"
        );
    }
    if env.var("GITHUB_OUTPUT").is_some() {
        env.set_output("files", &written.join("\n"))?;
        env.set_output("results", &s.results_out.to_string())?;
    }
    let fail_on: Severity = loaded.config.fail_on;
    Ok(if merged.findings.iter().any(|f| f.severity >= fail_on) {
        ExitCode::Deny
    } else {
        ExitCode::Pass
    })
}

/// `out`, then `out-2.ext`, `out-3.ext`...
pub fn output_paths(out: &Path, count: usize) -> Vec<PathBuf> {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "merged".to_owned());
    let extension = out
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (0..count.max(1))
        .map(|index| {
            if index == 0 {
                out.to_path_buf()
            } else {
                out.with_file_name(format!("{stem}-{}{extension}", index + 1))
            }
        })
        .collect()
}

fn cmd_keygen(args: &KeygenArgs) -> Result<ExitCode, Failure> {
    let algorithm = match args.algorithm {
        KeyKind::Ed25519 => Algorithm::Ed25519,
        KeyKind::EcdsaP256 => Algorithm::EcdsaP256Sha256,
    };
    let private = crate::keys::generate_pem(algorithm)?;
    let key = SigningKey::from_pem(private.as_bytes(), "new key")?;
    let public_path = {
        let mut name = args.out.as_os_str().to_owned();
        name.push(".pub");
        PathBuf::from(name)
    };
    if args.out.exists() || public_path.exists() {
        return Err(Failure::usage(format!(
            "{} or {} exists; keygen never overwrites a key",
            args.out.display(),
            public_path.display()
        )));
    }
    write_private(&args.out, private.as_bytes())?;
    std::fs::write(&public_path, key.public_key().to_pem())
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", public_path.display())))?;
    println!(
        "wrote {} (private, keep it secret) and {} ({} keyid {})",
        args.out.display(),
        public_path.display(),
        algorithm.scheme(),
        key.public_key().keyid()
    );
    Ok(ExitCode::Pass)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))
}

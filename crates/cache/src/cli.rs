//! The command line: `manifest`, `sign`, `verify` and `context`, the
//! building blocks of the `cache-sentinel` action's save and restore steps.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use ci_intel_attest::{IdentityPolicy, Instance, TrustSelection};
use ci_intel_core::{ExitCode, Failure, RunnerEnv};
use ci_intel_manifest::{Manifest, Options, manifest_of_roots, parse_manifest};

use crate::domain::{self, Context, Domain};
use crate::keys;
use crate::verify::{self, FIRST_PATHS, Trust, Verification, VerifyRequest};

/// GitHub Actions' OIDC issuer: the default `--issuer`.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

#[derive(Debug, Parser)]
#[command(
    name = crate::TOOL,
    version,
    about = "Cache Sentinel: signed BLAKE3 manifests of cache entries, verified before a restored cache is used"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the BLAKE3 manifest of PATH... (canonical sorted JSON with a
    /// root digest).
    Manifest(ManifestArgs),
    /// Sign a manifest with an Ed25519 PEM key or a minisign key.
    Sign(SignArgs),
    /// Verify restored PATH... against a signed manifest: the signature
    /// first, then every file; on a mismatch quarantine and report.
    Verify(Box<VerifyArgs>),
    /// Print the running job's trust domain and what a keyless restore
    /// expects (for the action's steps).
    Context(ContextArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DomainArg {
    /// From the GitHub Actions event (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH).
    Auto,
    Trusted,
    Untrusted,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
struct WalkArgs {
    /// Hashing threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Record symlinks that point outside the paths instead of refusing
    /// them (a virtualenv's `bin/python`, for example).
    #[arg(long)]
    allow_external_symlinks: bool,
}

impl WalkArgs {
    fn options(&self) -> Options {
        Options {
            threads: self.threads,
            allow_external_symlinks: self.allow_external_symlinks,
            ..Options::default()
        }
    }
}

#[derive(Debug, Args)]
struct ManifestArgs {
    /// Files or directories (the cache paths).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Where to write the manifest.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The cache key, recorded in the manifest (and so in its signature).
    #[arg(long, value_name = "KEY")]
    cache_key: Option<String>,
    /// The trust domain recorded in the manifest (with --cache-key; default
    /// auto).
    #[arg(long, value_enum)]
    domain: Option<DomainArg>,
    #[command(flatten)]
    walk: WalkArgs,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// The manifest to sign.
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
    /// Ed25519 private key in PEM (PKCS#8) or minisign secret key. An
    /// encrypted minisign key takes its password from
    /// CI_INTEL_CACHE_KEY_PASSWORD.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Where to write the signature (default: MANIFEST.sig).
    #[arg(long, value_name = "SIG")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The restored paths, as given when the manifest was written.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The manifest restored with the entry.
    #[arg(long, value_name = "FILE")]
    manifest: PathBuf,
    /// Its signature: raw Ed25519, minisign, or a Sigstore bundle
    /// (with --identity).
    #[arg(long, value_name = "FILE")]
    signature: PathBuf,
    /// Ed25519 public key in PEM (SPKI) or minisign public key.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["identity", "identity_regexp"],
          conflicts_with_all = ["identity", "identity_regexp"])]
    pubkey: Option<PathBuf>,
    /// Keyless: the workflow identity the Sigstore certificate must name
    /// (https://github.com/OWNER/REPO/.github/workflows/FILE@REF).
    #[arg(long, value_name = "ID", conflicts_with = "identity_regexp")]
    identity: Option<String>,
    /// Keyless: a regular expression the certificate identity must match.
    #[arg(long, value_name = "RE")]
    identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer.
    #[arg(long, value_name = "URL", default_value = GITHUB_ISSUER)]
    issuer: String,
    /// Keyless: the Sigstore instance that signed (actions/attest uses
    /// public-good for public repositories, github for private ones).
    #[arg(long, value_enum, default_value = "public-good")]
    instance: Instance,
    /// Keyless: a trusted_root.json instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// The cache key the entry was restored under; the manifest must name it.
    #[arg(long, value_name = "KEY")]
    cache_key: Option<String>,
    /// The restoring job's domain: a trusted job refuses entries of any
    /// other domain.
    #[arg(long, value_enum, default_value = "auto")]
    job_domain: DomainArg,
    /// On any refusal, move the restored paths into a new folder here.
    #[arg(long, value_name = "DIR")]
    quarantine: Option<PathBuf>,
    /// On any refusal, append a `cache_quarantine` event to this NDJSON file.
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Output on standard output.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    #[command(flatten)]
    walk: WalkArgs,
}

#[derive(Debug, Args)]
struct ContextArgs {
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

/// Run a parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Manifest(args) => manifest(&args, env),
        Command::Sign(args) => sign(&args),
        Command::Verify(args) => verify_command(&args, env),
        Command::Context(args) => context(&args, env),
    }
}

fn resolve_domain(arg: DomainArg, context: &Context) -> Domain {
    match arg {
        DomainArg::Auto => context.domain,
        DomainArg::Trusted => Domain::Trusted,
        DomainArg::Untrusted => Domain::Untrusted,
    }
}

fn manifest(args: &ManifestArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let mut manifest = manifest_of_roots(&args.paths, &args.walk.options())?;
    if args.cache_key.is_some() || args.domain.is_some() {
        let context = domain::detect(env)?;
        let domain = resolve_domain(args.domain.unwrap_or(DomainArg::Auto), &context);
        let mut meta = Map::new();
        if let Some(key) = &args.cache_key {
            meta.insert("key".to_owned(), json!(key));
        }
        meta.insert("domain".to_owned(), json!(domain.as_str()));
        meta.insert(
            "context".to_owned(),
            serde_json::to_value(&context).unwrap_or(Value::Null),
        );
        manifest.meta = meta;
    }
    write_file(&args.out, &manifest.to_canonical_bytes(), "manifest")?;
    eprintln!(
        "{}: {} file(s), {} byte(s), root {} -> {}",
        crate::TOOL,
        manifest.files,
        manifest.bytes,
        manifest.root_digest,
        args.out.display()
    );
    env.set_output("root-digest", &manifest.root_digest)?;
    env.set_output("files", &manifest.files.to_string())?;
    Ok(ExitCode::Pass)
}

fn write_file(path: &Path, bytes: &[u8], what: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| Failure::infra(format!("cannot write {what} {}: {e}", path.display())))
}

fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    let bytes = std::fs::read(&args.manifest).map_err(|e| {
        Failure::infra(format!(
            "cannot read manifest {}: {e}",
            args.manifest.display()
        ))
    })?;
    let manifest = parse_manifest(&bytes).map_err(|e| {
        Failure::usage(format!(
            "{} is not a manifest ci-intel-cache would verify, so it is not signed: {e}",
            args.manifest.display()
        ))
    })?;
    let password = std::env::var(keys::PASSWORD_VAR).ok();
    let key = keys::load_private_key(&args.key, password.as_deref())?;
    let comment = format!(
        "ci-intel-cache root_digest:{} key:{} domain:{}",
        manifest.root_digest,
        manifest.meta_str("key").unwrap_or("-"),
        manifest.meta_str("domain").unwrap_or("-")
    );
    let signature = keys::sign(&key, &bytes, &comment)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut name = args.manifest.clone().into_os_string();
        name.push(".sig");
        PathBuf::from(name)
    });
    write_file(&out, &signature, "signature")?;
    eprintln!(
        "{}: signed {} with {} -> {}",
        crate::TOOL,
        args.manifest.display(),
        keys::public_of(&key).map_or_else(|| "the key".to_owned(), |k| k.identity()),
        out.display()
    );
    Ok(ExitCode::Pass)
}

fn trust_of(args: &VerifyArgs) -> Result<Trust, Failure> {
    if let Some(path) = &args.pubkey {
        return Ok(Trust::PublicKey(path.clone()));
    }
    let identity = match (&args.identity, &args.identity_regexp) {
        (Some(id), _) => IdentityPolicy::Exact(id.clone()),
        (None, Some(re)) => IdentityPolicy::regex(re)?,
        (None, None) => {
            return Err(Failure::usage(
                "give --pubkey FILE, or --identity/--identity-regexp for a keyless (Sigstore) signature",
            ));
        }
    };
    let trust = match &args.trusted_root {
        Some(file) => TrustSelection::File(file.clone()),
        None => TrustSelection::Embedded(args.instance),
    };
    Ok(Trust::Keyless {
        identity,
        issuer: args.issuer.clone(),
        trust,
    })
}

fn verify_command(args: &VerifyArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let context = domain::detect(env)?;
    let request = VerifyRequest {
        paths: args.paths.clone(),
        base: None,
        manifest: args.manifest.clone(),
        signature: args.signature.clone(),
        trust: trust_of(args)?,
        expected_key: args.cache_key.clone(),
        job_domain: resolve_domain(args.job_domain, &context),
        options: args.walk.options(),
    };
    let verification = match verify::verify_restore(&request) {
        Ok(verification) => verification,
        Err(failure) => {
            // The check could not run: the tree is unverified, so it is
            // quarantined all the same, and the error keeps its code.
            let failed = Verification {
                reason: verify::Reason::Error,
                message: failure.message.clone(),
                key: None,
                entry_domain: None,
                expected_root: None,
                actual_root: None,
                differences: Vec::new(),
                signer: None,
                expected_signer: verify::describe_trust(&request.trust)
                    .unwrap_or_else(|_| "?".to_owned()),
                files: 0,
            };
            refuse(args, env, &context, &failed)?;
            return Err(failure);
        }
    };
    if verification.passed() {
        report(args, env, &verification, None)?;
        env.set_output("result", "verified")?;
        env.set_output(
            "root-digest",
            verification.actual_root.as_deref().unwrap_or(""),
        )?;
        env.set_output("signer", verification.signer.as_deref().unwrap_or(""))?;
        env.append_summary(&format!(
            "### Cache Sentinel: verified\n\n{}\n",
            escape_md(&verification.message)
        ))?;
        return Ok(ExitCode::Pass);
    }
    refuse(args, env, &context, &verification)?;
    Ok(ExitCode::Deny)
}

/// Quarantine, event, outputs and summary of a refused restore.
fn refuse(
    args: &VerifyArgs,
    env: &RunnerEnv,
    context: &Context,
    verification: &Verification,
) -> Result<(), Failure> {
    let stamp = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        context.run_id.as_deref().unwrap_or("local")
    );
    let moved = match &args.quarantine {
        Some(dir) => Some(verify::quarantine(&args.paths, dir, &stamp)?),
        None => None,
    };
    let event = verify::quarantine_event(
        verification,
        args.cache_key.as_deref(),
        moved.as_deref(),
        context,
    );
    if let Some(events) = &args.events {
        verify::append_event(events, &event)?;
    }
    report(args, env, verification, moved.as_deref())?;
    env.set_output("result", "quarantined")?;
    env.set_output("rule", verification.reason.rule())?;
    env.set_output(
        "quarantine",
        &moved
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    )?;
    env.append_summary(&summary(verification, moved.as_deref()))?;
    if env.in_actions() {
        println!(
            "::error::{}",
            ci_intel_core::commands::escape_data(&format!(
                "Cache Sentinel refused the restored cache ({}): {}",
                verification.reason.rule(),
                verification.message
            ))
        );
    }
    Ok(())
}

fn report(
    args: &VerifyArgs,
    _env: &RunnerEnv,
    verification: &Verification,
    moved: Option<&Path>,
) -> Result<(), Failure> {
    match args.format {
        Format::Json => {
            let mut value = serde_json::to_value(verification)
                .map_err(|e| Failure::infra(format!("cannot render the result: {e}")))?;
            if let Value::Object(map) = &mut value {
                map.insert(
                    "quarantine".to_owned(),
                    json!(moved.map(|p| p.display().to_string())),
                );
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        Format::Human => {
            if verification.passed() {
                println!("verified: {}", verification.message);
            } else {
                println!(
                    "REFUSED ({}): {}",
                    verification.reason.rule(),
                    verification.message
                );
                for difference in verification.differences.iter().take(FIRST_PATHS) {
                    println!(
                        "  {:<8} {}{}",
                        difference.change.as_str(),
                        difference.path,
                        match (&difference.expected, &difference.actual) {
                            (Some(e), Some(a)) => format!(" (expected {e}, found {a})"),
                            _ => String::new(),
                        }
                    );
                }
                if let Some(moved) = moved {
                    println!("quarantined to {}", moved.display());
                }
            }
        }
    }
    Ok(())
}

fn escape_md(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The step summary of a refusal.
fn summary(verification: &Verification, moved: Option<&Path>) -> String {
    let mut out = format!(
        "### Cache Sentinel: restored cache refused\n\n**{}**: {}\n\n",
        verification.reason.rule(),
        escape_md(&verification.message)
    );
    out.push_str(&format!(
        "| | |\n|---|---|\n| key | {} |\n| expected root | {} |\n| actual root | {} |\n| expected signer | {} |\n| signer | {} |\n| quarantine | {} |\n",
        escape_md(verification.key.as_deref().unwrap_or("-")),
        verification.expected_root.as_deref().unwrap_or("-"),
        verification.actual_root.as_deref().unwrap_or("-"),
        escape_md(&verification.expected_signer),
        escape_md(verification.signer.as_deref().unwrap_or("-")),
        moved.map_or_else(|| "-".to_owned(), |p| escape_md(&p.display().to_string())),
    ));
    if !verification.differences.is_empty() {
        out.push_str(&format!(
            "\nFirst differing paths ({} in all):\n\n",
            verification.differences.len()
        ));
        for d in verification.differences.iter().take(FIRST_PATHS) {
            out.push_str(&format!(
                "- `{}`: {}\n",
                d.path.replace('`', "'"),
                d.change.as_str()
            ));
        }
    }
    out.push_str(
        "\nThe cache paths were left empty: the job continues cold or fails, as configured.\n",
    );
    out
}

fn context(args: &ContextArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let context = domain::detect(env)?;
    let instance = if context.private == Some(true) {
        "github"
    } else {
        "public-good"
    };
    let identity_regexp = context
        .workflow_ref
        .as_deref()
        .and_then(|r| r.split_once('@').map(|(path, _)| path))
        .map(|path| {
            format!(
                "^https://github\\.com/{}@refs/(heads|tags)/.+$",
                regex::escape(path)
            )
        })
        .unwrap_or_default();
    let value = json!({
        "domain": context.domain.as_str(),
        "trusted": context.domain == Domain::Trusted,
        "reason": context.reason,
        "instance": instance,
        "identity_regexp": identity_regexp,
        "context": context,
    });
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        Format::Human => println!("{} ({})", context.domain.as_str(), context.reason),
    }
    env.set_output("domain", context.domain.as_str())?;
    env.set_output(
        "trusted",
        if context.domain == Domain::Trusted {
            "true"
        } else {
            "false"
        },
    )?;
    env.set_output("reason", &context.reason)?;
    env.set_output("instance", instance)?;
    env.set_output("identity-regexp", &identity_regexp)?;
    Ok(ExitCode::Pass)
}

/// A manifest's bytes parsed, for callers that load one.
pub fn read_manifest(path: &Path) -> Result<Manifest, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::infra(format!("cannot read manifest {}: {e}", path.display())))?;
    parse_manifest(&bytes).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

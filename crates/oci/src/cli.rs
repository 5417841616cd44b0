//! The `ci-intel-oci` command line.

use std::path::PathBuf;
use std::time::Duration;

use ci_intel_core::config::{self, Sections};
use ci_intel_core::render::{self, OutputFormat};
use ci_intel_core::{ExitCode, Failure, Finding, Report, RunnerEnv, Severity, ToolInfo, Verdict};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::config::OciConfig;
use crate::digest::Digest;
use crate::discover::{self, CheckReport, Options};
use crate::layout::Layout;
use crate::reference::{ImageRef, parse_image_ref};
use crate::registry::push::{self, PushRequest};
use crate::registry::{NetworkOptions, Registry};
use crate::source::Source;
use crate::{gate, parity, rules};

/// OCI referrers gate: SBOM and provenance must hang on the exact image
/// digest, for every platform.
#[derive(Debug, Parser)]
#[command(name = "ci-intel-oci", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that the required kinds of evidence hang on IMAGE's digest
    /// (HOST[:PORT]/REPO@sha256:..., or oci:DIR@sha256:... / oci:DIR:TAG).
    Referrers(ReferrersArgs),
    /// Check that every platform image of a multi-arch index has an SBOM
    /// and that their component sets agree.
    Parity(ParityArgs),
    /// Push FILE as an OCI artifact whose subject is --subject, and list it
    /// (referrers API, else the tag schema index, updated safely). Prints
    /// the pushed digest.
    PushEvidence(PushArgs),
}

#[derive(Debug, Args)]
pub struct Common {
    /// The configuration file (default: .ci-intel/config.yml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The org policy overlay.
    #[arg(long, value_name = "FILE", env = "CI_INTEL_ORG_POLICY")]
    pub org_policy: Option<PathBuf>,
    /// Allow plain HTTP to exactly this registry (repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registry: Vec<String>,
    /// Seconds one request may take (default: oci.network.timeout_secs).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Retries of a failed request (default: oci.network.retries).
    #[arg(long)]
    pub retries: Option<u32>,
    /// Log every registry request on standard error.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct KindArgs {
    /// Add an artifact or predicate type (glob) to a kind:
    /// `--type sbom=application/example.sbom` (repeatable).
    #[arg(long = "type", value_name = "KIND=TYPE")]
    pub types: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReferrersArgs {
    pub image: String,
    /// Kinds that must each have a referrer, comma-separated: sbom,
    /// provenance, vex, signature (added to oci.require).
    #[arg(long, value_delimiter = ',')]
    pub require: Vec<String>,
    /// For an index: require the evidence on every platform image.
    #[arg(long)]
    pub per_platform: bool,
    /// With --per-platform: on the index too.
    #[arg(long)]
    pub include_index: bool,
    /// Only the OCI 1.1 referrers API counts (no tag schema fallback).
    #[arg(long)]
    pub require_api: bool,
    /// Ask the registry to list only this artifact type.
    #[arg(long, value_name = "TYPE")]
    pub artifact_type: Option<String>,
    /// Fetch the required referrers and check them (SBOM parses,
    /// provenance verifies with ci-intel-attest).
    #[arg(long)]
    pub verify: bool,
    /// Provenance: github.com/ORG/REPO it must be built from.
    #[arg(long)]
    pub source_uri: Option<String>,
    /// Provenance: the tag it must name.
    #[arg(long)]
    pub source_tag: Option<String>,
    /// Provenance: the branch it must name.
    #[arg(long)]
    pub source_branch: Option<String>,
    /// Provenance: the builder id it must name.
    #[arg(long)]
    pub builder_id: Option<String>,
    /// Provenance: OWNER/REPO/PATH of the signing workflow.
    #[arg(long)]
    pub signer_workflow: Option<String>,
    /// A trusted_root.json instead of the embedded public-good root.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub kinds: KindArgs,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Also write SARIF 2.1.0 here.
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ParityArgs {
    pub index: String,
    /// Components allowed to differ per platform (globs; added to
    /// oci.parity.allow).
    #[arg(long, value_name = "GLOB")]
    pub allow: Vec<String>,
    #[command(flatten)]
    pub kinds: KindArgs,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    pub file: PathBuf,
    /// HOST[:PORT]/REPOSITORY to push to.
    #[arg(long, value_name = "REPO")]
    pub to: String,
    /// The digest the evidence is about (sha256:...).
    #[arg(long, value_name = "DIGEST")]
    pub subject: String,
    /// The artifact type.
    #[arg(long, default_value = "application/vnd.ci-intel.evidence.v1+json")]
    pub artifact_type: String,
    /// The media type of the file's layer.
    #[arg(long, default_value = "application/json")]
    pub media_type: String,
    /// A manifest annotation (repeatable).
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: Common,
}

/// Run a parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Referrers(args) => referrers(&args, env),
        Command::Parity(args) => parity_cmd(&args, env),
        Command::PushEvidence(args) => push_cmd(&args, env),
    }
}

/// The effective `oci:` section, and whether only the hub defaults made
/// it (no configuration file, no org policy).
fn load_with_origin(common: &Common) -> Result<(OciConfig, bool), Failure> {
    let loaded = config::load_cli(
        common.config.as_deref(),
        common.org_policy.as_deref(),
        &Sections::partial([gate::section()]),
    )?;
    Ok((loaded.section(gate::SECTION)?, loaded.is_default()))
}

fn load(common: &Common) -> Result<OciConfig, Failure> {
    load_with_origin(common).map(|(c, _)| c)
}

fn network(common: &Common, config: &OciConfig) -> NetworkOptions {
    NetworkOptions {
        insecure: common.insecure_registry.clone(),
        timeout: Duration::from_secs(common.timeout.unwrap_or(config.network.timeout_secs).max(1)),
        retries: common.retries.unwrap_or(config.network.retries).min(10),
        verbose: common.verbose,
    }
}

fn kinds(config: &mut OciConfig, args: &KindArgs) -> Result<crate::kinds::Kinds, Failure> {
    for spec in &args.types {
        let Some((kind, pattern)) = spec.split_once('=') else {
            return Err(Failure::usage(format!(
                "--type `{spec}`: expected KIND=TYPE, e.g. sbom=application/example.sbom"
            )));
        };
        config
            .types
            .entry(kind.trim().to_owned())
            .or_default()
            .push(pattern.trim().to_owned());
    }
    gate::kinds_of(config)
}

/// An opened source and the digest to check.
fn open(
    image: &str,
    common: &Common,
    config: &OciConfig,
    env: &RunnerEnv,
) -> Result<(Box<dyn Source>, Digest, String), Failure> {
    let reference = parse_image_ref(image).map_err(Failure::usage)?;
    match reference {
        ImageRef::Layout { dir, digest, tag } => {
            let layout = Layout::open(&dir)?;
            let digest = match (digest, tag) {
                (Some(d), _) => d,
                (None, Some(tag)) => layout
                    .resolve_tag(&tag)
                    .map(|d| d.digest.clone())
                    .ok_or_else(|| {
                        Failure::usage(format!(
                            "{image}: no tag `{tag}` in {}/index.json",
                            dir.display()
                        ))
                    })?,
                (None, None) => return Err(Failure::usage(format!("{image}: no digest or tag"))),
            };
            Ok((Box::new(layout), digest, image.to_owned()))
        }
        ImageRef::Registry {
            registry,
            repository,
            digest,
            ..
        } => {
            let Some(digest) = digest else {
                return Err(Failure::usage(format!(
                    "{image}: give the image by digest (…@sha256:<hex>): a tag can move between the check and the promotion"
                )));
            };
            let reg = Registry::new(&registry, &repository, network(common, config), env)?;
            if common.verbose {
                eprintln!(
                    "ci-intel-oci: credentials for {registry}: {}",
                    reg.credential_origin()
                );
            }
            Ok((Box::new(reg), digest, image.to_owned()))
        }
    }
}

fn verdict_of(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.severity >= Severity::High) {
        Verdict::Deny
    } else {
        Verdict::from_findings(findings, Severity::High)
    }
}

fn report_of(findings: Vec<Finding>) -> Report {
    Report::new(
        ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION")),
        rules::all(),
        findings,
    )
}

#[derive(Serialize)]
struct JsonOut<'a, T: Serialize> {
    verdict: Verdict,
    #[serde(flatten)]
    report: &'a T,
}

fn referrers(args: &ReferrersArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (mut config, hub_defaults_only) = load_with_origin(&args.common)?;
    let kinds = kinds(&mut config, &args.kinds)?;
    // `--require` replaces the hub default; a configuration file or an org
    // policy that sets `oci.require` can only be added to.
    let mut require = if hub_defaults_only && !args.require.is_empty() {
        Vec::new()
    } else {
        config.require.clone()
    };
    for kind in &args.require {
        let kind = kind.trim();
        if kind.is_empty() {
            continue;
        }
        if !kinds.knows(kind) {
            return Err(Failure::usage(format!(
                "--require: `{kind}` is not a known kind; known: {}",
                kinds.names().join(", ")
            )));
        }
        if !require.iter().any(|k| k == kind) {
            require.push(kind.to_owned());
        }
    }
    let (mut source, subject, label) = open(&args.image, &args.common, &config, env)?;
    let mut options = Options::new(require, kinds);
    options.per_platform = args.per_platform || config.per_platform;
    options.include_index = args.include_index || config.include_index;
    options.require_api = args.require_api || config.require_api;
    options.artifact_type = args.artifact_type.clone();
    if args.verify || config.verify.enabled {
        let mut verify = config.verify.clone();
        let set = |slot: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                slot.clone_from(value);
            }
        };
        set(&mut verify.source_uri, &args.source_uri);
        set(&mut verify.source_tag, &args.source_tag);
        set(&mut verify.source_branch, &args.source_branch);
        set(&mut verify.builder_id, &args.builder_id);
        set(&mut verify.signer_workflow, &args.signer_workflow);
        if let Some(root) = &args.trusted_root {
            verify.trusted_root = Some(root.display().to_string());
        }
        options.verify = Some(crate::verify_policy(&verify, std::path::Path::new("")));
    }
    let report = discover::check(source.as_mut(), &label, &subject, &options)?;
    let verdict = verdict_of(&report.findings);
    let rendered = report_of(report.findings.clone());
    match args.format {
        OutputFormat::Human => print!("{}", human(&report, verdict)),
        OutputFormat::Json => render::print_report(
            &rendered,
            OutputFormat::Json,
            Some(&|| JsonOut {
                verdict,
                report: &report,
            }),
        )?,
        other => render::print_report::<()>(&rendered, other, None)?,
    }
    if let Some(path) = &args.sarif_output {
        render::write_sarif(&rendered, path)?;
    }
    let paths: Vec<&str> = {
        let mut p: Vec<&str> = report
            .targets
            .iter()
            .map(|t| match t.path {
                crate::source::Path::ReferrersApi => "referrers-api",
                crate::source::Path::TagSchema => "tag-schema",
                crate::source::Path::Layout => "layout",
            })
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    if env.in_actions() {
        env.set_output("verdict", verdict.as_str())?;
        env.set_output("path", &paths.join(","))?;
        env.set_output(
            "referrers",
            &report
                .targets
                .iter()
                .map(|t| t.referrers.len())
                .sum::<usize>()
                .to_string(),
        )?;
        env.append_summary(&summary(&report, verdict))?;
    }
    Ok(verdict.exit_code())
}

/// The human report.
pub fn human(report: &CheckReport, verdict: Verdict) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "ci-intel-oci referrers {}", report.reference);
    let _ = writeln!(out, "  source:  {}", report.source);
    let _ = writeln!(
        out,
        "  subject: {} ({}), require: {}",
        report.subject,
        if report.subject_is_index {
            "index"
        } else {
            "image manifest"
        },
        if report.require.is_empty() {
            "nothing".to_owned()
        } else {
            report.require.join(", ")
        }
    );
    for target in &report.targets {
        let _ = writeln!(
            out,
            "  {}{} via {}{}: {} referrer(s){}",
            target.digest,
            target
                .platform
                .as_ref()
                .map_or(String::new(), |p| format!(" {p}")),
            target.path.describe(),
            target
                .fallback_tag
                .as_ref()
                .map_or(String::new(), |t| format!(" (tag {t})")),
            target.referrers.len(),
            if target.pages > 1 {
                format!(", {} pages", target.pages)
            } else {
                String::new()
            }
        );
        for r in &target.referrers {
            let _ = writeln!(
                out,
                "    {:<11} {} {} hangs on {}{}",
                r.kind.as_deref().unwrap_or("-"),
                r.digest,
                r.artifact_type.as_deref().unwrap_or("?"),
                r.hangs_on.short(),
                r.verified
                    .as_ref()
                    .map_or(String::new(), |v| format!(" [{}: {}]", v.result, v.detail))
            );
        }
        if !target.missing.is_empty() {
            let _ = writeln!(out, "    missing: {}", target.missing.join(", "));
        }
    }
    for skipped in &report.skipped {
        let _ = writeln!(out, "  skipped {skipped}");
    }
    let _ = writeln!(out, "  requests: {}", report.requests);
    let _ = writeln!(
        out,
        "{}: {} finding(s)",
        verdict.as_str(),
        report.findings.len()
    );
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  [{}] {}: {}",
            f.severity.as_str(),
            f.rule_id,
            f.message
        );
        if let Some(fix) = &f.fix_hint {
            let _ = writeln!(out, "      fix: {fix}");
        }
    }
    out
}

fn summary(report: &CheckReport, verdict: Verdict) -> String {
    let mut out = format!(
        "### ci-intel-oci referrers: {}\n\n`{}`\n\n| digest | platform | path | referrers | missing |\n|---|---|---|---|---|\n",
        verdict.as_str(),
        report.reference
    );
    for t in &report.targets {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            t.digest.short(),
            t.platform
                .as_ref()
                .map_or("-".to_owned(), ToString::to_string),
            t.path.describe(),
            t.referrers
                .iter()
                .map(|r| r.kind.clone().unwrap_or_else(|| "-".into()))
                .collect::<Vec<_>>()
                .join(", "),
            t.missing.join(", ")
        ));
    }
    out
}

fn parity_cmd(args: &ParityArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let mut config = load(&args.common)?;
    let kinds = kinds(&mut config, &args.kinds)?;
    let mut allow = config.parity.allow.clone();
    allow.extend(args.allow.iter().cloned());
    let (mut source, subject, label) = open(&args.index, &args.common, &config, env)?;
    let report = parity::parity(source.as_mut(), &label, &subject, &kinds, &allow, None)?;
    let verdict = verdict_of(&report.findings);
    let rendered = report_of(report.findings.clone());
    match args.format {
        OutputFormat::Human => {
            use std::fmt::Write as _;
            let mut out = format!(
                "ci-intel-oci parity {}\n  source: {}\n",
                report.reference, report.source
            );
            for p in &report.platforms {
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    p.digest,
                    p.platform,
                    match (&p.sbom, &p.format) {
                        (Some(s), Some(f)) =>
                            format!("SBOM {s} ({f}, {} components)", p.components),
                        _ => "no SBOM".to_owned(),
                    }
                );
            }
            for d in &report.differences {
                let _ = writeln!(
                    out,
                    "  {} {}: {}{}",
                    if d.allowed { "allowed" } else { "DIFFERS" },
                    d.component,
                    d.versions
                        .iter()
                        .map(|(p, v)| format!("{p}={}", v.join("+")))
                        .collect::<Vec<_>>()
                        .join(" "),
                    if d.absent.is_empty() {
                        String::new()
                    } else {
                        format!(" absent on {}", d.absent.join(", "))
                    }
                );
            }
            let _ = writeln!(out, "  requests: {}", report.requests);
            let _ = writeln!(
                out,
                "{}: {} finding(s)",
                verdict.as_str(),
                report.findings.len()
            );
            for f in &report.findings {
                let _ = writeln!(
                    out,
                    "  [{}] {}: {}",
                    f.severity.as_str(),
                    f.rule_id,
                    f.message
                );
            }
            print!("{out}");
        }
        OutputFormat::Json => render::print_report(
            &rendered,
            OutputFormat::Json,
            Some(&|| JsonOut {
                verdict,
                report: &report,
            }),
        )?,
        other => render::print_report::<()>(&rendered, other, None)?,
    }
    if env.in_actions() {
        env.set_output("verdict", verdict.as_str())?;
    }
    Ok(verdict.exit_code())
}

fn push_cmd(args: &PushArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let config = load(&args.common)?;
    let subject =
        Digest::parse(&args.subject).map_err(|e| Failure::usage(format!("--subject: {e}")))?;
    let ImageRef::Registry {
        registry,
        repository,
        digest: None,
        tag: None,
    } = parse_image_ref(&args.to).map_err(|e| Failure::usage(format!("--to: {e}")))?
    else {
        return Err(Failure::usage(format!(
            "--to `{}`: give the repository only (HOST[:PORT]/REPOSITORY), without tag or digest",
            args.to
        )));
    };
    let mut annotations = Vec::new();
    for a in &args.annotations {
        let Some((k, v)) = a.split_once('=') else {
            return Err(Failure::usage(format!(
                "--annotation `{a}`: expected KEY=VALUE"
            )));
        };
        annotations.push((k.to_owned(), v.to_owned()));
    }
    let mut reg = Registry::new(&registry, &repository, network(&args.common, &config), env)?;
    let outcome = push::push_evidence(
        &mut reg,
        &PushRequest {
            file: args.file.clone(),
            subject,
            artifact_type: args.artifact_type.clone(),
            media_type: args.media_type.clone(),
            annotations,
        },
    )?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome).unwrap_or_default()
        );
    } else {
        println!("{}", outcome.digest);
        eprintln!(
            "ci-intel-oci: pushed {registry}/{repository}@{} (subject {}) via {}{}",
            outcome.digest,
            outcome.subject,
            outcome.path.describe(),
            outcome.fallback_tag.as_ref().map_or(String::new(), |t| format!(
                " (tag {t}: {} write(s), {} conflict(s), {} repair(s), conditional requests {:?})",
                outcome.index_writes, outcome.conflicts, outcome.repairs, outcome.conditional
            ))
        );
    }
    if env.in_actions() {
        env.set_output("digest", &outcome.digest)?;
        env.append_summary(&format!(
            "### ci-intel-oci push-evidence\n\n`{registry}/{repository}@{}` (subject `{}`)\n",
            outcome.digest, outcome.subject
        ))?;
    }
    Ok(ExitCode::Pass)
}

//! The command line: flags as cosign and slsa-verifier users know them,
//! findings through ci-intel-core's renderers, the transcript to a file,
//! and the runner contract (outputs, job summary).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use ci_intel_core::{ExitCode, Failure, OutputFormat, RunnerEnv, render};

use crate::artifact::ArtifactInput;
use crate::provenance::{ProvenancePolicy, SourceRef};
use crate::signature::IdentityPolicy;
use crate::transcript::Transcript;
use crate::trust::{Instance, TrustSelection};
use crate::verify::{self, BundleRequest, Outcome, ProvenanceRequest};

#[derive(Debug, Parser)]
#[command(
    name = crate::TOOL,
    version,
    about = "Verify Sigstore bundles and SLSA provenance offline; fails closed"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify artifacts against a Sigstore bundle (v0.1 to v0.3), as
    /// `cosign verify-blob --bundle` does.
    VerifyBundle(BundleArgs),
    /// Verify artifacts against SLSA provenance (`.intoto.jsonl`), as
    /// slsa-verifier and `gh attestation verify` do.
    VerifyProvenance(ProvenanceArgs),
}

/// Options both commands share: trust material and output.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Sigstore instance whose embedded trusted root to use.
    #[arg(long, value_enum, default_value = "public-good")]
    instance: Instance,
    /// Use this trusted_root.json instead of an embedded one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["instance", "refresh"])]
    trusted_root: Option<PathBuf>,
    /// Fetch the instance's current trusted root over TUF first (network);
    /// a failed refresh is exit 3, never a fall back to the embedded root.
    #[arg(long)]
    refresh: bool,
    /// Seconds allowed for the TUF refresh, per request and in total.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Output format of the findings on standard output.
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// Write the verification transcript (JSON: every check, expected and
    /// actual values, result) to this file.
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,
}

impl CommonArgs {
    fn trust(&self) -> TrustSelection {
        if let Some(path) = &self.trusted_root {
            TrustSelection::File(path.clone())
        } else if self.refresh {
            TrustSelection::Refresh {
                instance: self.instance,
                timeout: Duration::from_secs(self.timeout),
            }
        } else {
            TrustSelection::Embedded(self.instance)
        }
    }
}

#[derive(Debug, Args)]
struct BundleArgs {
    /// Files or `sha256:<hex>` digests to verify.
    #[arg(value_name = "ARTIFACT", required = true)]
    artifacts: Vec<String>,
    /// The Sigstore bundle (`.sigstore.json`), or a `.jsonl` of bundles.
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// The certificate's identity (SAN), compared exactly.
    #[arg(long, value_name = "ID", conflicts_with = "cert_identity_regexp")]
    cert_identity: Option<String>,
    /// A regular expression the certificate's identity must match
    /// (unanchored, like cosign; write `^...$` to pin the whole value).
    #[arg(long, value_name = "RE")]
    cert_identity_regexp: Option<String>,
    /// The OIDC issuer the certificate must name.
    #[arg(long, value_name = "ISSUER")]
    cert_oidc_issuer: Option<String>,
    /// PEM public key of a managed-key bundle.
    #[arg(long, value_name = "PUBKEY")]
    key: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct ProvenanceArgs {
    /// Files or `sha256:<hex>` digests (prefix optional) to verify.
    #[arg(value_name = "ARTIFACT", required = true)]
    artifacts: Vec<String>,
    /// The provenance: `.intoto.jsonl` (one bundle per line) or a bundle.
    #[arg(long, visible_alias = "provenance-path", value_name = "FILE")]
    provenance: PathBuf,
    /// The repository the artifact must be built from: github.com/ORG/REPO.
    #[arg(long, value_name = "URI")]
    source_uri: String,
    /// The tag it must be built from (`v1.2.3`).
    #[arg(long, value_name = "TAG", conflicts_with = "source_branch")]
    source_tag: Option<String>,
    /// The branch it must be built from (`main`).
    #[arg(long, value_name = "BRANCH", conflicts_with = "source_versioned_tag")]
    source_branch: Option<String>,
    /// A release it must be built from, semver-compatible with this one:
    /// `v1` takes any `v1.x.y` tag, `v1.2` any `v1.2.y`, `v1.2.3` only
    /// `v1.2.3` (as slsa-verifier's flag of the same name).
    #[arg(long, value_name = "SEMVER", conflicts_with = "source_tag")]
    source_versioned_tag: Option<String>,
    /// On success, print the verified provenance statement(s) to standard
    /// output, one JSON document a line (the report goes to standard error).
    #[arg(long)]
    print_provenance: bool,
    /// The builder id the provenance must name (with `@ref`: exactly, and
    /// `@vX.Y.Z` stands for `@refs/tags/vX.Y.Z`; without: any ref of that
    /// builder). Required to trust a third-party trusted reusable workflow
    /// that slsa-github-generator's delegator signed for.
    #[arg(long, value_name = "ID")]
    builder_id: Option<String>,
    /// The workflow that must have signed: OWNER/REPO/PATH/TO/WORKFLOW.yml.
    #[arg(long, value_name = "OWNER/REPO/PATH")]
    signer_workflow: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

fn parse_artifacts(args: &[String]) -> Result<Vec<ArtifactInput>, Failure> {
    args.iter().map(|a| ArtifactInput::parse(a)).collect()
}

/// Run a parsed command line.
pub fn run_cli(cli: Cli, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::VerifyBundle(args) => {
            let result = bundle_request(&args).and_then(|req| verify::verify_bundle(&req));
            conclude("verify-bundle", &args.common, env, result, false)
        }
        Command::VerifyProvenance(args) => {
            let result = provenance_request(&args).and_then(|req| verify::verify_provenance(&req));
            let printing = args.print_provenance;
            conclude("verify-provenance", &args.common, env, result, printing)
        }
    }
}

fn bundle_request(args: &BundleArgs) -> Result<BundleRequest, Failure> {
    let identity = match (&args.cert_identity, &args.cert_identity_regexp) {
        (Some(id), _) => Some(IdentityPolicy::Exact(id.clone())),
        (None, Some(re)) => Some(IdentityPolicy::regex(re)?),
        (None, None) => None,
    };
    Ok(BundleRequest {
        artifacts: parse_artifacts(&args.artifacts)?,
        bundle: args.bundle.clone(),
        identity,
        issuer: args.cert_oidc_issuer.clone(),
        key: args.key.clone(),
        trust: args.common.trust(),
    })
}

fn provenance_request(args: &ProvenanceArgs) -> Result<ProvenanceRequest, Failure> {
    let source_ref = SourceRef::from_flags(
        args.source_tag.as_deref(),
        args.source_branch.as_deref(),
        args.source_versioned_tag.as_deref(),
        ["--source-tag", "--source-branch", "--source-versioned-tag"],
    )
    .map_err(Failure::usage)?;
    Ok(ProvenanceRequest {
        artifacts: parse_artifacts(&args.artifacts)?,
        provenance: args.provenance.clone(),
        policy: ProvenancePolicy::new(
            &args.source_uri,
            source_ref,
            args.builder_id.clone(),
            args.signer_workflow.as_deref(),
        )?,
        trust: args.common.trust(),
    })
}

/// Print, record and report an outcome; an error still leaves a transcript
/// (result `could-not-verify`) and a `result` output, so an outage is never
/// mistaken for a pass downstream.
fn conclude(
    command: &'static str,
    common: &CommonArgs,
    env: &RunnerEnv,
    result: Result<Outcome, Failure>,
    print_provenance: bool,
) -> Result<ExitCode, Failure> {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(failure) => {
            if let Some(path) = &common.transcript {
                let transcript =
                    Transcript::could_not_verify(command, &failure.message, failure.code);
                // The original failure is what matters; a write error is
                // reported but does not replace it.
                if let Err(e) = write_json(path, &transcript) {
                    eprintln!("{}: error: {e}", crate::TOOL);
                }
            }
            let _ = env.set_output("result", "error");
            return Err(failure);
        }
    };
    let report = outcome.report();
    let text = match common.format {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(&report).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("result".into(), json!(outcome.transcript.result));
                object.insert("policies".into(), json!([outcome.decision()]));
                object.insert("transcript".into(), json!(outcome.transcript));
            }
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
        other => render::render(&report, other),
    };
    if print_provenance {
        // Standard output carries only the verified statements (nothing on
        // a denial), so `… --print-provenance | jq` reads evidence that
        // passed; the report goes to standard error.
        let mut lines = String::new();
        for statement in &outcome.provenance {
            lines.push_str(&serde_json::to_string(statement).map_err(|e| {
                Failure::infra(format!("cannot serialise the provenance statement: {e}"))
            })?);
            lines.push('\n');
        }
        write_stream(&mut std::io::stdout().lock(), &lines, "standard output")?;
        write_stream(&mut std::io::stderr().lock(), &text, "standard error")?;
    } else {
        write_stream(&mut std::io::stdout().lock(), &text, "standard output")?;
    }
    if let Some(path) = &common.transcript {
        write_json(path, &outcome.transcript)?;
    }
    let word = outcome.transcript.result.as_str();
    eprintln!("{}: {}", crate::TOOL, outcome.transcript.reason);
    env.set_output("result", word)?;
    env.set_output("findings", &outcome.findings.len().to_string())?;
    if let Some(path) = &common.transcript {
        env.set_output("transcript", &path.display().to_string())?;
    }
    if env.in_actions() {
        env.append_summary(&summary(&outcome))?;
    }
    Ok(outcome.exit_code())
}

fn write_stream(out: &mut dyn std::io::Write, text: &str, name: &str) -> Result<(), Failure> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::infra(format!("cannot write to {name}: {e}")))
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::infra(format!("cannot serialise the transcript: {e}")))?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| Failure::infra(format!("cannot write --transcript {}: {e}", path.display())))
}

fn summary(outcome: &Outcome) -> String {
    let t = &outcome.transcript;
    let mut md = format!(
        "### ci-intel attest {}\n\n**{}**: {}\n\nTrusted root: {} (sha256 {})\n\n| artifact | sha256 | result |\n|---|---|---|\n",
        t.command,
        t.result,
        t.reason.replace('|', "\\|"),
        t.trusted_root.source,
        &t.trusted_root.sha256
    );
    for a in &t.artifacts {
        md.push_str(&format!(
            "| {} | `{}` | {} |\n",
            a.name.replace('|', "\\|"),
            a.sha256,
            a.result
        ));
    }
    let failures: Vec<_> = t.failures().take(50).collect();
    if !failures.is_empty() {
        md.push_str("\n| check | on | expected | actual |\n|---|---|---|---|\n");
        for c in failures {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                c.id,
                c.subject.replace('|', "\\|"),
                c.expected.as_deref().unwrap_or("").replace('|', "\\|"),
                c.actual
                    .as_deref()
                    .or(c.detail.as_deref())
                    .unwrap_or("")
                    .replace('|', "\\|")
                    .replace('\n', " ")
            ));
        }
    }
    md
}

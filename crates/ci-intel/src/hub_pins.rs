//! The `hub_pins` gate: every reference to the hub is pinned to a full commit
//! SHA with Renovate's `# vX.Y.Z` version comment.

use std::collections::BTreeMap;

use ci_intel_core::checkout::Checkout;
use ci_intel_core::config::{Config, SectionSpec};
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};
use ci_intel_core::{Failure, Finding, Location, RuleMeta, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::refs::{self, UsesRef};

pub const RULE_NOT_SHA: &str = "hub-ref-not-sha";
pub const RULE_NO_VERSION: &str = "hub-ref-no-version-comment";
pub const RULE_MIXED: &str = "hub-ref-mixed-pins";
pub const RULE_UNPARSABLE: &str = "workflow-unparsable";

const HELP: Option<&str> = Some("https://github.com/ci-intel/ci-intel/blob/main/docs/doctor.md");

pub fn rules() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: RULE_NOT_SHA,
            title: "Hub reference is not pinned to a full commit SHA",
            default_severity: Severity::High,
            help_uri: HELP,
        },
        RuleMeta {
            id: RULE_NO_VERSION,
            title: "Hub reference lacks a `# vX.Y.Z` version comment",
            default_severity: Severity::High,
            help_uri: HELP,
        },
        RuleMeta {
            id: RULE_MIXED,
            title: "Hub references point at different commits",
            default_severity: Severity::Medium,
            help_uri: HELP,
        },
        RuleMeta {
            id: RULE_UNPARSABLE,
            title: "Workflow or action file is not valid YAML",
            default_severity: Severity::High,
            help_uri: HELP,
        },
    ]
}

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "gates.hub_pins";

/// The `hub_pins` gate (`ci-intel doctor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HubPinsGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass when the repository has no workflow that references the hub. When
    /// false, finding no hub reference is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

impl Default for HubPinsGate {
    fn default() -> Self {
        HubPinsGate {
            enabled: true,
            allow_empty: true,
        }
    }
}

impl GateConfig for HubPinsGate {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct HubPins;

impl Gate for HubPins {
    type Config = HubPinsGate;

    fn id(&self) -> &'static str {
        "hub_pins"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "hub references pinned to a full commit SHA with a `# vX.Y.Z` comment"
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules()
    }

    fn run(&self, _: &HubPinsGate, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let result = check(ctx.checkout, ctx.core)?;
        if result.files.is_empty() {
            return Ok(GateRun::nothing("no workflow or action file found"));
        }
        let mut inputs = Vec::new();
        for file in &result.files {
            if let Some(file) = ctx.checkout.get(file) {
                inputs.push(ctx.checkout.input(file)?);
            }
        }
        Ok(GateRun {
            checked: format!(
                "{} workflow/action file(s), {} hub reference(s)",
                result.files.len(),
                result.hub_refs.len()
            ),
            inputs,
            findings: result.findings,
            ..GateRun::default()
        }
        .count("files", result.files.len())
        .count("hub_references", result.hub_refs.len()))
    }
}

/// The section, for `SectionSpec` lists.
pub fn section() -> SectionSpec {
    SectionSpec::of::<HubPinsGate>(SECTION)
}

/// What the gate looked at and found.
#[derive(Debug, Default)]
pub struct HubPinsResult {
    pub files: Vec<String>,
    pub hub_refs: Vec<UsesRef>,
    pub findings: Vec<Finding>,
}

/// Is this reference the hub? The configured `hub.repository`, or, when
/// unset, any repository named `ci-intel`.
pub fn is_hub(reference: &UsesRef, config: &Config) -> bool {
    let Some(repository) = reference.repository() else {
        return false;
    };
    match &config.hub.repository {
        Some(hub) => repository.eq_ignore_ascii_case(hub),
        None => repository
            .split_once('/')
            .is_some_and(|(_, name)| name.eq_ignore_ascii_case("ci-intel")),
    }
}

/// Scan a checkout's workflow and action files.
pub fn check(checkout: &Checkout, config: &Config) -> Result<HubPinsResult, Failure> {
    let mut result = HubPinsResult::default();
    for file in refs::workflow_files(checkout) {
        let bytes = checkout.read(file)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| Failure::infra(format!("cannot read {}: {e}", file.relative)))?;
        check_text(&file.relative, text, config, &mut result);
        result.files.push(file.relative.clone());
    }
    mixed_pins(&mut result);
    Ok(result)
}

/// Check one file's text.
pub fn check_text(file: &str, text: &str, config: &Config, into: &mut HubPinsResult) {
    if let Err(error) = yaml_serde::from_str::<yaml_serde::Value>(text) {
        let line = error
            .location()
            .map(|l| u32::try_from(l.line()).unwrap_or(u32::MAX));
        into.findings.push(
            Finding::new(
                RULE_UNPARSABLE,
                Severity::High,
                format!("{file} is not valid YAML: {error}"),
                Some(Location {
                    line,
                    ..Location::file(file)
                }),
                "yaml",
            )
            .with_fix("fix the YAML syntax; GitHub would refuse this file too"),
        );
    }
    for reference in refs::extract(file, text) {
        if !is_hub(&reference, config) {
            continue;
        }
        let location = Location::at(file, reference.line, Some(reference.column));
        let git_ref = reference.git_ref().unwrap_or("");
        if !refs::is_full_sha(git_ref) {
            let what = describe_ref(git_ref);
            into.findings.push(
                Finding::new(
                    RULE_NOT_SHA,
                    Severity::High,
                    format!("`{}` is pinned to {what}, which can move under you", reference.raw),
                    Some(location.clone()),
                    &reference.raw,
                )
                .with_fix("pin to the release's full 40-hex commit SHA followed by `# vX.Y.Z`, e.g. `@<sha> # v1.4.0` (`ci-intel init` writes it)"),
            );
        } else if config.hub.require_version_comment {
            let comment_ok = reference.comment.as_deref().is_some_and(refs::is_version);
            if !comment_ok {
                let found = match &reference.comment {
                    Some(c) => format!("the comment `# {c}` is not a version"),
                    None => "there is no version comment".to_owned(),
                };
                into.findings.push(
                    Finding::new(
                        RULE_NO_VERSION,
                        Severity::High,
                        format!("`{}`: {found}; Renovate and reviewers cannot tell which release this SHA is", reference.raw),
                        Some(location),
                        &reference.raw,
                    )
                    .with_fix("append the release tag as Renovate writes it: `# v1.4.0`"),
                );
            }
        }
        into.hub_refs.push(reference);
    }
}

fn describe_ref(git_ref: &str) -> String {
    if git_ref.is_empty() {
        "no ref at all".to_owned()
    } else if git_ref.len() < 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!(
            "`{git_ref}`, a short SHA (ambiguous, and not accepted by GitHub's SHA-pinning policy)"
        )
    } else if refs::is_version(git_ref) || git_ref.starts_with('v') {
        format!("`{git_ref}`, a tag")
    } else {
        format!("`{git_ref}`, a branch or tag")
    }
}

/// All hub references should move together; different SHAs usually mean a
/// Renovate update that was only partly merged.
fn mixed_pins(result: &mut HubPinsResult) {
    let mut by_sha: BTreeMap<&str, Vec<&UsesRef>> = BTreeMap::new();
    for reference in &result.hub_refs {
        if let Some(sha) = reference.git_ref().filter(|r| refs::is_full_sha(r)) {
            by_sha.entry(sha).or_default().push(reference);
        }
    }
    if by_sha.len() < 2 {
        return;
    }
    let summary: Vec<String> = by_sha
        .iter()
        .map(|(sha, refs)| format!("{} ({} reference(s))", &sha[..12], refs.len()))
        .collect();
    for refs in by_sha.values().skip(1) {
        for reference in refs {
            result.findings.push(
                Finding::new(
                    RULE_MIXED,
                    Severity::Medium,
                    format!(
                        "hub references use {} different commits: {}",
                        by_sha.len(),
                        summary.join(", ")
                    ),
                    Some(Location::at(
                        &reference.file,
                        reference.line,
                        Some(reference.column),
                    )),
                    &reference.raw,
                )
                .with_fix(
                    "move every hub reference to the same release (Renovate's hub group does this)",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn run(text: &str) -> HubPinsResult {
        let mut result = HubPinsResult::default();
        check_text("w.yml", text, &Config::default(), &mut result);
        mixed_pins(&mut result);
        result
    }

    fn ids(result: &HubPinsResult) -> Vec<&str> {
        result.findings.iter().map(|f| f.rule_id.as_str()).collect()
    }

    #[test]
    fn a_pinned_reference_with_version_passes() {
        let r = run(&format!(
            "jobs:\n  a:\n    uses: acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0\n"
        ));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(r.hub_refs.len(), 1);
    }

    #[test]
    fn branches_tags_and_short_shas_are_denied() {
        for (git_ref, needle) in [
            ("main", "a branch or tag"),
            ("v1.4.0", "a tag"),
            ("0123456", "short SHA"),
        ] {
            let r = run(&format!(
                "steps:\n  - uses: acme/ci-intel/actions/telemetry@{git_ref}\n"
            ));
            assert_eq!(ids(&r), vec![RULE_NOT_SHA], "{git_ref}");
            assert!(
                r.findings[0].message.contains(needle),
                "{}",
                r.findings[0].message
            );
            assert_eq!(r.findings[0].severity, Severity::High);
        }
        let r = run("steps:\n  - uses: acme/ci-intel/actions/telemetry\n");
        assert_eq!(ids(&r), vec![RULE_NOT_SHA]);
    }

    #[test]
    fn missing_or_wrong_version_comments_are_denied() {
        let r = run(&format!(
            "steps:\n  - uses: acme/ci-intel/actions/telemetry@{SHA}\n  - uses: acme/ci-intel/actions/telemetry@{SHA} # latest\n"
        ));
        assert_eq!(ids(&r), vec![RULE_NO_VERSION, RULE_NO_VERSION]);
    }

    #[test]
    fn the_version_comment_requirement_can_be_switched_off() {
        let mut config = Config::default();
        config.hub.require_version_comment = false;
        let mut result = HubPinsResult::default();
        check_text(
            "w.yml",
            &format!("steps:\n  - uses: acme/ci-intel/actions/telemetry@{SHA}\n"),
            &config,
            &mut result,
        );
        assert!(result.findings.is_empty());
    }

    #[test]
    fn other_repositories_are_not_the_hub() {
        let r = run("steps:\n  - uses: actions/checkout@v4\n  - uses: acme/ci-intel-fork/x@main\n");
        assert!(r.findings.is_empty());
        assert!(r.hub_refs.is_empty());
    }

    #[test]
    fn a_configured_hub_is_matched_exactly() {
        let mut config = Config::default();
        config.hub.repository = Some("platform/ci-hub".into());
        let mut result = HubPinsResult::default();
        check_text(
            "w.yml",
            "steps:\n  - uses: platform/ci-hub/actions/telemetry@main\n  - uses: acme/ci-intel/actions/x@main\n",
            &config,
            &mut result,
        );
        assert_eq!(result.findings.len(), 1);
        assert!(result.findings[0].message.contains("platform/ci-hub"));
    }

    #[test]
    fn mixed_commits_warn() {
        let other = "fedcba9876543210fedcba9876543210fedcba98";
        let r = run(&format!(
            "a:\n  uses: acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0\nb:\n  uses: acme/ci-intel/.github/workflows/telemetry.yml@{other} # v1.3.0\n"
        ));
        assert_eq!(ids(&r), vec![RULE_MIXED]);
        assert_eq!(r.findings[0].severity, Severity::Medium);
    }

    #[test]
    fn broken_yaml_is_a_finding_with_a_line() {
        let r = run("jobs:\n  a: [unclosed\n");
        assert_eq!(ids(&r), vec![RULE_UNPARSABLE]);
        assert!(r.findings[0].location.as_ref().unwrap().line.is_some());
    }
}

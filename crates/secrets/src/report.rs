//! How `sweep` and `redact` report secrets: one [`SecretFinding`] type, shown
//! as `human`, `json`, `sarif` or `github`.
//!
//! A finding carries the secret's fingerprint and redacted preview (see
//! [`crate::secret`]) and never its value: nothing in this module ever sees
//! a value, only what was derived from it.
//!
//! `--format json` is one object: `{"tool": .., "findings": [..], "summary":
//! {..}}`; each finding has `rule`, `file`, `line`, `fingerprint` and
//! `preview` plus what its command knows (`variable` and `processes` for
//! sweep, `occurrences` for redact). The other formats go through the core
//! renderers, so they look like every other ci-intel tool's.

use std::io::Write;

use serde::Serialize;

use ci_intel_core::{
    Confidence, Failure, Finding, Location, OutputFormat, Report, RuleMeta, Severity, ToolInfo,
    render,
};

/// A process an environment variable was seen in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProcessRef {
    pub pid: u32,
    /// The process's command name (`/proc/<pid>/comm`), made printable.
    pub comm: String,
}

/// One secret found by `sweep` or masked by `redact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretFinding {
    pub rule: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// `env:NAME` for sweep; the input's name (default `stdin`) for redact.
    pub file: String,
    /// 1-based line of the first occurrence (redact); `null` for sweep, an
    /// environment has no lines.
    pub line: Option<u64>,
    /// `sha256:` and a 16-hex prefix of the SHA-256 of the secret value.
    pub fingerprint: String,
    /// A redacted preview: at most a public prefix such as `ghp_`, then
    /// the length.
    pub preview: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<ProcessRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl SecretFinding {
    /// The core finding the human, SARIF and GitHub renderers show. Its
    /// message carries the preview and fingerprint; its own fingerprint (for
    /// SARIF `partialFingerprints`) is derived from rule, file and the
    /// secret's fingerprint, so the same secret under two names is two
    /// alerts.
    pub fn to_core(&self) -> Finding {
        let location = match self.line.and_then(|l| u32::try_from(l).ok()) {
            Some(line) => Location::at(&self.file, line, None),
            None => Location::file(&self.file),
        };
        let message = format!("{} ({}, {})", self.message, self.preview, self.fingerprint);
        let finding = Finding::new(
            &self.rule,
            self.severity,
            message,
            Some(location),
            &self.fingerprint,
        )
        .with_confidence(self.confidence);
        match &self.fix {
            Some(fix) => finding.with_fix(fix.clone()),
            None => finding,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a, S: Serialize> {
    tool: &'a ToolInfo,
    findings: &'a [SecretFinding],
    summary: &'a S,
}

/// The tool's identity in reports.
pub fn tool_info() -> ToolInfo {
    ToolInfo::new(crate::TOOL, env!("CARGO_PKG_VERSION"))
}

/// Render `findings` (and, for JSON, `summary`) in `format`. The text ends
/// with a newline.
pub fn render_findings<S: Serialize>(
    findings: &[SecretFinding],
    summary: &S,
    rules: Vec<RuleMeta>,
    format: OutputFormat,
) -> String {
    let tool = tool_info();
    match format {
        OutputFormat::Json => {
            let report = JsonReport {
                tool: &tool,
                findings,
                summary,
            };
            let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
            text.push('\n');
            text
        }
        other => {
            let core = findings.iter().map(SecretFinding::to_core).collect();
            render::render(&Report::new(tool, rules, core), other)
        }
    }
}

/// Write `text` to `out` and flush; a failure is an infrastructure error
/// naming `what`.
pub fn write_text(out: &mut dyn Write, text: &str, what: &str) -> Result<(), Failure> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::infra(format!("cannot write to {what}: {e}")))
}

/// Rule descriptions for SARIF: every detector rule plus `extra`.
pub fn rule_metas(
    detector: &crate::detect::Detector,
    extra: &[(&'static str, &'static str)],
) -> Vec<RuleMeta> {
    detector
        .rules()
        .map(|info| (info.id, info.title))
        .chain(extra.iter().copied())
        .map(|(id, title)| RuleMeta {
            id,
            title,
            default_severity: Severity::High,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/secrets.md"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SecretFinding {
        SecretFinding {
            rule: "github-pat-classic".into(),
            severity: Severity::Critical,
            confidence: Confidence::High,
            file: "env:DEPLOY_TOKEN".into(),
            line: None,
            fingerprint: "sha256:0123456789abcdef".into(),
            preview: "ghp_…[40 chars redacted]".into(),
            message: "GitHub classic personal access token in DEPLOY_TOKEN".into(),
            variable: Some("DEPLOY_TOKEN".into()),
            processes: vec![ProcessRef {
                pid: 42,
                comm: "sleep".into(),
            }],
            occurrences: None,
            fix: None,
        }
    }

    #[test]
    fn json_has_the_documented_fields() {
        let text = render_findings(
            &[sample()],
            &serde_json::json!({"findings": 1}),
            Vec::new(),
            OutputFormat::Json,
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let finding = &value["findings"][0];
        for key in ["rule", "file", "line", "fingerprint", "preview"] {
            assert!(finding.get(key).is_some(), "missing {key}: {finding}");
        }
        assert_eq!(finding["line"], serde_json::Value::Null);
        assert_eq!(finding["processes"][0]["pid"], 42);
        assert_eq!(value["summary"]["findings"], 1);
    }

    #[test]
    fn other_formats_carry_preview_and_fingerprint() {
        for format in [
            OutputFormat::Human,
            OutputFormat::Sarif,
            OutputFormat::Github,
        ] {
            let text = render_findings(&[sample()], &(), Vec::new(), format);
            assert!(
                text.contains("sha256:0123456789abcdef"),
                "{format:?}: {text}"
            );
            assert!(text.contains("DEPLOY_TOKEN"), "{format:?}: {text}");
        }
    }
}

//! The one findings type every tool reports, and the verdict it leads to.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// SARIF `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "note",
        }
    }

    /// GitHub code scanning's `security-severity` (a CVSS-like score as text).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity `{s}`; expected one of info, low, medium, high, critical")
            })
    }
}

/// How sure the rule is that the finding is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Where a finding is. Lines and columns are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the repository root, with `/` separators.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
        }
    }

    pub fn at(file: impl Into<String>, line: u32, column: Option<u32>) -> Self {
        Location {
            line: Some(line),
            column,
            ..Location::file(file)
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// One problem a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Stable identity across runs: see [`fingerprint`].
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_hint: Option<String>,
}

impl Finding {
    /// A finding whose fingerprint is derived from the rule, the file and a
    /// `subject` that identifies the offending thing independently of its line
    /// (so moving code does not reopen an alert).
    pub fn new(
        rule_id: &str,
        severity: Severity,
        message: impl Into<String>,
        location: Option<Location>,
        subject: &str,
    ) -> Self {
        let file = location.as_ref().map(|l| l.file.as_str()).unwrap_or("");
        Finding {
            rule_id: rule_id.to_owned(),
            severity,
            confidence: Confidence::High,
            message: message.into(),
            fingerprint: fingerprint(rule_id, file, subject),
            location,
            fix_hint: None,
        }
    }

    /// The order of a report: by file, line, rule, message, so outputs
    /// diff cleanly. A tool that sorts its findings this way as it makes
    /// them (per file, in parallel) leaves [`Report::new`] a single pass:
    /// the sort finds the runs already in order.
    pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        (&a.location, &a.rule_id, &a.message).cmp(&(&b.location, &b.rule_id, &b.message))
    }

    pub fn with_fix(mut self, hint: impl Into<String>) -> Self {
        self.fix_hint = Some(hint.into());
        self
    }

    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }
}

/// SHA-256 over `rule \0 file \0 subject`, hex, first 32 characters.
pub fn fingerprint(rule_id: &str, file: &str, subject: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule_id, file, subject] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    // Written nibble by nibble: a `format!` per byte was 16 allocations for
    // each of the tens of thousands of findings a large audit makes.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for byte in &digest[..16] {
        hex.push(HEX[usize::from(byte >> 4)] as char);
        hex.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    hex
}

/// Static description of a rule, for SARIF `tool.driver.rules` and docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    pub id: &'static str,
    pub title: &'static str,
    pub default_severity: Severity,
    pub help_uri: Option<&'static str>,
}

/// Identity of the tool that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    pub information_uri: String,
}

impl ToolInfo {
    pub fn new(name: &str, version: &str) -> Self {
        ToolInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            information_uri: "https://github.com/ci-intel/ci-intel".to_owned(),
        }
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: ToolInfo,
    #[serde(skip)]
    pub rules: Vec<RuleMeta>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(tool: ToolInfo, rules: Vec<RuleMeta>, mut findings: Vec<Finding>) -> Self {
        findings.sort_by(Finding::report_order);
        Report {
            tool,
            rules,
            findings,
        }
    }

    /// The worst severity present, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// The verdict under a failing threshold.
    pub fn verdict(&self, fail_on: Severity) -> Verdict {
        Verdict::from_findings(&self.findings, fail_on)
    }
}

/// A gate's decision, as recorded in pipeline_run `policies[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Warn,
    Deny,
}

impl Verdict {
    /// Deny when any finding is at or above `fail_on`; warn when there are
    /// findings below it; allow only when there are none.
    pub fn from_findings(findings: &[Finding], fail_on: Severity) -> Verdict {
        if findings.iter().any(|f| f.severity >= fail_on) {
            Verdict::Deny
        } else if findings.is_empty() {
            Verdict::Allow
        } else {
            Verdict::Warn
        }
    }

    pub fn exit_code(self) -> crate::ExitCode {
        match self {
            Verdict::Deny => crate::ExitCode::Deny,
            Verdict::Allow | Verdict::Warn => crate::ExitCode::Pass,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Deny => "deny",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(sev: Severity) -> Finding {
        Finding::new("r", sev, "m", None, "s")
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("medium".parse::<Severity>().unwrap(), Severity::Medium);
        assert!(
            "severe"
                .parse::<Severity>()
                .unwrap_err()
                .contains("expected one of")
        );
    }

    #[test]
    fn verdict_denies_at_threshold_and_warns_below() {
        assert_eq!(Verdict::from_findings(&[], Severity::High), Verdict::Allow);
        assert_eq!(
            Verdict::from_findings(&[finding(Severity::Medium)], Severity::High),
            Verdict::Warn
        );
        assert_eq!(
            Verdict::from_findings(&[finding(Severity::High)], Severity::High),
            Verdict::Deny
        );
        assert_eq!(Verdict::Deny.exit_code(), crate::ExitCode::Deny);
    }

    #[test]
    fn fingerprint_ignores_line_but_not_subject() {
        let a = Finding::new(
            "r",
            Severity::Low,
            "m",
            Some(Location::at("f", 1, None)),
            "x",
        );
        let b = Finding::new(
            "r",
            Severity::Low,
            "m",
            Some(Location::at("f", 9, None)),
            "x",
        );
        let c = Finding::new(
            "r",
            Severity::Low,
            "m",
            Some(Location::at("f", 1, None)),
            "y",
        );
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
        assert_eq!(a.fingerprint.len(), 32);
    }

    /// The fingerprint is a published identity (SARIF, baselines): its
    /// value for a known input is fixed (computed independently with
    /// Python's hashlib).
    #[test]
    fn fingerprint_is_the_first_half_of_the_sha256_in_lowercase_hex() {
        assert_eq!(
            fingerprint(
                "unpinned-uses",
                ".github/workflows/ci.yml",
                "actions/checkout@v4"
            ),
            "b5530a9ffc2491bb34ae6e84fcef1667"
        );
    }
}

//! A package-source password in a NuGet configuration.
//!
//! ## What it finds
//!
//! `<add key="ClearTextPassword" value="…" />` and `<add key="Password"
//! value="…" />` (the `packageSourceCredentials` entries of a
//! `nuget.config`) with a value of 8 or more characters. An encrypted
//! `Password` is still reported: it decrypts on the machine that wrote it,
//! and the entry shows a credential was committed.
//!
//! gitleaks: `nuget-config-password`.
//!
//! ## Not a finding
//!
//! Environment references (`%NUGET_PASSWORD%`, `$env:…`), templates
//! (`{{ password }}`), shorter values,
//! placeholders, and the example passwords of NuGet's documentation.
//!
//! ## Fix
//!
//! Rotate the feed's password or token, remove it from the history, and set
//! the credential at run time (`dotnet nuget update source --password`
//! from a secret, or `%ENV%` references in the file).

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "nuget-config-password",
    title: "Password in a NuGet package-source configuration",
    gitleaks: &["nuget-config-password"],
    keywords: &["<add key=\"cleartextpassword\"", "<add key=\"password\""],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

#[derive(Debug)]
pub struct NugetConfigPassword {
    pattern: Regex,
}

impl NugetConfigPassword {
    pub fn new() -> Self {
        NugetConfigPassword {
            pattern: pattern(
                r#"(?i)<add\s+key="(?:ClearText)?Password"\s+value="(?P<v>[^"]{8,})"\s*/>"#,
            ),
        }
    }
}

impl Rule for NugetConfigPassword {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let Some(value) = caps.name("v") else {
                continue;
            };
            let v = value.as_str();
            // `%NUGET_PASSWORD%`, `$env:X`, `${X}`, `{{ template }}`.
            if v.starts_with('%') && v.ends_with('%') || v.starts_with('$') || v.contains("{{") {
                continue;
            }
            hits.push(Hit::new(&INFO, value.start(), value.end(), 0));
        }
    }
}

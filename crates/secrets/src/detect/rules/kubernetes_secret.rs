//! Values of a Kubernetes Secret manifest.
//!
//! ## What it finds
//!
//! In a YAML document with `kind: Secret`, each entry of its top-level
//! `data:` map (base64, as the API stores it) and `stringData:` map
//! (plain text) whose value is 8 or more characters. A `data` value is
//! decoded and judged by what it holds: it must not be a placeholder.
//!
//! gitleaks: `kubernetes-secret-yaml`.
//!
//! ## Not a finding
//!
//! Empty values, templates (`{{ .Values.password | b64enc }}`, `${VAR}`),
//! placeholders (`changeme`, `xxxx`, `example`, all-same or sequential
//! characters, also inside base64), values under other keys (`metadata:`,
//! `type:`), and other kinds (`ConfigMap`, `SealedSecret`, whose
//! `encryptedData` is meant to be committed).
//!
//! ## Fix
//!
//! Rotate what the Secret held and remove it from the history. Commit a
//! SealedSecret, an ExternalSecret or a SOPS-encrypted file instead, or
//! create the Secret at deploy time from the CI's secret store.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;

use super::pattern;
use crate::detect::placeholder::is_placeholder;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "kubernetes-secret",
    title: "Kubernetes Secret manifest with values",
    gitleaks: &["kubernetes-secret-yaml"],
    keywords: &["kind: secret", "kind: \"secret\"", "kind: 'secret'"],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::Text,
};

/// The shortest value reported.
const MIN_LEN: usize = 8;

#[derive(Debug)]
pub struct KubernetesSecret {
    kind: Regex,
}

impl KubernetesSecret {
    pub fn new() -> Self {
        KubernetesSecret {
            kind: pattern(r#"(?m)^kind:[ \t]*["']?Secret["']?[ \t]*\r?$"#),
        }
    }
}

/// The YAML document around `at`: between `---` lines.
fn document(text: &str, at: usize) -> (usize, usize) {
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let next = offset + line.len();
        if line.trim_end() == "---" || line.starts_with("--- ") {
            if offset <= at {
                start = next;
            } else {
                return (start, offset);
            }
        }
        offset = next;
    }
    (start, text.len())
}

impl Rule for KubernetesSecret {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let mut seen = Vec::new();
        for kind in self.kind.find_iter(text) {
            let (start, end) = document(text, kind.start());
            if seen.contains(&start) {
                continue;
            }
            seen.push(start);
            let mut section: Option<bool> = None; // Some(base64?)
            let mut offset = start;
            for line in text[start..end].split_inclusive('\n') {
                let line_start = offset;
                offset += line.len();
                let content = line.trim_end_matches(['\n', '\r']);
                if !content.starts_with([' ', '\t']) {
                    section = match content.trim_end() {
                        "data:" => Some(true),
                        "stringData:" => Some(false),
                        _ => None,
                    };
                    continue;
                }
                let Some(base64) = section else { continue };
                let entry = content.trim_start();
                if entry.starts_with('#') {
                    continue;
                }
                let Some((key, value)) = entry.split_once(':') else {
                    continue;
                };
                if key.is_empty() || key.contains(' ') {
                    continue;
                }
                let raw = value.trim();
                let unquoted = raw.trim_matches(['"', '\'']);
                if unquoted.len() < MIN_LEN
                    || unquoted.contains("{{")
                    || unquoted.contains("${")
                    || unquoted.starts_with(['$', '<', '|', '>'])
                {
                    continue;
                }
                if base64 {
                    let Ok(decoded) = STANDARD.decode(unquoted) else {
                        continue;
                    };
                    let decoded = String::from_utf8_lossy(&decoded);
                    if is_placeholder(decoded.trim()) {
                        continue;
                    }
                }
                let Some(at) = content.find(unquoted) else {
                    continue;
                };
                let from = line_start + at;
                hits.push(Hit::new(&INFO, from, from + unquoted.len(), 0));
            }
        }
    }
}

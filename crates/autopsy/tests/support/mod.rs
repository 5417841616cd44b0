//! Helpers shared by the integration tests.

#![allow(dead_code, clippy::unwrap_used)]

use ci_intel_autopsy::redact::Redactor;
use ci_intel_autopsy::report::{self, Autopsy, Input};
use ci_intel_autopsy::rules::{self, compile::RuleSet};
use ci_intel_autopsy::scan::{ScanOptions, Scanner};

/// A fixture as the scanner sees it, and its marked line (1-based):
/// `#=SOURCE=#` lines (credit) become empty lines so numbers do not move;
/// the `#=MATCH=# ` prefix is removed (and, for the pytorch corpus, the
/// `‹ ›` capture brackets on the marked line).
pub fn unmark(text: &str) -> (String, Option<u64>) {
    let mut out = String::with_capacity(text.len());
    let mut marked = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.starts_with("#=SOURCE=#") {
            out.push('\n');
        } else if let Some(rest) = line.strip_prefix("#=MATCH=# ") {
            marked = Some(i as u64 + 1);
            out.push_str(&rest.replace(['‹', '›'], ""));
        } else {
            out.push_str(line);
        }
    }
    (out, marked)
}

pub fn builtin_set() -> RuleSet {
    RuleSet::new(rules::builtin().unwrap()).unwrap()
}

/// Classify one text with `set`.
pub fn classify(set: &RuleSet, name: &str, text: &[u8], assume_failed: bool) -> Autopsy {
    let redactor = Redactor::new(Vec::new());
    let opts = ScanOptions::default();
    let analysis = Scanner::new(set, &redactor, &opts).scan_slice(text);
    report::build(
        set,
        &[Input {
            name: name.to_owned(),
            analysis,
        }],
        &[],
        assume_failed,
    )
}

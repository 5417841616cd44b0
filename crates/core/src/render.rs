//! Renderers for a [`Report`]: `human`, `json`, `sarif` (2.1.0) and `github`
//! (workflow-command annotations).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use serde_json::{Value, json};

use crate::commands::WorkflowCommand;
use crate::findings::{Finding, Report, Severity};

/// The output formats every tool accepts with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Readable lines for a terminal.
    Human,
    /// The report as JSON (`{"tool":..,"findings":[..]}`).
    Json,
    /// SARIF 2.1.0, uploadable to GitHub code scanning.
    Sarif,
    /// GitHub workflow-command annotations (`::error file=..::`).
    Github,
}

/// Print `report` on standard output in `format`. A tool whose `--format
/// json` has its own shape passes it as `own_json` (called only for JSON);
/// `None` prints the generic JSON report.
pub fn print_report<J: Serialize>(
    report: &Report,
    format: OutputFormat,
    own_json: Option<&dyn Fn() -> J>,
) -> Result<(), crate::Failure> {
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match (format, own_json) {
        (OutputFormat::Json, Some(own)) => serde_json::to_writer_pretty(&mut out, &own())
            .map_err(std::io::Error::other)
            .and_then(|()| out.write_all(b"\n")),
        (other, _) => out.write_all(render(report, other).as_bytes()),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| crate::Failure::infra(format!("cannot write to standard output: {e}")))
}

/// Print `doc` on standard output as pretty-printed JSON, byte for byte
/// what [`serde_json::to_writer_pretty`] writes for the document with
/// `items` as its top-level array `key`, but with the items (most of the
/// bytes in a large report) rendered on every core. `doc` must serialize
/// `key` as an empty array at the top level.
pub fn print_json_with_items<'a, D, T, I, F>(
    doc: &D,
    key: &str,
    items: &'a [T],
    as_item: F,
) -> Result<(), crate::Failure>
where
    D: Serialize,
    T: Sync,
    I: Serialize,
    F: Fn(&'a T) -> I + Sync,
{
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_json_with_items(doc, key, items, &as_item, &mut out)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| crate::Failure::infra(format!("cannot write the JSON report: {e}")))
}

/// The bytes [`print_json_with_items`] prints, without the final newline.
pub fn json_with_items<'a, D, T, I, F>(
    doc: &D,
    key: &str,
    items: &'a [T],
    as_item: F,
) -> std::io::Result<Vec<u8>>
where
    D: Serialize,
    T: Sync,
    I: Serialize,
    F: Fn(&'a T) -> I + Sync,
{
    let mut out = Vec::new();
    write_json_with_items(doc, key, items, &as_item, &mut out)?;
    Ok(out)
}

/// Items per rendered piece: small enough that only a few pieces (a few
/// hundred kilobytes each) are held at a time, large enough that handing
/// them out costs nothing.
const ITEMS_PER_PIECE: usize = 512;

fn write_json_with_items<'a, D, T, I, F>(
    doc: &D,
    key: &str,
    items: &'a [T],
    as_item: &F,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()>
where
    D: Serialize,
    T: Sync,
    I: Serialize,
    F: Fn(&'a T) -> I + Sync,
{
    let shell = serde_json::to_vec_pretty(doc).map_err(std::io::Error::other)?;
    // At the top level a key is indented by two spaces, so this cannot
    // match inside a nested object or a string (strings escape newlines).
    let empty = format!("\n  {}: []", serde_json::to_string(key)?);
    let Some(at) = shell
        .windows(empty.len())
        .position(|window| window == empty.as_bytes())
    else {
        return Err(std::io::Error::other(format!(
            "the document has no top-level empty array {key:?} to fill"
        )));
    };
    let open = at + empty.len() - 1;
    if items.is_empty() {
        return out.write_all(&shell);
    }
    out.write_all(&shell[..open])?;
    let pieces: Vec<&'a [T]> = items.chunks(ITEMS_PER_PIECE).collect();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(pieces.len());
    let next = AtomicUsize::new(0);
    // Bounded, so rendering never runs far ahead of writing.
    let (sender, receiver) = std::sync::mpsc::sync_channel(workers * 2);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let sender = sender.clone();
                let (next, pieces) = (&next, &pieces);
                scope.spawn(move || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(piece) = pieces.get(index) else {
                            return;
                        };
                        // The writer stopped (an error): so do we.
                        if sender.send((index, pretty_items(piece, as_item))).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        // Takes the receiver, so a worker waiting to send is released when
        // writing stops early.
        let written = write_in_order(receiver, pieces.len(), out);
        let panicked = handles.into_iter().any(|h| h.join().is_err());
        match written {
            Ok(()) if panicked => Err(std::io::Error::other("a JSON rendering thread panicked")),
            other => other,
        }
    })?;
    out.write_all(b"\n  ")?;
    out.write_all(&shell[open..])
}

/// Write the rendered pieces in their order, whatever order they arrive in.
fn write_in_order(
    receiver: std::sync::mpsc::Receiver<(usize, serde_json::Result<Vec<u8>>)>,
    count: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut waiting = BTreeMap::new();
    let mut wanted = 0;
    for (index, piece) in receiver {
        waiting.insert(index, piece);
        while let Some(piece) = waiting.remove(&wanted) {
            let piece = piece.map_err(std::io::Error::other)?;
            if wanted > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&piece)?;
            wanted += 1;
        }
    }
    if wanted == count {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{} of {count} rendered pieces never arrived",
            count - wanted
        )))
    }
}

/// `items` as they sit in a pretty-printed top-level array: each on a new
/// line, indented by four spaces, separated by commas.
fn pretty_items<'a, T, I: Serialize>(
    items: &'a [T],
    as_item: &impl Fn(&'a T) -> I,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut one = Vec::new();
    for (index, item) in items.iter().enumerate() {
        one.clear();
        serde_json::to_writer_pretty(&mut one, &as_item(item))?;
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n    ");
        for line in one.split_inclusive(|b| *b == b'\n') {
            out.extend_from_slice(line);
            if line.ends_with(b"\n") {
                out.extend_from_slice(b"    ");
            }
        }
    }
    Ok(out)
}

/// Write `report` as SARIF 2.1.0 to `path` (a tool's `--sarif-output`).
pub fn write_sarif(report: &Report, path: &std::path::Path) -> Result<(), crate::Failure> {
    std::fs::write(path, render(report, OutputFormat::Sarif)).map_err(|e| {
        crate::Failure::infra(format!(
            "cannot write --sarif-output {}: {e}",
            path.display()
        ))
    })
}

/// Render a report in the chosen format. The result ends with a newline.
pub fn render(report: &Report, format: OutputFormat) -> String {
    match format {
        OutputFormat::Human => human(report),
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Sarif => {
            let mut text = serde_json::to_string_pretty(&SarifLog::new(report)).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Github => github(report),
    }
}

fn human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let place = finding
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        // Continuation lines are indented so each finding stays one block.
        let message = finding.message.replace('\n', "\n    ");
        let _ = writeln!(
            out,
            "{place}{} [{}] {message}",
            finding.severity, finding.rule_id
        );
        if let Some(fix) = &finding.fix_hint {
            let _ = writeln!(out, "  fix: {fix}");
        }
    }
    let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for finding in &report.findings {
        *counts
            .entry(std::cmp::Reverse(finding.severity))
            .or_default() += 1;
    }
    if counts.is_empty() {
        let _ = writeln!(out, "{}: no findings", report.tool.name);
    } else {
        let parts: Vec<String> = counts
            .iter()
            .map(|(sev, n)| format!("{n} {}", sev.0))
            .collect();
        let _ = writeln!(
            out,
            "{}: {} finding(s): {}",
            report.tool.name,
            report.findings.len(),
            parts.join(", ")
        );
    }
    out
}

/// The SARIF 2.1.0 log for a report.
pub fn sarif(report: &Report) -> Value {
    serde_json::to_value(SarifLog::new(report)).unwrap_or_default()
}

// The SARIF log as borrowed, typed data: serialised straight to text, so a
// report with tens of thousands of results does not become a tree of
// `serde_json::Value`s first. Field order is the order in the output.

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
struct SarifRun<'a> {
    tool: SarifTool<'a>,
    #[serde(rename = "originalUriBaseIds")]
    original_uri_base_ids: Value,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct SarifTool<'a> {
    driver: SarifDriver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'a str,
    rules: Vec<SarifRule<'a>>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SecuritySeverity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct SecuritySeverity {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: OwnedText,
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[SarifLocation<'a>; 1]>,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "ciIntelFingerprint/v1")]
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
    confidence: crate::findings::Confidence,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: &'a str,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

impl<'a> SarifLog<'a> {
    fn new(report: &'a Report) -> Self {
        // Rules seen in findings but not declared still get a descriptor, so
        // that every result's ruleIndex points somewhere valid.
        let mut rule_ids: Vec<&'a str> = report.rules.iter().map(|r| r.id).collect();
        let mut index: std::collections::HashMap<&'a str, usize> = rule_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .rev()
            .collect();
        for finding in &report.findings {
            if !index.contains_key(finding.rule_id.as_str()) {
                index.insert(&finding.rule_id, rule_ids.len());
                rule_ids.push(&finding.rule_id);
            }
        }
        let rules = rule_ids
            .iter()
            .map(|id| {
                let meta = report.rules.iter().find(|r| r.id == *id);
                SarifRule {
                    id,
                    name: id,
                    short_description: Text {
                        text: meta.map(|m| m.title).unwrap_or(id),
                    },
                    default_configuration: meta.map(|m| Level {
                        level: m.default_severity.sarif_level(),
                    }),
                    properties: meta.map(|m| SecuritySeverity {
                        security_severity: m.default_severity.security_severity(),
                    }),
                    help_uri: meta.and_then(|m| m.help_uri),
                }
            })
            .collect();
        let results = report
            .findings
            .iter()
            .map(|f| sarif_result(f, index.get(f.rule_id.as_str()).copied()))
            .collect();
        SarifLog {
            schema: "https://json.schemastore.org/sarif-2.1.0.json",
            version: "2.1.0",
            runs: [SarifRun {
                tool: SarifTool {
                    driver: SarifDriver {
                        name: &report.tool.name,
                        version: &report.tool.version,
                        semantic_version: &report.tool.version,
                        information_uri: &report.tool.information_uri,
                        rules,
                    },
                },
                original_uri_base_ids: json!({
                    "%SRCROOT%": { "description": { "text": "The repository root." } }
                }),
                results,
            }],
        }
    }
}

fn sarif_result(finding: &Finding, rule_index: Option<usize>) -> SarifResult<'_> {
    let mut message = finding.message.clone();
    if let Some(fix) = &finding.fix_hint {
        message.push_str("\nFix: ");
        message.push_str(fix);
    }
    SarifResult {
        rule_id: &finding.rule_id,
        level: finding.severity.sarif_level(),
        message: OwnedText { text: message },
        partial_fingerprints: Fingerprints {
            fingerprint: &finding.fingerprint,
        },
        properties: ResultProperties {
            severity: finding.severity.as_str(),
            confidence: finding.confidence,
        },
        rule_index,
        locations: finding.location.as_ref().map(|location| {
            [SarifLocation {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: &location.file,
                        uri_base_id: "%SRCROOT%",
                    },
                    region: location.line.map(|line| Region {
                        start_line: line,
                        start_column: location.column,
                        end_line: location.end_line,
                        end_column: location.end_column,
                    }),
                },
            }]
        }),
    }
}

fn github(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let level = match finding.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(fix) = &finding.fix_hint {
            message.push_str("\nFix: ");
            message.push_str(fix);
        }
        let mut command = WorkflowCommand::new(level, message);
        if let Some(loc) = &finding.location {
            command = command.property("file", loc.file.clone());
            for (key, value) in [
                ("line", loc.line),
                ("col", loc.column),
                ("endLine", loc.end_line),
                ("endColumn", loc.end_column),
            ] {
                if let Some(value) = value {
                    command = command.property(key, value.to_string());
                }
            }
        }
        command = command.property(
            "title",
            format!("{} ({})", finding.rule_id, finding.severity),
        );
        out.push_str(&command.render());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, RuleMeta, ToolInfo};

    pub(crate) fn sample_report() -> Report {
        let rules = vec![RuleMeta {
            id: "unpinned-hub-ref",
            title: "Hub reference is not pinned to a full commit SHA",
            default_severity: Severity::High,
            help_uri: Some("https://github.com/ci-intel/ci-intel/blob/main/docs/doctor.md"),
        }];
        let findings = vec![
            Finding::new(
                "unpinned-hub-ref",
                Severity::High,
                "acme/ci-intel is referenced by `@main`, a branch",
                Some(Location {
                    file: ".github/workflows/ci,1.yml".into(),
                    line: Some(12),
                    column: Some(11),
                    end_line: Some(12),
                    end_column: Some(60),
                }),
                "acme/ci-intel@main",
            )
            .with_fix("pin to the 40-hex commit SHA with a `# vX.Y.Z` comment"),
            Finding::new(
                "no-location",
                Severity::Low,
                "100% odd\nsecond line",
                None,
                "x",
            ),
        ];
        Report::new(ToolInfo::new("ci-intel-test", "0.1.0"), rules, findings)
    }

    #[test]
    fn human_output_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), OutputFormat::Human));
    }

    #[test]
    fn json_output_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), OutputFormat::Json));
    }

    #[test]
    fn github_output_escapes_and_snapshot() {
        let text = render(&sample_report(), OutputFormat::Github);
        assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
        assert!(text.contains("file=.github/workflows/ci%2C1.yml"));
        assert!(text.contains("100%25 odd%0Asecond line"));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn sarif_has_fingerprints_and_rule_indexes() {
        let log = sarif(&sample_report());
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for result in results {
            assert!(
                result["partialFingerprints"]["ciIntelFingerprint/v1"]
                    .as_str()
                    .is_some_and(|fp| fp.len() == 32)
            );
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
        insta::assert_json_snapshot!(log);
    }

    #[derive(Serialize)]
    struct Doc<'a> {
        tool: Value,
        findings: &'a [Value],
        summary: Value,
    }

    fn doc(findings: &[Value], count: usize) -> Doc<'_> {
        Doc {
            tool: json!({"name": "t", "findings": [], "nested": {"findings": []}}),
            findings,
            summary: json!({"count": count, "text": "a\n  \"findings\": []"}),
        }
    }

    fn item(i: usize) -> Value {
        json!({"rule": format!("r{i}"), "line": i, "fix": null, "nested": {"a": [1, {"b": "x\ny"}]}, "empty": {}, "list": []})
    }

    /// The parallel rendering writes exactly what serde_json writes for the
    /// whole document, from no item through one to enough for several
    /// threads; a decoy `"findings": []` below the top level or inside a
    /// string is not taken for the array.
    #[test]
    fn json_with_items_is_byte_for_byte_serde_json_pretty() {
        for n in [0, 1, 2, 511, 512, 513, 1024, 5000] {
            let items: Vec<Value> = (0..n).map(item).collect();
            let whole = serde_json::to_vec_pretty(&doc(&items, n)).unwrap();
            let parallel = json_with_items(&doc(&[], n), "findings", &items, Value::clone).unwrap();
            assert_eq!(
                String::from_utf8(parallel).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{n} items"
            );
        }
    }

    /// A document without the top-level empty array is an error, not a
    /// report without its findings.
    #[test]
    fn json_with_items_refuses_a_document_without_the_array() {
        let items = vec![item(1)];
        let err = json_with_items(
            &json!({"tool": {"findings": []}}),
            "findings",
            &items,
            Value::clone,
        )
        .unwrap_err();
        assert!(err.to_string().contains("\"findings\""), "{err}");
    }

    /// A writer that fails after some bytes: the error comes back, and the
    /// rendering threads (blocked on the full channel) are released rather
    /// than left waiting.
    #[test]
    fn json_with_items_stops_at_a_write_error() {
        struct Failing(usize);
        impl std::io::Write for Failing {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 < buf.len() {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let items: Vec<Value> = (0..20_000).map(item).collect();
        let err = write_json_with_items(
            &doc(&[], 0),
            "findings",
            &items,
            &Value::clone,
            &mut Failing(100_000),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}

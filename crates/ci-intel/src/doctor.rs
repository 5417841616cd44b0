//! `ci-intel doctor`: validate the configuration layers, check every hub
//! reference is SHA-pinned with a version comment, and say what was checked.

use std::path::Path;

use ci_intel_core::{ExitCode, Failure, OutputFormat, Report, render};

use crate::{hub_pins, tool_info};

pub fn run(
    dir: &Path,
    org_policy: Option<&Path>,
    format: OutputFormat,
) -> Result<ExitCode, Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let loaded = ci_intel_core::config::load(dir, org_policy, &crate::gates::sections())?;
    let checkout = ci_intel_core::checkout::Checkout::open(dir)?;
    let result = hub_pins::check(&checkout, &loaded.config)?;
    let report = Report::new(tool_info(), hub_pins::rules(), result.findings.clone());
    let mut lines = Vec::new();
    let layers: Vec<String> = loaded.layers.iter().map(ToString::to_string).collect();
    lines.push(format!("config: {} (valid)", layers.join(" + ")));
    if !loaded.locked.is_empty() {
        lines.push(format!("  locked by the org: {}", loaded.locked.join(", ")));
    }
    lines.push(format!(
        "  fail_on: {}; hub: {}",
        loaded.config.fail_on,
        loaded
            .config
            .hub
            .repository
            .as_deref()
            .unwrap_or("any repository named ci-intel")
    ));
    lines.push(format!(
        "workflow and action files scanned: {}",
        result.files.len()
    ));
    for file in &result.files {
        lines.push(format!("  {file}"));
    }
    lines.push(format!("hub references: {}", result.hub_refs.len()));
    for reference in &result.hub_refs {
        let ok = !report.findings.iter().any(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| l.file == reference.file && l.line == Some(reference.line))
        });
        lines.push(format!(
            "  {}:{}  {}{}  {}",
            reference.file,
            reference.line,
            reference.raw,
            reference
                .comment
                .as_deref()
                .map(|c| format!(" # {c}"))
                .unwrap_or_default(),
            if ok { "ok" } else { "NOT OK" }
        ));
    }
    let mut code = report.verdict(loaded.config.fail_on).exit_code();
    if result.hub_refs.is_empty() {
        lines.push(
            "no hub reference found: this repository does not call the hub; run `ci-intel init`"
                .to_owned(),
        );
        code = code.worst(ExitCode::Deny);
    }
    lines.push(format!("result: {}", code.label()));
    let summary = lines.join("\n");
    if format == OutputFormat::Human {
        print!("{}", render::render(&report, format));
        println!("{summary}");
    } else {
        print!("{}", render::render(&report, format));
        eprintln!("{summary}");
    }
    Ok(code)
}

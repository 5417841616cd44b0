//! The `telemetry` gate: pipeline_run records kept in the repository must
//! validate. Its section lives at `gates.telemetry`.

use std::path::Path;

use ci_intel_core::Failure;
use ci_intel_core::config::SectionSpec;
use ci_intel_core::gate::{Gate, GateConfig, GateContext, GateRun};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::RecordSchema;
use crate::validate::{self, Validation};

/// Where the section lives in `.ci-intel/config.yml`.
pub const SECTION: &str = "gates.telemetry";

/// The section, for tools that load the configuration themselves.
pub fn section() -> SectionSpec {
    SectionSpec::of::<TelemetryGate>(SECTION)
}

/// The `telemetry` gate: validates pipeline_run NDJSON kept in the repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryGate {
    /// Run this gate.
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Glob patterns (relative to the repository root) of pipeline_run NDJSON
    /// files to validate.
    pub records: Vec<String>,
    /// Pass when no file matches `records`. When false, no records is a denial.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
}

impl Default for TelemetryGate {
    fn default() -> Self {
        TelemetryGate {
            enabled: true,
            records: vec![
                ".ci-intel/telemetry/**/*.ndjson".to_owned(),
                "**/*.pipeline_run.ndjson".to_owned(),
            ],
            allow_empty: true,
        }
    }
}

impl GateConfig for TelemetryGate {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn allow_empty(&self) -> bool {
        self.allow_empty
    }
}

/// The gate, as registered in the umbrella's list.
#[derive(Debug, Clone, Copy)]
pub struct RecordsGate;

impl Gate for RecordsGate {
    type Config = TelemetryGate;

    fn id(&self) -> &'static str {
        "telemetry"
    }

    fn section_key(&self) -> &'static str {
        SECTION
    }

    fn summary(&self) -> &'static str {
        "pipeline_run records kept in the repository validate (ci-intel-telemetry validate)"
    }

    fn rules(&self) -> Vec<ci_intel_core::RuleMeta> {
        validate::rules()
    }

    fn run(&self, gate: &TelemetryGate, ctx: &GateContext<'_>) -> Result<GateRun, Failure> {
        let files = ctx
            .checkout
            .matching(&gate.records, "gates.telemetry.records")?;
        if files.is_empty() {
            return Ok(GateRun::nothing(format!(
                "no file matches {}",
                gate.records.join(", ")
            )));
        }
        let schema = RecordSchema::embedded();
        let mut validation = Validation::default();
        let mut inputs = Vec::new();
        for file in files {
            let bytes = ctx.checkout.read(file)?;
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                Failure::usage(format!(
                    "cannot read {}: {e}; pass a readable UTF-8 NDJSON file",
                    file.relative
                ))
            })?;
            // Reported relative to the repository, as CI annotations need.
            validate::validate_text(
                Path::new(&file.relative),
                text,
                false,
                schema,
                &mut validation,
            );
            validation.files += 1;
            inputs.push(ctx.checkout.input(file)?);
        }
        Ok(GateRun {
            checked: format!(
                "{} record(s) in {} file(s), {} invalid",
                validation.records, validation.files, validation.invalid_records
            ),
            inputs,
            findings: validation.findings,
            ..GateRun::default()
        }
        .count("records", validation.records)
        .count("files", validation.files)
        .count("invalid_records", validation.invalid_records))
    }
}

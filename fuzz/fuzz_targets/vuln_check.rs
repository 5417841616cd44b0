//! The whole `ci-intel-vuln check` decision over files, with one of its
//! inputs replaced by the fuzz input. The first byte picks which one (SBOM,
//! findings report, KEV catalog, EPSS scores, VEX document); the others are
//! the `vuln-risk/quiet/low-risk` fixture of crates/vuln. Invariant: a
//! verdict is never reached, and so never `allow`, when the replaced input
//! fails to parse: `evaluate` returns an error (exit 2 or 3) instead.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use ci_intel_core::{ExitCode, Severity};
use ci_intel_vuln::check::{CheckInputs, evaluate, settings};
use ci_intel_vuln::config::VulnConfig;
use libfuzzer_sys::fuzz_target;

const SBOM: &[u8] =
    include_bytes!("../../crates/vuln/tests/fixtures/vuln-risk/quiet/low-risk/sbom.json");
const GRYPE: &[u8] =
    include_bytes!("../../crates/vuln/tests/fixtures/vuln-risk/quiet/low-risk/grype.json");
const KEV: &[u8] =
    include_bytes!("../../crates/vuln/tests/fixtures/vuln-risk/quiet/low-risk/kev.json");
const EPSS: &[u8] =
    include_bytes!("../../crates/vuln/tests/fixtures/vuln-risk/quiet/low-risk/epss.csv");

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("ci-intel-fuzz-vuln-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (name, bytes) in [
            ("sbom.json", SBOM),
            ("grype.json", GRYPE),
            ("kev.json", KEV),
            ("epss.csv", EPSS),
        ] {
            std::fs::write(dir.join(name), bytes).expect("write fixture");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&role, bytes)) = data.split_first() else {
        return;
    };
    let dir = dir();
    let fuzzed = dir.join("fuzzed");
    std::fs::write(&fuzzed, bytes).expect("write input");
    let mut inputs = CheckInputs {
        sboms: vec![dir.join("sbom.json")],
        findings: vec![dir.join("grype.json")],
        kev: Some(dir.join("kev.json")),
        epss: Some(dir.join("epss.csv")),
        vex: Vec::new(),
        base_sboms: Vec::new(),
        base_findings: Vec::new(),
        root: Some(dir.clone()),
    };
    let parsed = match role % 5 {
        0 => {
            inputs.sboms = vec![fuzzed];
            ci_intel_vuln::sbom::parse_sbom(bytes).is_ok()
        }
        1 => {
            inputs.findings = vec![fuzzed];
            ci_intel_vuln::scan::parse_findings(bytes).is_ok()
        }
        2 => {
            inputs.kev = Some(fuzzed);
            ci_intel_vuln::feeds::kev::parse_kev(bytes).is_ok()
        }
        3 => {
            inputs.epss = Some(fuzzed);
            ci_intel_vuln::feeds::epss::parse_epss_all(bytes).is_ok()
        }
        _ => {
            inputs.vex = vec![fuzzed];
            ci_intel_vuln::vex::parse_vex(bytes).is_ok()
        }
    };
    let now = Utc
        .with_ymd_and_hms(2025, 8, 26, 0, 0, 0)
        .single()
        .expect("a time");
    let settings =
        settings(VulnConfig::default(), dir, now, Severity::High).expect("default settings");
    match evaluate(&inputs, &settings) {
        Ok(evaluation) => {
            assert!(
                parsed,
                "role {}: an input that fails to parse reached a verdict ({:?})",
                role % 5,
                evaluation.verdict
            );
        }
        Err(failure) => assert!(
            matches!(failure.code, ExitCode::Usage | ExitCode::Infra),
            "an input error must exit 2 or 3, not {:?}: {}",
            failure.code,
            failure.message
        ),
    }
});

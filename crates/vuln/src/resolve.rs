//! The inputs named by the `vuln:` section: glob patterns relative to the
//! repository root, found whether or not `.gitignore` excludes them (SBOMs
//! and scan reports are build outputs). A pattern that matches no file is
//! an `input-missing` finding, which denies.

use std::path::Path;

use ci_intel_core::checkout::Checkout;
use ci_intel_core::{Failure, Finding, Location};

use crate::check::CheckInputs;
use crate::config::VulnConfig;

/// The inputs the configuration names under `checkout`, and a finding per
/// pattern that matches nothing.
pub fn from_config(
    config: &VulnConfig,
    checkout: &Checkout,
) -> Result<(CheckInputs, Vec<Finding>), Failure> {
    let root = checkout.root();
    let mut missing = Vec::new();
    let mut expand = |patterns: &[String], key: &str| -> Result<Vec<std::path::PathBuf>, Failure> {
        let mut out = Vec::new();
        for pattern in patterns {
            let found = checkout.find_unignored(pattern, key)?;
            if found.is_empty() {
                missing.push(missing_finding(key, pattern));
            }
            out.extend(found.into_iter().map(|f| root.join(f)));
        }
        Ok(out)
    };
    let sboms = expand(&config.sboms, "vuln.sboms")?;
    let findings = expand(&config.findings, "vuln.findings")?;
    let vex = expand(&config.vex, "vuln.vex")?;
    let kev = match &config.kev {
        Some(k) => expand(std::slice::from_ref(k), "vuln.kev")?
            .into_iter()
            .next(),
        None => None,
    };
    let epss = match &config.epss {
        Some(e) => expand(std::slice::from_ref(e), "vuln.epss")?
            .into_iter()
            .next(),
        None => None,
    };
    Ok((
        CheckInputs {
            sboms,
            findings,
            kev,
            epss,
            vex,
            base_sboms: Vec::new(),
            base_findings: Vec::new(),
            root: Some(root.to_path_buf()),
        },
        missing,
    ))
}

fn missing_finding(key: &str, pattern: &str) -> Finding {
    let rule = crate::rules::input_missing::RULE;
    Finding::new(
        rule.id,
        rule.default_severity,
        format!("{key}: `{pattern}` matches no file: a configured input that is absent cannot be judged, so it is not a pass"),
        Some(Location::file(".ci-intel/config.yml")),
        &format!("{key}|{pattern}"),
    )
    .with_fix("generate the input before the check (syft, grype, trivy), or correct the pattern in .ci-intel/config.yml")
}

/// A path relative to `root` for messages.
pub fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

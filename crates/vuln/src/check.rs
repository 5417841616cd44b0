//! The decision of `ci-intel-vuln check` (and the `vuln` gate): read the
//! SBOMs, scanner reports, feeds and VEX documents, judge every finding's
//! risk, apply the VEX statements that validly waive, compare with the
//! base on a pull request, judge SBOM quality and licences, and decide.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use ci_intel_attest::TrustSelection;
use ci_intel_core::gate::Input;
use ci_intel_core::{Failure, Finding, Location, Severity, Verdict};

use crate::config::VulnConfig;
use crate::feeds::{epss::Epss, kev::Kev};
use crate::input::Source;
use crate::license::{LicenseOutcome, LicenseVerdict};
use crate::purl::Purl;
use crate::risk::{Risk, fmt};
use crate::rules::{self, Weight};
use crate::sbom::{Component, Sbom};
use crate::scan::{ScanReport, Vulnerability};
use crate::vex::signature::{SignatureCheck, Signer};
use crate::vex::{Ident, Statement, Status, VexDocument};

/// The files to judge.
#[derive(Debug, Clone, Default)]
pub struct CheckInputs {
    pub sboms: Vec<PathBuf>,
    pub findings: Vec<PathBuf>,
    pub kev: Option<PathBuf>,
    pub epss: Option<PathBuf>,
    pub vex: Vec<PathBuf>,
    pub base_sboms: Vec<PathBuf>,
    pub base_findings: Vec<PathBuf>,
    /// Names in findings and evidence are relative to this directory.
    pub root: Option<PathBuf>,
}

impl CheckInputs {
    pub fn is_empty(&self) -> bool {
        self.sboms.is_empty() && self.findings.is_empty()
    }
}

/// Everything the decision depends on besides the files.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    pub config: VulnConfig,
    pub now: DateTime<Utc>,
    pub fail_on: Severity,
    pub signers: Vec<Signer>,
    pub trust: TrustSelection,
}

/// What was decided about one vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Risk below `block_at`.
    BelowThreshold,
    /// Risky and waived by a VEX statement.
    Waived,
    /// Risky, the base had it, and `deny_existing` is false.
    Existing,
    /// Risky and denies.
    Blocks,
}

/// One vulnerability with its risk and decision (the JSON output's
/// `vulnerabilities`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct VulnRecord {
    pub id: String,
    pub aliases: Vec<String>,
    pub package: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub risk: Risk,
    pub explanation: String,
    pub decision: Decision,
    /// `file#pointer` of the VEX statement that waived it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
    pub in_base: bool,
    pub scanners: Vec<String>,
    pub fixed_in: Vec<String>,
    pub sources: Vec<String>,
}

/// One VEX document with its signature check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VexRecord {
    pub file: String,
    pub format: &'static str,
    pub statements: usize,
    pub signature: SignatureCheck,
    /// Statements that waived at least one finding.
    pub waived: usize,
}

/// One component's licence verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LicenseRecord {
    pub sbom: String,
    pub component: String,
    #[serde(flatten)]
    pub verdict: LicenseVerdict,
}

/// Everything the check found, for the renderers and the evidence.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    pub inputs: Vec<Input>,
    pub subjects: Vec<Input>,
    pub vulnerabilities: Vec<VulnRecord>,
    pub vex: Vec<VexRecord>,
    pub licenses: Vec<LicenseRecord>,
    pub counts: BTreeMap<String, u64>,
    pub notes: Vec<String>,
    pub checked: String,
}

fn display(path: &Path, root: Option<&Path>) -> String {
    let shown = root.and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

fn finding(
    rule_id: &str,
    severity: Severity,
    message: String,
    file: &str,
    subject: &str,
) -> Finding {
    Finding::new(
        rule_id,
        severity,
        message,
        Some(Location::file(file)),
        subject,
    )
}

/// A read SBOM with its name.
struct ReadSbom {
    name: String,
    sbom: Sbom,
}

fn read_sboms(
    paths: &[PathBuf],
    root: Option<&Path>,
    inputs: &mut Vec<Input>,
) -> Result<Vec<ReadSbom>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        let mut source = Source::read(path, "SBOM")?;
        source.name = display(path, root);
        let sbom =
            crate::sbom::parse_sbom(&source.bytes).map_err(|e| e.in_file(&source.name, "SBOM"))?;
        inputs.push(source.input());
        out.push(ReadSbom {
            name: source.name,
            sbom,
        });
    }
    Ok(out)
}

fn read_reports(
    paths: &[PathBuf],
    root: Option<&Path>,
    inputs: &mut Vec<Input>,
) -> Result<Vec<(String, ScanReport)>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        let mut source = Source::read(path, "findings report")?;
        source.name = display(path, root);
        let report = crate::scan::parse_findings(&source.bytes)
            .map_err(|e| e.in_file(&source.name, "findings report"))?;
        inputs.push(source.input());
        out.push((source.name, report));
    }
    Ok(out)
}

/// Give a purl to findings that have none (SARIF), from the SBOM
/// component of the same name and version.
fn attach_purls(reports: &mut [(String, ScanReport)], sboms: &[ReadSbom]) {
    let mut by_name: HashMap<(String, String), &Purl> = HashMap::new();
    for s in sboms {
        for c in s.sbom.components.iter().chain(s.sbom.root.iter()) {
            if let (Some(p), Some(v)) = (&c.purl, c.effective_version()) {
                by_name
                    .entry((c.name.to_ascii_lowercase(), v.to_owned()))
                    .or_insert(p);
                by_name
                    .entry((p.display_name().to_ascii_lowercase(), v.to_owned()))
                    .or_insert(p);
            }
        }
    }
    for (_, report) in reports {
        for f in &mut report.findings {
            if f.purl.is_none()
                && let Some(v) = &f.version
                && let Some(p) = by_name.get(&(f.package.to_ascii_lowercase(), v.clone()))
            {
                f.purl = Some((*p).clone());
            }
        }
    }
}

/// The products this run judges: the configured purl, and each SBOM's
/// root component and serial number.
struct Products<'a> {
    configured: Option<Purl>,
    roots: Vec<&'a Component>,
    /// Normalised serial numbers (lower-case, no `urn:uuid:`) with versions.
    serials: Vec<(String, Option<u64>, &'a ReadSbom)>,
}

fn norm_serial(s: &str) -> String {
    s.trim()
        .trim_start_matches("urn:uuid:")
        .to_ascii_lowercase()
}

/// Whether a statement's purl names `target`: same package, same version
/// when the statement gives one, and every qualifier it gives equal.
fn purl_names(statement: &Purl, target: &Purl, need_version: bool) -> Result<(), String> {
    if statement.package_key() != target.package_key() {
        return Err(format!("{} is another package than {}", statement, target));
    }
    match (&statement.version, &target.version) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "version mismatch: the statement names {} at {a}, this SBOM has {b}",
                statement.display_name()
            ));
        }
        (None, _) if need_version => {
            return Err(format!(
                "{} names no version; a waiver must name exactly the version it covers",
                statement
            ));
        }
        _ => {}
    }
    let conflicts = statement.qualifier_conflicts(target);
    if !conflicts.is_empty() {
        let parts: Vec<String> = conflicts
            .iter()
            .map(|(k, ours, theirs)| match theirs {
                Some(t) => format!("{k}={ours} in the statement, {k}={t} in the SBOM"),
                None => format!("{k}={ours} in the statement, no {k} in the SBOM"),
            })
            .collect();
        return Err(format!(
            "purl qualifier mismatch for {}: {}",
            statement.versioned_key(),
            parts.join("; ")
        ));
    }
    Ok(())
}

impl Products<'_> {
    /// Whether `ident` is this product; `Err` says why not.
    fn matches(&self, ident: &Ident) -> Result<(), String> {
        if let Some((serial, version)) = &ident.bom_link {
            let candidates: Vec<&(String, Option<u64>, &ReadSbom)> = self
                .serials
                .iter()
                .filter(|(s, _, _)| s == serial)
                .collect();
            return match candidates.first() {
                None => Err(format!(
                    "wrong product: the BOM-Link points into the BOM urn:uuid:{serial}, this SBOM is {}",
                    if self.serials.is_empty() {
                        "without a serialNumber".to_owned()
                    } else {
                        self.serials
                            .iter()
                            .map(|(s, _, _)| format!("urn:uuid:{s}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )),
                Some((_, v, _)) => match (version, v) {
                    (Some(a), Some(b)) if a != b => Err(format!(
                        "wrong product version: the BOM-Link points into version {a} of BOM urn:uuid:{serial}, this SBOM is version {b}"
                    )),
                    _ => Ok(()),
                },
            };
        }
        let mut why = Vec::new();
        let targets: Vec<Purl> = self
            .configured
            .iter()
            .cloned()
            .chain(self.roots.iter().filter_map(|r| r.purl.clone()))
            .collect();
        if let Some(p) = &ident.purl {
            for t in &targets {
                if p.package_key() != t.package_key() {
                    continue;
                }
                match purl_names(p, t, false) {
                    Ok(()) => return Ok(()),
                    Err(e) => why.push(format!("wrong product version: {e}")),
                }
            }
        }
        for root in &self.roots {
            if let Some(name) = &ident.name
                && name.eq_ignore_ascii_case(&root.name)
            {
                match (&ident.version, root.effective_version()) {
                    (Some(a), Some(b)) if a != b => {
                        why.push(format!("wrong product version: the statement is for {name} {a}, this SBOM describes {name} {b}"));
                    }
                    _ => return Ok(()),
                }
            }
            if root.id.as_deref() == Some(ident.raw.as_str()) {
                return Ok(());
            }
        }
        if targets.is_empty() && self.roots.is_empty() {
            return Err(
                "the SBOM names no product (no metadata.component / described package) and vuln.product is not set, so no statement can be checked against the product"
                    .to_owned(),
            );
        }
        if why.is_empty() {
            let ours: Vec<String> = targets
                .iter()
                .map(ToString::to_string)
                .chain(
                    self.roots
                        .iter()
                        .filter(|r| r.purl.is_none())
                        .map(|r| r.label()),
                )
                .collect();
            why.push(format!(
                "wrong product: the statement is for {}, this SBOM describes {}",
                ident.label(),
                ours.join(", ")
            ));
        }
        Err(why.join("; "))
    }
}

/// An SBOM component, findable by key and by name.
struct ComponentIndex<'a> {
    by_key: HashMap<String, Vec<&'a Component>>,
    by_package: HashMap<String, Vec<&'a Component>>,
    by_ref: HashMap<(String, String), &'a Component>,
    by_name: HashMap<String, Vec<&'a Component>>,
}

impl<'a> ComponentIndex<'a> {
    fn new(sboms: &'a [ReadSbom]) -> ComponentIndex<'a> {
        let mut index = ComponentIndex {
            by_key: HashMap::new(),
            by_package: HashMap::new(),
            by_ref: HashMap::new(),
            by_name: HashMap::new(),
        };
        for s in sboms {
            let serial = s
                .sbom
                .serial
                .as_deref()
                .map(norm_serial)
                .unwrap_or_default();
            for c in s.sbom.components.iter().chain(s.sbom.root.iter()) {
                index.by_key.entry(c.versioned_key()).or_default().push(c);
                index.by_package.entry(c.package_key()).or_default().push(c);
                index
                    .by_name
                    .entry(c.name.to_ascii_lowercase())
                    .or_default()
                    .push(c);
                if let Some(r) = &c.id {
                    index.by_ref.insert((serial.clone(), r.clone()), c);
                }
            }
        }
        index
    }

    /// The SBOM component `ident` names, or why none.
    fn find(&self, ident: &Ident) -> Result<&'a Component, String> {
        if let Some((serial, _)) = &ident.bom_link {
            if let Some(c) = self.by_ref.get(&(serial.clone(), ident.raw.clone())) {
                return Ok(c);
            }
            return Err(format!(
                "the BOM-Link names bom-ref `{}`, which the SBOM does not have",
                ident.raw
            ));
        }
        if let Some(p) = &ident.purl {
            let mut why = Vec::new();
            if let Some(found) = self.by_key.get(&p.versioned_key()) {
                for c in found {
                    if let Some(cp) = &c.purl {
                        match purl_names(p, cp, true) {
                            Ok(()) => return Ok(c),
                            Err(e) => why.push(e),
                        }
                    }
                }
            }
            if why.is_empty() {
                if p.version.is_none() {
                    why.push(format!(
                        "{p} names no version; a waiver must name exactly the version it covers"
                    ));
                } else if let Some(others) = self.by_package.get(&p.package_key()) {
                    let versions: Vec<String> = others
                        .iter()
                        .filter_map(|c| c.effective_version().map(str::to_owned))
                        .collect();
                    why.push(format!(
                        "version mismatch: the statement names {} at {}, this SBOM has {} at {}",
                        p.display_name(),
                        p.version.as_deref().unwrap_or("?"),
                        p.display_name(),
                        versions.join(", ")
                    ));
                } else {
                    why.push(format!("the SBOM has no component {}", p.versioned_key()));
                }
            }
            return Err(why.join("; "));
        }
        if let Some(name) = &ident.name {
            let found = self
                .by_name
                .get(&name.to_ascii_lowercase())
                .cloned()
                .unwrap_or_default();
            if let Some(c) = found.iter().find(|c| {
                ident.version.is_none() || c.effective_version() == ident.version.as_deref()
            }) {
                return Ok(c);
            }
            return Err(format!("the SBOM has no component {}", ident.label()));
        }
        Err(format!(
            "`{}` is neither a purl nor a bom-ref of the SBOM",
            ident.raw
        ))
    }
}

/// When a statement stops waiving: the earlier of timestamp + TTL and its
/// explicit expiry; `None` when it has no timestamp.
pub fn expiry(statement: &Statement, ttl_days: u32) -> Option<DateTime<Utc>> {
    let by_ttl = statement
        .timestamp
        .map(|t| t + Duration::days(i64::from(ttl_days)));
    match (by_ttl, statement.expires) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (Some(a), None) => Some(a),
        (None, _) => None,
    }
}

struct ReadVex {
    name: String,
    doc: VexDocument,
    signature: SignatureCheck,
}

/// A statement that applies to a finding.
struct Applicable<'a> {
    vex: usize,
    statement: &'a Statement,
}

/// The verdict: `vuln-risk` and `input-missing` always deny, `vuln-existing`
/// and `vex-waiver` never do, every other rule denies at `fail_on`. Only
/// `info` findings (or none) allow; anything else warns.
pub fn verdict(findings: &[Finding], fail_on: Severity) -> Verdict {
    let blocking = findings
        .iter()
        .any(|f| match rules::rule(&f.rule_id).map(|r| r.weight) {
            Some(Weight::Blocks) => true,
            Some(Weight::Reports) => false,
            _ => f.severity >= fail_on,
        });
    if blocking {
        Verdict::Deny
    } else if findings.iter().any(|f| f.severity > Severity::Info) {
        Verdict::Warn
    } else {
        Verdict::Allow
    }
}

/// The settings of a run: signers resolved (key paths relative to `root`)
/// and validated, the Sigstore trust for VEX bundles.
pub fn settings(
    config: VulnConfig,
    root: &Path,
    now: DateTime<Utc>,
    fail_on: Severity,
) -> Result<CheckSettings, Failure> {
    let mut signers = Vec::new();
    for (i, s) in config.vex_signers.iter().enumerate() {
        let key = format!("vuln.vex_signers[{i}]");
        match (&s.key, &s.identity, &s.identity_regexp) {
            (Some(path), None, None) => signers.push(Signer::key(root.join(path), path.clone())?),
            (None, Some(id), None) | (None, None, Some(id)) => {
                let issuer = s.issuer.clone().ok_or_else(|| {
                    Failure::usage(format!(
                        "{key}: an identity needs `issuer` (GitHub Actions: https://token.actions.githubusercontent.com)"
                    ))
                })?;
                let identity = if s.identity.is_some() {
                    ci_intel_attest::IdentityPolicy::Exact(id.clone())
                } else {
                    ci_intel_attest::IdentityPolicy::regex(id).map_err(|e| {
                        Failure::usage(format!("{key}.identity_regexp: {}", e.message))
                    })?
                };
                signers.push(Signer::Identity { identity, issuer });
            }
            _ => {
                return Err(Failure::usage(format!(
                    "{key}: give exactly one of `key`, `identity` or `identity_regexp`"
                )));
            }
        }
    }
    for (name, value) in [
        ("block_at", config.block_at),
        ("unscored_risk", config.unscored_risk),
    ] {
        if !(0.0..=10.0).contains(&value) {
            return Err(Failure::usage(format!(
                "vuln.{name} is {value}; risk is between 0 and 10"
            )));
        }
    }
    let trust = match &config.vex_trusted_root {
        Some(file) => TrustSelection::File(root.join(file)),
        None => TrustSelection::Embedded(match config.vex_instance {
            ci_intel_attest::config::SigstoreInstance::PublicGood => {
                ci_intel_attest::Instance::PublicGood
            }
            ci_intel_attest::config::SigstoreInstance::Github => ci_intel_attest::Instance::Github,
        }),
    };
    Ok(CheckSettings {
        config,
        now,
        fail_on,
        signers,
        trust,
    })
}

/// Run the whole check.
pub fn evaluate(inputs: &CheckInputs, settings: &CheckSettings) -> Result<Evaluation, Failure> {
    let config = &settings.config;
    let root = inputs.root.as_deref();
    let mut input_files = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut notes = Vec::new();

    // SBOMs: quality and licences.
    let sboms = read_sboms(&inputs.sboms, root, &mut input_files)?;
    let base_sboms = read_sboms(&inputs.base_sboms, root, &mut input_files)?;
    let mut subjects = Vec::new();
    for s in &sboms {
        if let Some(i) = input_files.iter().find(|i| i.path == s.name) {
            subjects.push(i.clone());
        }
        sbom_quality(s, &mut findings);
    }
    let base_licenses: HashSet<(String, String)> = base_sboms
        .iter()
        .flat_map(|s| s.sbom.components.iter())
        .map(|c| {
            (
                c.versioned_key(),
                crate::license::judge(c, &config.licenses).expression,
            )
        })
        .collect();
    let licenses_on = config.licenses.allow.is_some() || !config.licenses.deny.is_empty();
    let mut licenses = Vec::new();
    for s in &sboms {
        for c in &s.sbom.components {
            let verdict = crate::license::judge(c, &config.licenses);
            if licenses_on {
                let existing =
                    base_licenses.contains(&(c.versioned_key(), verdict.expression.clone()));
                license_finding(s, c, &verdict, existing, &mut findings);
            }
            licenses.push(LicenseRecord {
                sbom: s.name.clone(),
                component: c.label(),
                verdict,
            });
        }
    }

    // Findings, merged across scanners.
    let mut reports = read_reports(&inputs.findings, root, &mut input_files)?;
    attach_purls(&mut reports, &sboms);
    let vulns = crate::scan::merge(&reports);
    let mut base_reports = read_reports(&inputs.base_findings, root, &mut input_files)?;
    attach_purls(&mut base_reports, &base_sboms);
    let base: HashSet<(String, String)> = crate::scan::merge(&base_reports)
        .iter()
        .flat_map(|v| {
            v.ids()
                .map(|id| (id.to_owned(), v.package_key.clone()))
                .collect::<Vec<_>>()
        })
        .collect();

    // Feeds.
    let kev = match &inputs.kev {
        None => None,
        Some(path) => {
            let mut source = Source::read(path, "KEV catalog")?;
            source.name = display(path, root);
            let kev = crate::feeds::kev::parse_kev(&source.bytes)
                .map_err(|e| e.in_feed(&source.name, "KEV catalog"))?;
            let released = kev.released.ok_or_else(|| {
                Failure::infra(format!(
                    "KEV catalog {}: it has no `dateReleased`, so its age cannot be judged; use the catalog as CISA publishes it",
                    source.name
                ))
            })?;
            crate::feeds::check_age(
                "KEV catalog",
                &source.name,
                released,
                settings.now,
                config.max_feed_age_days,
            )?;
            if let Some(count) = kev.count_mismatch {
                notes.push(format!(
                    "KEV catalog {}: the header says count {count} but it holds {} entries; the entries are used",
                    source.name,
                    kev.len()
                ));
            }
            input_files.push(source.input());
            Some(kev)
        }
    };
    let epss = match &inputs.epss {
        None => None,
        Some(path) => {
            let mut source = Source::read(path, "EPSS scores")?;
            source.name = display(path, root);
            let wanted: HashSet<String> = vulns
                .iter()
                .flat_map(|v| v.ids().map(str::to_owned).collect::<Vec<_>>())
                .collect();
            let epss = crate::feeds::epss::parse_epss(&source.bytes, Some(&wanted))
                .map_err(|e| e.in_feed(&source.name, "EPSS scores"))?;
            if let Some(date) = epss.score_date {
                crate::feeds::check_age(
                    "EPSS scores",
                    &source.name,
                    date,
                    settings.now,
                    config.max_feed_age_days,
                )?;
            }
            input_files.push(source.input());
            Some(epss)
        }
    };
    if kev.is_none() {
        notes.push("no KEV catalog given: no finding is known to be exploited (pass --kev or set vuln.kev)".to_owned());
    }
    if epss.is_none() {
        notes.push("no EPSS scores given: grype's own EPSS is used where present (pass --epss or set vuln.epss)".to_owned());
    }

    // VEX.
    let mut vex_docs = Vec::new();
    for path in &inputs.vex {
        let mut source = Source::read(path, "VEX document")?;
        source.name = display(path, root);
        let doc = crate::vex::parse_vex(&source.bytes)
            .map_err(|e| e.in_file(&source.name, "VEX document"))?;
        let signature =
            crate::vex::signature::check(&doc, path, &settings.signers, &settings.trust);
        input_files.push(source.input());
        if let Some(bundle) = crate::vex::signature::detached_bundle(path)
            && let Ok(bytes) = std::fs::read(&bundle)
        {
            input_files.push(Input {
                path: display(&bundle, root),
                sha256: ci_intel_core::canonical::sha256_hex(&bytes),
            });
        }
        vex_docs.push(ReadVex {
            name: source.name,
            doc,
            signature,
        });
    }

    // Without an SBOM, the packages of the findings stand for its components.
    let pseudo;
    let judged: &[ReadSbom] = if sboms.is_empty() {
        pseudo = vec![pseudo_sbom(&vulns)];
        &pseudo
    } else {
        &sboms
    };
    let decided = decide(
        judged,
        &vulns,
        kev.as_ref(),
        epss.as_ref(),
        &vex_docs,
        &base,
        settings,
        &mut findings,
    );
    let (records, vex_records) = decided;

    let verdict = verdict(&findings, settings.fail_on);
    let mut counts = BTreeMap::new();
    let components: usize = sboms.iter().map(|s| s.sbom.components.len()).sum();
    let count = |d: Decision| records.iter().filter(|r| r.decision == d).count() as u64;
    counts.insert("sboms".to_owned(), sboms.len() as u64);
    counts.insert("components".to_owned(), components as u64);
    counts.insert("vulnerabilities".to_owned(), records.len() as u64);
    counts.insert("blocking".to_owned(), count(Decision::Blocks));
    counts.insert("waived".to_owned(), count(Decision::Waived));
    counts.insert("existing".to_owned(), count(Decision::Existing));
    counts.insert(
        "below_threshold".to_owned(),
        count(Decision::BelowThreshold),
    );
    counts.insert("vex_documents".to_owned(), vex_docs.len() as u64);
    counts.insert(
        "vex_statements".to_owned(),
        vex_docs.iter().map(|d| d.doc.statements.len() as u64).sum(),
    );
    counts.insert(
        "kev_entries".to_owned(),
        kev.as_ref().map_or(0, |k| k.len() as u64),
    );
    counts.insert(
        "epss_rows".to_owned(),
        epss.as_ref().map_or(0, |e| e.rows as u64),
    );
    let checked = format!(
        "{} SBOM(s) with {components} component(s), {} vulnerabilit(y/ies) from {} report(s): {} at or above risk {} ({} blocking, {} waived by VEX, {} in the base), {} VEX document(s)",
        sboms.len(),
        records.len(),
        reports.len(),
        records
            .iter()
            .filter(|r| r.decision != Decision::BelowThreshold)
            .count(),
        fmt(config.block_at),
        count(Decision::Blocks),
        count(Decision::Waived),
        count(Decision::Existing),
        vex_docs.len()
    );
    input_files.sort();
    input_files.dedup();
    Ok(Evaluation {
        findings,
        verdict,
        inputs: input_files,
        subjects,
        vulnerabilities: records,
        vex: vex_records,
        licenses,
        counts,
        notes,
        checked,
    })
}

/// The packages of the findings as the components of an SBOM, when none
/// is given.
fn pseudo_sbom(vulns: &[Vulnerability]) -> ReadSbom {
    let mut seen = HashSet::new();
    let components = vulns
        .iter()
        .filter(|v| seen.insert(v.key.clone()))
        .map(|v| Component {
            name: v.package.clone(),
            version: v.version.clone(),
            purl: v.purl.clone(),
            bad_purl: None,
            id: None,
            licenses: Vec::new(),
            pointer: String::new(),
        })
        .collect();
    ReadSbom {
        name: "(the findings' packages)".to_owned(),
        sbom: Sbom {
            format: crate::sbom::SbomFormat::CycloneDx("none".to_owned()),
            serial: None,
            version: None,
            root: None,
            components,
            dependency_edges: None,
            schema_errors: Vec::new(),
            schema_error_total: 0,
        },
    }
}

fn sbom_quality(s: &ReadSbom, findings: &mut Vec<Finding>) {
    let sbom = &s.sbom;
    if !sbom.schema_errors.is_empty() {
        let first: Vec<String> = sbom
            .schema_errors
            .iter()
            .take(5)
            .map(|e| {
                if e.pointer.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.pointer, e.message)
                }
            })
            .collect();
        findings.push(
            finding(
                rules::sbom_invalid::RULE.id,
                rules::sbom_invalid::RULE.default_severity,
                format!(
                    "{} violates the {} schema ({} violation(s)): {}",
                    s.name,
                    sbom.format.label(),
                    sbom.schema_error_total,
                    first.join(" | ")
                ),
                &s.name,
                &s.name,
            )
            .with_fix("regenerate the SBOM with a conformant tool, or fix the fields named"),
        );
    }
    if sbom.components.is_empty() {
        findings.push(
            finding(
                rules::sbom_empty::RULE.id,
                rules::sbom_empty::RULE.default_severity,
                format!(
                    "{} ({}) lists no components: nothing in it can be checked",
                    s.name,
                    sbom.format.label()
                ),
                &s.name,
                &s.name,
            )
            .with_fix("point the SBOM generator at the build output"),
        );
        return;
    }
    let no_version: Vec<&Component> = sbom
        .components
        .iter()
        .filter(|c| c.effective_version().is_none())
        .collect();
    let no_purl: Vec<&Component> = sbom
        .components
        .iter()
        .filter(|c| c.purl.is_none())
        .collect();
    for (kind, list) in [("no version", &no_version), ("no valid purl", &no_purl)] {
        if list.is_empty() {
            continue;
        }
        let names: Vec<String> = list
            .iter()
            .take(5)
            .map(|c| match &c.bad_purl {
                Some((raw, why)) if kind == "no valid purl" => {
                    format!("{} at {} (purl {raw:?}: {why})", c.label(), c.pointer)
                }
                _ => format!(
                    "{} at {}",
                    if c.name.is_empty() {
                        "(unnamed)".to_owned()
                    } else {
                        c.label()
                    },
                    c.pointer
                ),
            })
            .collect();
        findings.push(
            finding(
                rules::sbom_incomplete::RULE.id,
                rules::sbom_incomplete::RULE.default_severity,
                format!(
                    "{}: {} of {} component(s) have {kind}: {}{}",
                    s.name,
                    list.len(),
                    sbom.components.len(),
                    names.join(", "),
                    if list.len() > 5 { ", …" } else { "" }
                ),
                &s.name,
                &format!("{}|{kind}", s.name),
            )
            .with_fix("generate the SBOM from lockfiles or installed package metadata, with purls"),
        );
    }
    if sbom.dependency_edges.is_none() && sbom.components.len() > 1 {
        findings.push(
            finding(
                rules::sbom_no_dependencies::RULE.id,
                rules::sbom_no_dependencies::RULE.default_severity,
                format!(
                    "{} ({}) has {} components but no dependency graph ({})",
                    s.name,
                    sbom.format.label(),
                    sbom.components.len(),
                    match sbom.format {
                        crate::sbom::SbomFormat::CycloneDx(_) => "no `dependencies` entries",
                        crate::sbom::SbomFormat::Spdx(_) => "no relationship besides DESCRIBES",
                    }
                ),
                &s.name,
                &s.name,
            )
            .with_fix("use an SBOM generator that records dependencies"),
        );
    }
}

fn license_finding(
    s: &ReadSbom,
    c: &Component,
    verdict: &LicenseVerdict,
    existing: bool,
    findings: &mut Vec<Finding>,
) {
    let (rule, message) = match &verdict.outcome {
        LicenseOutcome::Allowed => return,
        LicenseOutcome::Denied { licenses } => (
            &rules::license_denied::RULE,
            format!(
                "{} is licensed `{}`, which needs the denied licence(s) {}",
                c.label(),
                verdict.expression,
                licenses.join(", ")
            ),
        ),
        LicenseOutcome::NotAllowed { licenses } => (
            &rules::license_not_allowed::RULE,
            format!(
                "{} is licensed `{}`; {} not on the allowlist (vuln.licenses.allow)",
                c.label(),
                verdict.expression,
                if licenses.len() == 1 {
                    format!("{} is", licenses[0])
                } else {
                    format!("{} are", licenses.join(", "))
                }
            ),
        ),
        LicenseOutcome::Unknown { why } => (
            &rules::license_unknown::RULE,
            format!("{}: licence unknown: {why}", c.label()),
        ),
    };
    let (severity, message) = if existing {
        (
            Severity::Info,
            format!("{message} (already so in the base SBOM)"),
        )
    } else {
        (rule.default_severity, message)
    };
    findings.push(
        finding(rule.id, severity, format!("{message} [{}]", c.pointer), &s.name, &format!("{}|{}", c.versioned_key(), verdict.expression))
            .with_fix(match rule.id {
                "license-unknown" => "declare the SPDX licence identifier or expression in the SBOM",
                "license-denied" => "replace the component, or obtain it under another licence",
                _ => "have the licence reviewed and added to vuln.licenses.allow, or replace the component",
            }),
    );
}

#[allow(clippy::too_many_arguments)]
fn decide(
    sboms: &[ReadSbom],
    vulns: &[Vulnerability],
    kev: Option<&Kev>,
    epss: Option<&Epss>,
    vex_docs: &[ReadVex],
    base: &HashSet<(String, String)>,
    settings: &CheckSettings,
    findings: &mut Vec<Finding>,
) -> (Vec<VulnRecord>, Vec<VexRecord>) {
    let config = &settings.config;
    let configured_product = config.product.as_deref().and_then(|p| Purl::parse(p).ok());
    let products = Products {
        configured: configured_product,
        roots: sboms.iter().filter_map(|s| s.sbom.root.as_ref()).collect(),
        serials: sboms
            .iter()
            .filter_map(|s| {
                s.sbom
                    .serial
                    .as_deref()
                    .map(|x| (norm_serial(x), s.sbom.version, s))
            })
            .collect(),
    };
    let index = ComponentIndex::new(sboms);

    // Which vulnerabilities each (vulnerability id, package key) names.
    let mut by_id_key: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, v) in vulns.iter().enumerate() {
        for id in v.ids() {
            by_id_key.entry((id, v.key.as_str())).or_default().push(i);
        }
    }
    let risks: Vec<Risk> = vulns
        .iter()
        .map(|v| crate::risk::assess(v, kev, epss, config.unscored_risk))
        .collect();

    // Match every statement.
    let mut applicable: Vec<Vec<Applicable<'_>>> = (0..vulns.len()).map(|_| Vec::new()).collect();
    let mut vex_records = Vec::new();
    for (d, read) in vex_docs.iter().enumerate() {
        let signed = read.signature.verified;
        if !signed {
            let (severity, consequence) = if config.require_signed_vex {
                (
                    rules::vex_unsigned::RULE.default_severity,
                    "its statements waive nothing",
                )
            } else {
                (
                    Severity::Low,
                    "its statements are used because vuln.require_signed_vex is false",
                )
            };
            findings.push(
                finding(
                    rules::vex_unsigned::RULE.id,
                    severity,
                    format!(
                        "{} ({}, {} statement(s)) is not signed by a configured signer: {}; {consequence}",
                        read.name,
                        read.doc.format,
                        read.doc.statements.len(),
                        read.signature.detail
                    ),
                    &read.name,
                    &read.name,
                )
                .with_fix("sign it with a signer listed in vuln.vex_signers (cosign sign-blob --bundle FILE.sigstore.json FILE, or a DSSE envelope with a configured key)"),
            );
        }
        for statement in &read.doc.statements {
            let mut matched_any = false;
            let mut reasons: Vec<String> = Vec::new();
            let mut near_risky = false;
            for scope in &statement.scopes {
                let product_ok = products.matches(&scope.product);
                let component: Result<&Component, String> = match (&scope.component, &product_ok) {
                    (Some(c), Ok(())) => index.find(c),
                    (Some(_), Err(e)) => Err(e.clone()),
                    (None, Ok(())) => {
                        // The product itself: its root component.
                        products
                            .roots
                            .iter()
                            .find(|r| products.matches(&scope.product).is_ok() && (r.purl.is_some() || !r.name.is_empty()))
                            .copied()
                            .ok_or_else(|| "the statement is about the product as a whole and names no component".to_owned())
                    }
                    (None, Err(e)) => {
                        // A component named as the product?
                        match index.find(&scope.product) {
                            Ok(c) => Err(format!(
                                "it names the component {} as the product, without this product; scope it to the product with the component as a subcomponent",
                                c.label()
                            )),
                            Err(_) => Err(e.clone()),
                        }
                    }
                };
                let component = match component {
                    Ok(c) => c,
                    Err(e) => {
                        // A near miss on a package that has a risky finding
                        // of this vulnerability makes the miss high.
                        if let Some(c) = &scope.component
                            && let Some(p) = c.purl.as_ref()
                        {
                            near_risky |= vulns.iter().zip(&risks).any(|(v, r)| {
                                v.package_key == p.package_key()
                                    && statement.ids().any(|id| v.ids().any(|x| x == id))
                                    && r.value >= config.block_at
                            });
                        }
                        reasons.push(e);
                        continue;
                    }
                };
                let key = component.versioned_key();
                let mut hits: Vec<usize> = statement
                    .ids()
                    .flat_map(|id| {
                        by_id_key
                            .get(&(id, key.as_str()))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect();
                hits.sort_unstable();
                hits.dedup();
                if hits.is_empty() {
                    reasons.push(format!(
                        "no finding of {} on {}",
                        statement.vulnerability,
                        component.label()
                    ));
                    continue;
                }
                matched_any = true;
                for i in hits {
                    applicable[i].push(Applicable { vex: d, statement });
                }
            }
            if !matched_any {
                reasons.dedup();
                let shown: Vec<&String> = reasons.iter().take(3).collect();
                findings.push(
                    finding(
                        rules::vex_unmatched::RULE.id,
                        if near_risky { Severity::High } else { rules::vex_unmatched::RULE.default_severity },
                        format!(
                            "{} {}: the statement on {} ({}) applies to nothing here: {}{}",
                            read.name,
                            statement.pointer,
                            statement.vulnerability,
                            statement.status.as_str(),
                            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
                            if reasons.len() > 3 { "; …" } else { "" }
                        ),
                        &read.name,
                        &format!("{}|{}", statement.pointer, statement.vulnerability),
                    )
                    .with_fix("name this product and exactly the component's purl as the SBOM gives it, or remove the stale statement"),
                );
            }
        }
    }

    // Decide each vulnerability.
    let mut waived_statements: HashSet<(usize, String)> = HashSet::new();
    let mut records = Vec::with_capacity(vulns.len());
    for (i, v) in vulns.iter().enumerate() {
        let risk = risks[i].clone();
        let risky = risk.value >= config.block_at;
        let in_base = v
            .ids()
            .any(|id| base.contains(&(id.to_owned(), v.package_key.clone())));
        let mut decision = if risky {
            Decision::Blocks
        } else {
            Decision::BelowThreshold
        };
        let mut waived_by = None;
        let source = v
            .sources
            .first()
            .map(|s| s.split('#').next().unwrap_or(s).to_owned())
            .unwrap_or_default();
        if risky {
            // The current statement: the latest of the usable ones.
            let usable: Vec<&Applicable<'_>> = applicable[i]
                .iter()
                .filter(|a| vex_docs[a.vex].signature.verified || !config.require_signed_vex)
                .collect();
            let current = usable.iter().max_by_key(|a| a.statement.timestamp);
            if let Some(a) = current {
                let read = &vex_docs[a.vex];
                let st = a.statement;
                let waiving = matches!(st.status, Status::NotAffected | Status::Fixed);
                let justified = st.status != Status::NotAffected || st.justification.is_some();
                let until = expiry(st, config.vex_ttl_days);
                let fresh = until.is_some_and(|u| u > settings.now);
                if waiving && !justified {
                    findings.push(
                        finding(
                            rules::vex_unjustified::RULE.id,
                            rules::vex_unjustified::RULE.default_severity,
                            format!(
                                "{} {}: not_affected for {} without a justification; it waives nothing",
                                read.name,
                                st.pointer,
                                v.label()
                            ),
                            &read.name,
                            &format!("{}|{}", st.pointer, v.key),
                        )
                        .with_fix("add the justification (vulnerable_code_not_present, vulnerable_code_not_in_execute_path, ...) and re-sign"),
                    );
                } else if waiving && !fresh {
                    let when = match until {
                        Some(u) => format!("expired on {}", u.format("%Y-%m-%d")),
                        None => "has no timestamp, so its age cannot be known".to_owned(),
                    };
                    findings.push(
                        finding(
                            rules::vex_expired::RULE.id,
                            rules::vex_expired::RULE.default_severity,
                            format!(
                                "{} {}: the statement {} for {} {when} (timestamp {} + vuln.vex_ttl_days {}{}); it waives nothing",
                                read.name,
                                st.pointer,
                                st.status.as_str(),
                                v.label(),
                                st.timestamp.map_or("none".to_owned(), |t| t.to_rfc3339()),
                                config.vex_ttl_days,
                                st.expires.map_or(String::new(), |e| format!(", {} {}", crate::vex::EXPIRES, e.to_rfc3339()))
                            ),
                            &read.name,
                            &format!("{}|{}", st.pointer, v.key),
                        )
                        .with_fix("review the statement, update its timestamp and re-sign the document"),
                    );
                } else if waiving {
                    decision = Decision::Waived;
                    let by = format!("{}#{}", read.name, st.pointer);
                    waived_statements.insert((a.vex, st.pointer.clone()));
                    findings.push(finding(
                        rules::vex_waiver::RULE.id,
                        rules::vex_waiver::RULE.default_severity,
                        format!(
                            "{} ({}) waived by {by}: {}{}, {}, valid until {}",
                            v.label(),
                            risk.explain(),
                            st.status.as_str(),
                            st.justification
                                .as_deref()
                                .map(|j| format!(" ({j})"))
                                .unwrap_or_default(),
                            match &read.signature.signer {
                                Some(s) => format!("signed by {s}"),
                                None => "UNSIGNED (vuln.require_signed_vex is false)".to_owned(),
                            },
                            until.map_or("?".to_owned(), |u| u.format("%Y-%m-%d").to_string())
                        ),
                        &source,
                        &format!("{}|{}", v.id, v.key),
                    ));
                    waived_by = Some(by);
                }
            }
            if decision == Decision::Blocks && in_base && !config.deny_existing {
                decision = Decision::Existing;
            }
            let parts = risk.explain();
            let fix = if v.fixed_in.is_empty() {
                "no fixed version is known: remove or replace the package, or publish a signed VEX statement if the product is not affected".to_owned()
            } else {
                format!(
                    "upgrade {} to {} (fixed), or publish a signed VEX statement if the product is not affected",
                    v.package,
                    v.fixed_in.join(" or ")
                )
            };
            let scanners: Vec<String> =
                v.scanners.iter().map(crate::scan::Scanner::label).collect();
            match decision {
                Decision::Blocks => findings.push(
                    finding(
                        rules::vuln_risk::RULE.id,
                        if risk.kev.is_some() { Severity::Critical } else { Severity::High },
                        format!(
                            "{}: {parts}; at or above vuln.block_at {}{}; reported by {}",
                            v.label(),
                            fmt(config.block_at),
                            if in_base { " (the base had it too; vuln.deny_existing is true)" } else { "" },
                            scanners.join(", ")
                        ),
                        &source,
                        &format!("{}|{}", v.id, v.key),
                    )
                    .with_fix(fix),
                ),
                Decision::Existing => findings.push(
                    finding(
                        rules::vuln_existing::RULE.id,
                        rules::vuln_existing::RULE.default_severity,
                        format!(
                            "{}: {parts}; at or above vuln.block_at {}, but the base already had it (vuln.deny_existing is false); reported by {}",
                            v.label(),
                            fmt(config.block_at),
                            scanners.join(", ")
                        ),
                        &source,
                        &format!("{}|{}", v.id, v.key),
                    )
                    .with_fix(fix),
                ),
                _ => {}
            }
        }
        records.push(VulnRecord {
            id: v.id.clone(),
            aliases: v.aliases.clone(),
            package: v.package.clone(),
            version: v.version.clone(),
            purl: v.purl.as_ref().map(|p| p.canonical().to_owned()),
            explanation: risk.explain(),
            risk,
            decision,
            waived_by,
            in_base,
            scanners: v.scanners.iter().map(crate::scan::Scanner::label).collect(),
            fixed_in: v.fixed_in.clone(),
            sources: v.sources.clone(),
        });
    }
    for (d, read) in vex_docs.iter().enumerate() {
        vex_records.push(VexRecord {
            file: read.name.clone(),
            format: read.doc.format,
            statements: read.doc.statements.len(),
            signature: read.signature.clone(),
            waived: waived_statements.iter().filter(|(v, _)| *v == d).count(),
        });
    }
    (records, vex_records)
}

//! gitleaks' own per-rule samples, run through our detectors.
//!
//! `../shared/corpus/conformance/gitleaks-rules/samples.json` holds, for
//! each of the 225 rules of gitleaks' default configuration, the strings its
//! tests expect the rule to find (`tps`) and to leave alone (`fps`). Each
//! string is scanned on its own, as a file would be (decoding included):
//!
//! - a true sample is *found* when any of our rules reports something in
//!   it, and *found by its rule* when one of the rules that name this
//!   gitleaks id in their documentation does;
//! - a false sample is *flagged* when any of our rules reports something.
//!
//! Recall is found / true samples; precision is found / (found + flagged).
//!
//! Some of gitleaks' true samples cannot be genuine credentials: gitleaks
//! generates random bodies for checksummed formats without the checksum,
//! draws characters its own (too wide) character class allows, and uses the
//! example values of the providers' documentation. The issue that set the
//! 0.95 recall target also requires that checksums are checked and that
//! placeholders are not secrets, so both cannot hold on these samples. The
//! test therefore reports recall twice: over every true sample, and over the
//! samples that could be genuine, after setting aside those that
//! [`cannot_be_genuine`] proves impossible by a check written here,
//! independently of the detectors (a CRC32 computed here, an alphabet, a
//! documented example value). The target applies to the second figure;
//! none of the set-aside samples may be reported (a report would be the
//! false alarm those requirements forbid).
//! The table in docs/secrets.md is generated from this run (refresh with
//! `UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance`), and
//! the test fails when the committed table is stale, when a gitleaks rule is
//! mapped to none of ours, or when the overall figures drop below their
//! floors. The samples are read from the corpus at test time: they contain
//! token-shaped strings, which this repository does not hold.
//!
//! `CONFORMANCE_MISSES=1` prints the samples that were missed or flagged
//! (public data from gitleaks' tests) to help work on a rule.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ci_intel_secrets::detect::Detector;
use serde::Deserialize;

/// The overall floors this test enforces: the figures reached today (recall
/// 5749/6115 = 0.9401, precision 5749/5780 = 0.9946), rounded down. Main
/// before the provider rules reached recall 0.677 and precision 0.989 on the
/// same samples. The issue's targets are recall 0.95 and precision 0.99:
/// recall over every true sample is below its target because 346 samples
/// cannot be genuine (see [`cannot_be_genuine`]); over the others it is
/// 5749/5769 = 0.9965, asserted against the target itself. (The floor was
/// 0.944 until Grafana's checksum was checked: its 27 samples carry wrong
/// checksums.)
const MIN_RECALL: f64 = 0.940;
const MIN_PRECISION: f64 = 0.994;
/// The issue's recall target, over the true samples that could be genuine.
const TARGET_GENUINE_RECALL: f64 = 0.95;

/// Base62 as GitHub and npm write their checksums: digits, then upper,
/// then lower case.
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// GitHub's `gh?_` tokens and npm's `npm_` tokens end in six base62
/// characters holding the CRC32 of the 30 random characters before them
/// (GitHub's "Behind GitHub's new authentication token formats", 2021).
fn checksum_fails(random: &str, checksum: &str) -> bool {
    let mut value = crc32fast::hash(random.as_bytes());
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    encoded != checksum.as_bytes()
}

/// Why a gitleaks true sample cannot be a genuine credential, if it cannot:
/// each reason is checked here on the sample itself, not by asking the
/// detectors.
fn cannot_be_genuine(gitleaks: &str, sample: &str) -> Option<&'static str> {
    static CHECKSUMMED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b(?:gh[pousr]|npm)_([A-Za-z0-9]{30})([A-Za-z0-9]{6})\b").unwrap()
    });
    static GRAFANA_SA: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b(glsa_[A-Za-z0-9]{32})_([0-9A-Fa-f]{8})\b").unwrap()
    });
    static SQUARE_SECRET: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"sq0csp-(\S{43})").unwrap());
    static AGE_KEY: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"AGE-SECRET-KEY-1([0-9A-Z]{58})").unwrap());
    let tokens: Vec<_> = CHECKSUMMED.captures_iter(sample).collect();
    if !tokens.is_empty() && tokens.iter().all(|t| checksum_fails(&t[1], &t[2])) {
        return Some("checksum");
    }
    // Grafana's service-account tokens end in the CRC32 of what precedes
    // the last `_`, its bytes low first, in hex (Grafana's `satokengen`).
    let grafana: Vec<_> = GRAFANA_SA.captures_iter(sample).collect();
    if !grafana.is_empty()
        && grafana.iter().all(|t| {
            let sum = crc32fast::hash(t[1].as_bytes()).to_le_bytes();
            let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
            !t[2].eq_ignore_ascii_case(&hex)
        })
    {
        return Some("checksum");
    }
    // Square's secrets are base64url; gitleaks' class `[0-9A-Za-z\\-_]`
    // reads `\\-_` as the range from `\` to `_`, which adds `\ ] ^`.
    if gitleaks == "square-secret"
        && SQUARE_SECRET.captures(sample).is_some_and(|c| {
            !c[1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    {
        return Some("alphabet");
    }
    // An age key of one repeated data character is the zero key.
    if AGE_KEY.captures(sample).is_some_and(|c| {
        let data = c[1].as_bytes();
        data[..52].iter().all(|&b| b == data[0])
    }) {
        return Some("placeholder");
    }
    // The issue's placeholders: values typed as templates (sequential
    // digits and letters in the shape of the token), the word EXAMPLE, and
    // Sidekiq's documented example credential.
    const TYPED: &[&str] = &[
        "12345678-ABCD-ABCD-ABCD-1234567890AB",
        "12345678ABCDEFH1234567890ABCDEFH12345678",
        "cafebabe:deadbeef",
        "EXAMPLE",
    ];
    if TYPED.iter().any(|typed| sample.contains(typed)) {
        return Some("placeholder");
    }
    None
}

#[derive(Deserialize)]
struct Samples {
    source: String,
    rules: BTreeMap<String, RuleSamples>,
}

#[derive(Deserialize)]
struct RuleSamples {
    #[serde(default)]
    tps: Vec<String>,
    #[serde(default)]
    fps: Vec<String>,
}

#[derive(Default, Clone)]
struct Tally {
    true_samples: usize,
    found: usize,
    found_by_rule: usize,
    false_samples: usize,
    flagged: usize,
    /// True samples [`cannot_be_genuine`] set aside, by reason.
    impossible: BTreeMap<&'static str, usize>,
    /// Of the true samples that could be genuine: how many, how many found.
    genuine: usize,
    genuine_found: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.true_samples += other.true_samples;
        self.found += other.found;
        self.found_by_rule += other.found_by_rule;
        self.false_samples += other.false_samples;
        self.flagged += other.flagged;
        for (reason, count) in &other.impossible {
            *self.impossible.entry(reason).or_default() += count;
        }
        self.genuine += other.genuine;
        self.genuine_found += other.genuine_found;
    }

    fn genuine_recall(&self) -> Option<f64> {
        (self.genuine > 0).then(|| self.genuine_found as f64 / self.genuine as f64)
    }

    fn impossible_total(&self) -> usize {
        self.impossible.values().sum()
    }

    fn recall(&self) -> Option<f64> {
        (self.true_samples > 0).then(|| self.found as f64 / self.true_samples as f64)
    }

    fn precision(&self) -> Option<f64> {
        let reported = self.found + self.flagged;
        (reported > 0).then(|| self.found as f64 / reported as f64)
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn ratio(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{part}/{whole}")
    }
}

#[test]
fn gitleaks_samples_recall_and_precision_per_rule() {
    let Some(path) = ci_intel_testkit::corpus("conformance/gitleaks-rules/samples.json") else {
        return;
    };
    let samples: Samples = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let detector = Detector::builtin();
    let mut ours: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for info in detector.rules() {
        for id in info.gitleaks {
            ours.entry(id).or_default().push(info.id);
        }
    }
    // Path rules (a file, not a value) are documented but not run here.
    ours.entry("pkcs12-file")
        .or_default()
        .push("(path rule, not run)");
    let verbose = std::env::var_os("CONFORMANCE_MISSES").is_some();
    let mut rows = Vec::new();
    let mut total = Tally::default();
    let mut unmapped = Vec::new();
    let mut reported_impossible = Vec::new();
    for (gitleaks, rule) in &samples.rules {
        let mapped = ours.get(gitleaks.as_str()).cloned().unwrap_or_default();
        if mapped.is_empty() {
            unmapped.push(gitleaks.clone());
        }
        let mut tally = Tally {
            true_samples: rule.tps.len(),
            false_samples: rule.fps.len(),
            ..Tally::default()
        };
        for sample in &rule.tps {
            let hits = detector.find(sample);
            if !hits.is_empty() {
                tally.found += 1;
            }
            match cannot_be_genuine(gitleaks, sample) {
                Some(reason) => {
                    *tally.impossible.entry(reason).or_default() += 1;
                    if !hits.is_empty() {
                        reported_impossible.push(format!("{gitleaks} ({reason}): {sample:?}"));
                    }
                }
                None => {
                    tally.genuine += 1;
                    tally.genuine_found += usize::from(!hits.is_empty());
                }
            }
            if hits.iter().any(|h| mapped.contains(&h.rule)) {
                tally.found_by_rule += 1;
            } else if verbose {
                let by: Vec<&str> = hits.iter().map(|h| h.rule).collect();
                let impossible = cannot_be_genuine(gitleaks, sample).unwrap_or("could be genuine");
                println!("MISS {gitleaks} (found by {by:?}; {impossible}): {sample:?}");
            }
        }
        for sample in &rule.fps {
            let hits = detector.find(sample);
            if !hits.is_empty() {
                tally.flagged += 1;
                if verbose {
                    let by: Vec<&str> = hits.iter().map(|h| h.rule).collect();
                    println!("FLAGGED {gitleaks} by {by:?}: {sample:?}");
                }
            }
        }
        total.add(&tally);
        rows.push((gitleaks.clone(), mapped, tally));
    }
    let mut table = format!(
        "\nSamples: `{}`; {} gitleaks rules, {} true and {} false samples.\n\n\
         **Overall: recall {} ({} of {} true samples found, {} by the mapped rule), precision {} ({} of {} false samples flagged).**\n\n\
         **Over the true samples that could be genuine: recall {} ({} of {} found)**; {} set aside as impossible ({}).\n\n\
         | gitleaks rule | our rule(s) | found | by its rule | recall | impossible | genuine recall | flagged | precision |\n|---|---|---|---|---|---|---|---|---|\n",
        samples.source,
        samples.rules.len(),
        total.true_samples,
        total.false_samples,
        figure(total.recall()),
        total.found,
        total.true_samples,
        total.found_by_rule,
        figure(total.precision()),
        total.flagged,
        total.false_samples,
        figure(total.genuine_recall()),
        total.genuine_found,
        total.genuine,
        total.impossible_total(),
        total
            .impossible
            .iter()
            .map(|(reason, count)| format!("{reason} {count}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for (gitleaks, mapped, tally) in &rows {
        let names: Vec<String> = mapped
            .iter()
            .map(|m| {
                if m.starts_with('(') {
                    (*m).to_owned()
                } else {
                    format!("[`{m}`](#{m})")
                }
            })
            .collect();
        table.push_str(&format!(
            "| `{gitleaks}` | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            names.join(", "),
            ratio(tally.found, tally.true_samples),
            ratio(tally.found_by_rule, tally.true_samples),
            figure(tally.recall()),
            if tally.impossible_total() == 0 {
                "—".to_owned()
            } else {
                tally.impossible_total().to_string()
            },
            figure(tally.genuine_recall()),
            ratio(tally.flagged, tally.false_samples),
            figure(tally.precision()),
        ));
    }
    println!("{table}");
    assert!(
        unmapped.is_empty(),
        "gitleaks rules no rule of ours names in its documentation: {unmapped:?}"
    );

    ci_intel_testkit::generated_section(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/secrets.md"),
        "<!-- conformance:begin (generated by UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance) -->",
        "<!-- conformance:end -->",
        &table,
        "UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test conformance",
    );
    assert!(
        reported_impossible.is_empty(),
        "samples that cannot be genuine (a wrong checksum, characters outside the format, a documented example) are reported: {reported_impossible:#?}"
    );
    let genuine_recall = total.genuine_recall().unwrap_or(0.0);
    assert!(
        genuine_recall >= TARGET_GENUINE_RECALL,
        "recall over the samples that could be genuine is {genuine_recall:.3}, below the {TARGET_GENUINE_RECALL} target"
    );
    let recall = total.recall().unwrap_or(0.0);
    let precision = total.precision().unwrap_or(0.0);
    assert!(
        recall >= MIN_RECALL && precision >= MIN_PRECISION,
        "overall recall {recall:.3} (floor {MIN_RECALL}), precision {precision:.3} (floor {MIN_PRECISION})"
    );
}

/// The checksum check above is independent of the detectors, so it is
/// checked against them: a token built here with the checksum computed here
/// is found, and the same token with its checksum changed is neither found
/// nor accepted here. Without this, a wrong CRC32 or base62 order here would
/// set aside every GitHub and npm sample as impossible, silently.
#[test]
fn the_checksum_check_agrees_with_the_detectors() {
    let detector = Detector::builtin();
    // A fixed-seed xorshift: random-looking bodies, generated at run time
    // so that this repository holds no token-shaped string.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for prefix in ["ghp", "gho", "ghu", "ghr", "npm"] {
        let random: String = (0..30)
            .map(|_| char::from(BASE62[(next() % 62) as usize]))
            .collect();
        let mut value = crc32fast::hash(random.as_bytes());
        let mut checksum = [b'0'; 6];
        for slot in checksum.iter_mut().rev() {
            *slot = BASE62[(value % 62) as usize];
            value /= 62;
        }
        let checksum = String::from_utf8(checksum.to_vec()).unwrap();
        let token = format!("{prefix}_{random}{checksum}");
        assert!(!checksum_fails(&random, &checksum), "{prefix}");
        assert!(cannot_be_genuine("github-pat", &format!("token = \"{token}\"")).is_none());
        assert!(
            !detector.find(&format!("token = \"{token}\"")).is_empty(),
            "{prefix}: a token with the checksum computed here is not found"
        );
        let wrong = format!(
            "{}{}",
            &checksum[..5],
            if checksum.ends_with('0') { '1' } else { '0' }
        );
        let forged = format!("{prefix}_{random}{wrong}");
        assert!(checksum_fails(&random, &wrong), "{prefix}");
        assert_eq!(
            cannot_be_genuine("github-pat", &format!("token = \"{forged}\"")),
            Some("checksum")
        );
        assert!(
            detector.find(&format!("token = \"{forged}\"")).is_empty(),
            "{prefix}: a token with a wrong checksum is found"
        );
    }
}

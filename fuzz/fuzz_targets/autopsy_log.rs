//! ci-intel-autopsy's CI log scanner (`Scanner::scan_slice` with the
//! built-in rules, what `analyse` runs) and its JUnit cause reader
//! (`junit::parse`), with a secret planted in the input. The first two
//! bytes say where the secret goes; the redactor knows it as the value of
//! an `--env-name` variable. Invariants: no rendering of the analysis (its
//! `Debug`, which holds every excerpt, cause and context line) contains the
//! planted secret; the counts are consistent with the input.
#![no_main]

use std::sync::OnceLock;

use ci_intel_autopsy::redact::Redactor;
use ci_intel_autopsy::scan::{ScanOptions, Scanner};
use ci_intel_fuzz::assert_no_secret;
use ci_intel_secrets::redact::masker::Literal;
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"pl4nted-Secret-VALUE-7d1e90";

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        Redactor::new(vec![Literal {
            name: "FUZZ_PLANTED".to_owned(),
            value: SECRET.to_vec(),
        }])
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (at, rest) = data.split_at(2);
    let at = usize::from(u16::from_le_bytes([at[0], at[1]])) % (rest.len() + 1);
    let mut log = rest[..at].to_vec();
    log.extend_from_slice(SECRET);
    log.extend_from_slice(&rest[at..]);

    let Some((set, _)) = ci_intel_autopsy::defaults() else {
        panic!("the built-in rules do not compile");
    };
    let opts = ScanOptions::default();
    let analysis = Scanner::new(set, redactor(), &opts).scan_slice(&log);
    assert_eq!(analysis.bytes, log.len() as u64);
    assert!(analysis.lines <= log.iter().filter(|b| **b == b'\n').count() as u64 + 1);
    assert_no_secret(format!("{analysis:?}").as_bytes(), SECRET, "log analysis");

    if let Ok(causes) = ci_intel_autopsy::junit::parse(&log, "fuzz.xml", redactor()) {
        assert_no_secret(format!("{causes:?}").as_bytes(), SECRET, "JUnit causes");
    }
});

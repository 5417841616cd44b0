//! `ci_intel_vuln::feeds::epss::parse_epss`: FIRST's EPSS CSV.
//! Invariants: determinism of the row count and date; reading with a
//! `wanted` set keeps exactly the wanted CVEs' scores of the full read;
//! every score is a probability.
#![no_main]

use std::collections::HashSet;

use ci_intel_vuln::feeds::epss::{parse_epss, parse_epss_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let all = parse_epss_all(data);
    let text = String::from_utf8_lossy(data);
    let cves: Vec<String> = text
        .lines()
        .filter_map(|l| l.split(',').next())
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let wanted: HashSet<String> = cves.iter().step_by(2).cloned().collect();
    let some = parse_epss(data, Some(&wanted));
    match (&all, &some) {
        (Ok(all), Ok(some)) => {
            assert_eq!(all.rows, some.rows);
            assert_eq!(all.score_date, some.score_date);
            for cve in &cves {
                let full = all.get(cve);
                if let Some(s) = full {
                    assert!((0.0..=1.0).contains(&s.epss), "{cve}: epss {}", s.epss);
                    assert!(
                        (0.0..=1.0).contains(&s.percentile),
                        "{cve}: percentile {}",
                        s.percentile
                    );
                }
                if wanted.contains(cve) {
                    assert_eq!(full, some.get(cve), "{cve}: a wanted score differs");
                } else {
                    assert_eq!(some.get(cve), None, "{cve}: an unwanted score was kept");
                }
            }
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("filtering changed the outcome: {a:?} / {b:?}"),
    }
});

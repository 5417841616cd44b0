//! The small parsers of ci-intel-vuln every document feeds: package URLs,
//! SPDX licence expressions, ecosystem version order. The input is split
//! at the first newline into two strings `a` and `b`. Invariants: a parsed
//! purl re-reads from its canonical form to itself; a licence expression
//! that parses parses again from its own rendering; version comparison is
//! reflexive and antisymmetric in every ecosystem.
#![no_main]

use std::cmp::Ordering;

use ci_intel_fuzz::split_at_byte;
use ci_intel_vuln::purl::Purl;
use libfuzzer_sys::fuzz_target;

const ECOSYSTEMS: [Option<&str>; 6] = [
    None,
    Some("npm"),
    Some("cargo"),
    Some("deb"),
    Some("rpm"),
    Some("pypi"),
];

fuzz_target!(|data: &[u8]| {
    let (a, b) = split_at_byte(data, b'\n');
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return;
    };
    if let Ok(p) = Purl::parse(a) {
        let again = Purl::parse(p.canonical());
        assert_eq!(
            again.as_ref(),
            Ok(&p),
            "purl canonical form {:?}",
            p.canonical()
        );
        let _ = (p.display_name(), p.package_key(), p.versioned_key());
        if let Ok(q) = Purl::parse(b) {
            let _ = p.qualifier_conflicts(&q);
        }
    }
    if let Ok(e) = ci_intel_vuln::license::parse(a) {
        let rendered = e.to_string();
        assert!(
            ci_intel_vuln::license::parse(&rendered).is_ok(),
            "licence expression {a:?} renders as {rendered:?}, which does not parse"
        );
    }
    for ty in ECOSYSTEMS {
        let ab = ci_intel_vuln::version::compare(ty, a, b);
        let ba = ci_intel_vuln::version::compare(ty, b, a);
        assert_eq!(
            ab,
            ba.reverse(),
            "{ty:?}: compare({a:?}, {b:?}) is not antisymmetric"
        );
        assert_eq!(
            ci_intel_vuln::version::compare(ty, a, a),
            Ordering::Equal,
            "{ty:?}: compare({a:?}, itself) is not Equal"
        );
    }
});

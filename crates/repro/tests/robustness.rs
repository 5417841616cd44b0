#![allow(clippy::unwrap_used)]
//! The format readers take bytes from builds nobody reviewed: they must
//! never panic, whatever the input (archives that lie about sizes,
//! truncated ELF files, gzip headers cut short).

use ci_intel_repro::formats::{explain, gzip_header};
use ci_intel_repro::variations::parse_spec;
use proptest::prelude::*;

fn seeded(prefix: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..1500).prop_map(move |mut tail| {
        let mut bytes = prefix.to_vec();
        bytes.append(&mut tail);
        bytes
    })
}

fn any_format() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        seeded(b"\x7fELF\x02\x01\x01\x00"),
        seeded(b"!<arch>\n"),
        seeded(b"PK\x03\x04"),
        seeded(b"\x1f\x8b\x08\x08"),
        seeded(b""),
        proptest::collection::vec(32u8..127, 0..600),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn explain_never_panics(a in any_format(), b in any_format()) {
        let e = explain("x", &a, &b);
        prop_assert_eq!(a == b, e.details.is_empty());
    }

    #[test]
    fn one_flipped_byte_is_explained(a in any_format(), index in any::<prop::sample::Index>()) {
        prop_assume!(!a.is_empty());
        let mut b = a.clone();
        let at = index.index(b.len());
        b[at] ^= 0x40;
        let e = explain("x", &a, &b);
        prop_assert!(!e.details.is_empty());
    }

    #[test]
    fn gzip_headers_never_panic(bytes in seeded(b"\x1f\x8b")) {
        let _ = gzip_header(&bytes);
    }

    #[test]
    fn variation_specs_never_panic(spec in "[+-]?[a-z_]{0,12}(,[+-]?[a-z_]{0,12}){0,4}") {
        let _ = parse_spec(&spec);
    }
}

#[test]
fn variation_specs_follow_reprotest() {
    let names = |spec: &str| -> Vec<&'static str> {
        parse_spec(spec)
            .unwrap()
            .into_iter()
            .map(|v| v.name())
            .collect()
    };
    assert_eq!(names("build_path,umask"), ["build_path", "umask"]);
    assert!(names("+all").contains(&"umask"));
    assert!(!names("-time").contains(&"time"));
    assert!(names("-all").is_empty());
    assert_eq!(names("none,+fileordering"), ["file_order"]);
    assert!(
        parse_spec("+kernel")
            .unwrap_err()
            .message
            .contains("unknown variation `kernel`")
    );
}

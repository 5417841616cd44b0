//! No parser of untrusted input panics: allowlist entries, CIDRs, smoke
//! targets, resolv.conf, event logs, DNS messages and packet headers.
//! Each is a plain function a fuzz target can call.

use proptest::prelude::*;

use ci_intel_egress::allowlist::{NamePattern, parse_cidr};
use ci_intel_egress::{events, packet, resolv_conf, targets};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn text_parsers_never_panic(text in "\\PC{0,80}") {
        let _ = NamePattern::parse(&text);
        let _ = parse_cidr(&text);
        let _ = targets::parse_target(&text);
        let _ = ci_intel_egress::effective::parse_interface(&text);
        let _ = resolv_conf::parse(&text);
        let _ = events::parse_log(&text);
    }

    #[test]
    fn name_like_text_round_trips(label in "[a-z0-9*._-]{1,20}", tld in "[a-z]{2,6}") {
        let entry = format!("{label}.{tld}");
        if let Ok(pattern) = NamePattern::parse(&entry) {
            let again = NamePattern::parse(&pattern.as_config()).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(again, pattern);
        }
    }

    #[test]
    fn packet_headers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = packet::parse_ip(&bytes);
    }

    #[test]
    fn proc_net_tables_never_panic(text in "[0-9A-Fa-f: \\n]{0,200}", port in any::<u16>()) {
        let _ = packet::socket_inode(&text, "10.0.0.1".parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0])), port);
    }
}

#[cfg(feature = "net")]
mod dns {
    use super::*;
    use ci_intel_egress::allowlist::Allowlist;
    use ci_intel_egress::config::Mode;
    use ci_intel_egress::dns;
    use hickory_proto::op::ResponseCode;
    use hickory_proto::rr::RecordType;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn dns_handling_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(question) = dns::parse_query(&bytes) {
                let _ = dns::decide(&question, &Allowlist::default(), Mode::Block);
                let _ = dns::parse_response(&question, 1, &bytes);
            }
            let _ = dns::error_response(&bytes, ResponseCode::Refused);
            let _ = dns::response_code(&bytes);
            let _ = dns::with_id(&bytes, 7);
        }

        #[test]
        fn mutated_queries_never_panic(flip in 0usize..64, value in any::<u8>(), name in "[a-z]{1,10}\\.[a-z]{2,4}") {
            let mut bytes = dns::build_query(&format!("{name}."), RecordType::A, 42).unwrap_or_default();
            if !bytes.is_empty() {
                let at = flip % bytes.len();
                bytes[at] = value;
            }
            if let Ok(question) = dns::parse_query(&bytes) {
                let _ = dns::parse_response(&question, 42, &bytes);
            }
            let _ = dns::error_response(&bytes, ResponseCode::Refused);
        }
    }
}

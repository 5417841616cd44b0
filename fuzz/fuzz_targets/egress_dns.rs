//! The egress resolver's binary inputs (ci-intel-egress, `net` feature),
//! by the first byte:
//!
//! - 0: a client's query: `dns::parse_query`, `dns::decide`,
//!   `dns::error_response`. A question is forwarded only when the
//!   allowlist allows its name and it is no zone transfer or `ANY`, never
//!   refused in audit mode; a query rebuilt from the question reads back
//!   to it; the refusal of any message with a header is a response with
//!   the query's ID and code REFUSED and no address.
//! - 1: an upstream response: `dns::parse_response` (to the question the
//!   response repeats), `dns::response_code`. Every address taken is an
//!   A/AAAA record of the response; rewriting the message ID
//!   (`dns::with_id`) changes nothing else.
//! - 2: a logged packet: `packet::parse_ip`.
#![no_main]

use std::sync::OnceLock;

use ci_intel_egress::allowlist::{Allowlist, NamePattern};
use ci_intel_egress::config::Mode;
use ci_intel_egress::dns::{
    Verdict, build_query, decide, error_response, parse_query, parse_response, response_code,
    with_id,
};
use ci_intel_egress::packet::parse_ip;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use libfuzzer_sys::fuzz_target;

fn allowlist() -> &'static Allowlist {
    static LIST: OnceLock<Allowlist> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list = Allowlist::default();
        for entry in [
            "api.github.com",
            "*.actions.githubusercontent.com",
            "example.org",
        ] {
            list.push_name(NamePattern::parse(entry).expect("a valid pattern"));
        }
        list
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => query(rest),
        1 => response(rest),
        _ => packet(rest),
    }
});

fn query(bytes: &[u8]) {
    let parsed = parse_query(bytes);
    assert_eq!(
        parsed,
        parse_query(bytes),
        "the same query read twice differs"
    );
    if let Ok(question) = &parsed {
        assert!(!question.name.is_empty());
        // No trailing separator: a final `.` is the root or an escaped dot
        // inside the last label (`\.`, a label may hold any byte).
        let escapes = question.name[..question.name.len() - 1]
            .bytes()
            .rev()
            .take_while(|b| *b == b'\\')
            .count();
        assert!(
            question.name == "." || !question.name.ends_with('.') || escapes % 2 == 1,
            "the question {:?} ends with a dot",
            question.name
        );
        assert_eq!(question.name, question.name.to_ascii_lowercase());
        let transfer = matches!(
            question.qtype,
            RecordType::AXFR | RecordType::IXFR | RecordType::ANY
        );
        match decide(question, allowlist(), Mode::Block) {
            Verdict::Forward(pattern) => {
                assert!(!transfer, "a zone transfer or ANY query is forwarded");
                assert!(pattern.matches(&question.name));
                assert!(allowlist().allows_name(&question.name));
            }
            Verdict::ForwardAudited => panic!("block mode forwarded a query as audited"),
            Verdict::Refuse => assert!(transfer || !allowlist().allows_name(&question.name)),
        }
        assert_ne!(
            decide(question, allowlist(), Mode::Audit),
            Verdict::Refuse,
            "audit mode refused a query"
        );
        if let Ok(rebuilt) = build_query(&question.name, question.qtype, question.id) {
            let again = parse_query(&rebuilt).expect("a query we built does not read");
            assert_eq!(again.name, question.name, "the question's name changed");
            assert_eq!(again.qtype, question.qtype);
            assert_eq!(again.id, question.id);
        }
    }
    let refusal = error_response(bytes, ResponseCode::Refused);
    if bytes.len() >= 12 {
        let refusal = refusal.expect("no refusal for a message with a header");
        let (id, code, addrs) = response_code(&refusal).expect("our refusal does not read");
        assert_eq!(id, u16::from_be_bytes([bytes[0], bytes[1]]));
        assert_eq!(code, ResponseCode::Refused);
        assert!(addrs.is_empty());
    } else {
        assert!(refusal.is_err());
    }
}

fn response(bytes: &[u8]) {
    let _ = response_code(bytes);
    if bytes.len() < 12 {
        assert!(parse_query(bytes).is_err());
        return;
    }
    // The question: the response's own, read as a query (QR bit cleared).
    let mut as_query = bytes.to_vec();
    as_query[2] &= 0x7f;
    let Ok(question) = parse_query(&as_query) else {
        return;
    };
    let id = u16::from_be_bytes([bytes[0], bytes[1]]);
    let answer = parse_response(&question, id, bytes);
    assert_eq!(answer, parse_response(&question, id, bytes));
    let Ok(answer) = answer else {
        return;
    };
    let (_, code, all) = response_code(bytes).expect("a response that parses has a code");
    assert_eq!(code, answer.rcode);
    for resolved in &answer.addrs {
        assert!(
            all.contains(&resolved.addr),
            "{} is in no A/AAAA record of the response",
            resolved.addr
        );
    }
    let other = id.wrapping_add(1);
    assert_eq!(
        parse_response(&question, other, &with_id(bytes, other)).as_ref(),
        Ok(&answer),
        "rewriting the message ID changed the answer"
    );
    assert!(
        parse_response(&question, other, bytes).is_err(),
        "a response with another ID is taken"
    );
}

fn packet(bytes: &[u8]) {
    let Some(info) = parse_ip(bytes) else {
        return;
    };
    let version = bytes[0] >> 4;
    assert!(version == 4 || version == 6);
    assert_eq!(info.saddr.is_ipv4(), version == 4);
    assert_eq!(info.daddr.is_ipv4(), version == 4);
    assert_eq!(info.sport.is_some(), info.dport.is_some());
    if info.sport.is_some() {
        assert!(matches!(info.protocol, 6 | 17 | 132));
    }
    let _ = info.proto_name();
}

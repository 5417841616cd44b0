//! DNS message handling for the resolver, as plain functions over bytes
//! (a fuzz target can call each): read a client's query, decide it against
//! the allowlist, build a refusal, check an upstream response against the
//! query it answers and take the addresses out of it.
//!
//! Messages are parsed with hickory-proto. What goes back to the client is
//! the upstream's response bytes with only the ID rewritten, so nothing the
//! upstream said is lost in re-encoding.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::allowlist::{Allowlist, NamePattern, normalize_name};
use crate::config::Mode;

/// Why a message could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsError(pub String);

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client's question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: u16,
    /// Lower case, no trailing dot (`.` for the root).
    pub name: String,
    pub qtype: RecordType,
    /// The question as hickory parsed it, for matching a response.
    pub raw_name: Name,
}

/// Read a query. Exactly one question, opcode QUERY, QR clear.
pub fn parse_query(bytes: &[u8]) -> Result<Question, DnsError> {
    let message = decode_independent_of_id(bytes)?;
    if message.metadata.message_type != MessageType::Query {
        return Err(DnsError("a response where a query was expected".into()));
    }
    if message.metadata.op_code != OpCode::Query {
        return Err(DnsError(format!(
            "opcode {:?} is not served (only QUERY)",
            message.metadata.op_code
        )));
    }
    if message.queries.len() != 1 {
        return Err(DnsError(format!(
            "{} questions; exactly one is served",
            message.queries.len()
        )));
    }
    let query = &message.queries[0];
    let name = normalize_name(&query.name().to_ascii());
    Ok(Question {
        id: message.metadata.id,
        name: if name.is_empty() { ".".into() } else { name },
        qtype: query.query_type(),
        raw_name: query.name().clone(),
    })
}

/// What the resolver does with a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it; the entry that allows it.
    Forward(NamePattern),
    /// Audit mode: forward it, though the allowlist would not.
    ForwardAudited,
    /// Refuse it (REFUSED), and log it.
    Refuse,
}

/// Decide a question. Zone transfers and `ANY` are refused even for an
/// allowed name: a job has no use for them and they carry a lot of data.
pub fn decide(question: &Question, allowlist: &Allowlist, mode: Mode) -> Verdict {
    let transfer = matches!(
        question.qtype,
        RecordType::AXFR | RecordType::IXFR | RecordType::ANY
    );
    match allowlist.matching_pattern(&question.name) {
        Some(pattern) if !transfer => Verdict::Forward(pattern.clone()),
        _ if mode == Mode::Audit => Verdict::ForwardAudited,
        _ => Verdict::Refuse,
    }
}

/// A response with `code` to the query in `bytes`: its ID, opcode, RD bit
/// and question, no records. Fails only when `bytes` is not a message with
/// a readable header; a query whose question does not parse gets the code
/// without a question.
pub fn error_response(bytes: &[u8], code: ResponseCode) -> Result<Vec<u8>, DnsError> {
    if bytes.len() < 12 {
        return Err(DnsError(format!(
            "{} bytes: shorter than a DNS header",
            bytes.len()
        )));
    }
    let id = u16::from_be_bytes([bytes[0], bytes[1]]);
    let mut response = Message::error_msg(id, OpCode::Query, code);
    response.metadata.recursion_desired = bytes[2] & 0x01 != 0;
    response.metadata.recursion_available = true;
    if let Ok(query) = Message::from_vec(bytes) {
        response.metadata.op_code = query.metadata.op_code;
        response.queries = query.queries;
    }
    response
        .to_vec()
        .map_err(|e| DnsError(format!("cannot encode the response: {e}")))
}

/// An address of an answer and how long it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub addr: IpAddr,
    pub ttl: u32,
}

/// What an upstream response says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub rcode: ResponseCode,
    pub truncated: bool,
    /// A and AAAA records on the chain of CNAMEs from the question's name.
    pub addrs: Vec<Resolved>,
}

/// Check a response against the question it should answer (ID, question
/// name and type) and collect the addresses it gives for that name: only
/// A/AAAA records owned by the queried name or by a CNAME target on the
/// chain from it, so an upstream cannot open unrelated addresses through
/// extra records.
pub fn parse_response(
    question: &Question,
    upstream_id: u16,
    bytes: &[u8],
) -> Result<Answer, DnsError> {
    let message = decode_independent_of_id(bytes)?;
    if message.metadata.message_type != MessageType::Response {
        return Err(DnsError("a query where a response was expected".into()));
    }
    if message.metadata.id != upstream_id {
        return Err(DnsError(format!(
            "response ID {} does not match query ID {upstream_id}",
            message.metadata.id
        )));
    }
    let Some(asked) = message.queries.first() else {
        return Err(DnsError("the response repeats no question".into()));
    };
    if asked.query_type() != question.qtype
        || normalize_name(&asked.name().to_ascii()) != normalize_name(&question.raw_name.to_ascii())
    {
        return Err(DnsError(format!(
            "the response answers {} {}, not the question asked",
            asked.name(),
            asked.query_type()
        )));
    }
    let mut chain = vec![normalize_name(&question.raw_name.to_ascii())];
    // CNAME chains are short; bound the walk by the number of records.
    for _ in 0..message.answers.len() {
        let mut grew = false;
        for record in &message.answers {
            if let RData::CNAME(target) = &record.data
                && chain.contains(&normalize_name(&record.name.to_ascii()))
            {
                let target = normalize_name(&target.0.to_ascii());
                if !chain.contains(&target) {
                    chain.push(target);
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    let mut addrs = Vec::new();
    for record in &message.answers {
        if !chain.contains(&normalize_name(&record.name.to_ascii())) {
            continue;
        }
        let addr = match &record.data {
            RData::A(a) => IpAddr::V4(a.0),
            RData::AAAA(aaaa) => IpAddr::V6(aaaa.0),
            _ => continue,
        };
        addrs.push(Resolved {
            addr,
            ttl: record.ttl,
        });
    }
    Ok(Answer {
        rcode: message.metadata.response_code,
        truncated: message.metadata.truncation,
        addrs,
    })
}

/// Decode a message that reads the same whatever its ID.
///
/// The resolver checks a message under one ID and passes it on under
/// another (a query goes upstream with a random ID, a response goes back
/// with the client's). A compression pointer into the first two bytes makes
/// a name out of the ID, so the receiver would read another name than the
/// one decided on: a crafted query could have the upstream resolve a name
/// the allowlist never saw. Such a message is refused. Decoding it again
/// with every ID bit flipped catches that: a label length or pointer read
/// from byte 0 or 1 then changes its kind or length (pointers only go
/// backwards), so the two decodings differ or one fails.
fn decode_independent_of_id(bytes: &[u8]) -> Result<Message, DnsError> {
    let message =
        Message::from_vec(bytes).map_err(|e| DnsError(format!("not a DNS message: {e}")))?;
    let flipped_id = !message.metadata.id;
    let mut flipped = Message::from_vec(&with_id(bytes, flipped_id)).map_err(|e| {
        DnsError(format!(
            "a name in the message points into its ID (with another ID it reads: {e}); \
             such a message is refused because it reads differently once its ID is rewritten"
        ))
    })?;
    flipped.metadata.id = message.metadata.id;
    if flipped != message {
        return Err(DnsError(
            "a name in the message points into its ID, so it reads differently once its ID \
             is rewritten; such a message is refused"
                .into(),
        ));
    }
    Ok(message)
}

/// `bytes` with the message ID replaced (the upstream sees our random ID,
/// the client gets its own back).
pub fn with_id(bytes: &[u8], id: u16) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.len() >= 2 {
        out[..2].copy_from_slice(&id.to_be_bytes());
    }
    out
}

/// A query for `name` and `qtype` with `id` (recursion desired).
pub fn build_query(name: &str, qtype: RecordType, id: u16) -> Result<Vec<u8>, DnsError> {
    let name = Name::from_ascii(name).map_err(|e| DnsError(format!("{name:?}: {e}")))?;
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message
        .queries
        .push(hickory_proto::op::Query::query(name, qtype));
    message
        .to_vec()
        .map_err(|e| DnsError(format!("cannot encode the query: {e}")))
}

/// The response code of a response (for `smoke`).
pub fn response_code(bytes: &[u8]) -> Result<(u16, ResponseCode, Vec<IpAddr>), DnsError> {
    let message =
        Message::from_vec(bytes).map_err(|e| DnsError(format!("not a DNS message: {e}")))?;
    let addrs = message
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    Ok((message.metadata.id, message.metadata.response_code, addrs))
}

/// The record type's name (`A`, `AAAA`, `TYPE65534`).
pub fn type_name(qtype: RecordType) -> String {
    qtype.to_string()
}

/// The response code's name (`NOERROR`, `NXDOMAIN`...).
pub fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, AAAA, CNAME};

    fn list(names: &[&str]) -> Allowlist {
        let mut list = Allowlist::default();
        for n in names {
            list.push_name(NamePattern::parse(n).unwrap());
        }
        list
    }

    fn response(query: &[u8], id: u16, records: Vec<Record>) -> Vec<u8> {
        let q = Message::from_vec(query).unwrap();
        let mut m = Message::response(id, OpCode::Query);
        m.queries = q.queries;
        m.answers = records;
        m.to_vec().unwrap()
    }

    #[test]
    fn queries_are_read_and_decided() {
        let bytes = build_query("Files.PyPI.org.", RecordType::AAAA, 7).unwrap();
        let q = parse_query(&bytes).unwrap();
        assert_eq!(q.id, 7);
        assert_eq!(q.name, "files.pypi.org");
        let allow = list(&["*.pypi.org"]);
        assert!(matches!(
            decide(&q, &allow, Mode::Block),
            Verdict::Forward(_)
        ));
        let other = build_query("evil.example.", RecordType::A, 8).unwrap();
        let other = parse_query(&other).unwrap();
        assert_eq!(decide(&other, &allow, Mode::Block), Verdict::Refuse);
        assert_eq!(decide(&other, &allow, Mode::Audit), Verdict::ForwardAudited);
        let any =
            parse_query(&build_query("files.pypi.org.", RecordType::ANY, 9).unwrap()).unwrap();
        assert_eq!(decide(&any, &allow, Mode::Block), Verdict::Refuse);
    }

    /// A query whose question is a compression pointer to byte 1: the
    /// name's first label length is the ID's low byte, so forwarding it
    /// under another ID would have the upstream resolve another name.
    fn query_naming_its_own_id(id: u16) -> Vec<u8> {
        let mut bytes = id.to_be_bytes().to_vec();
        // RD set, one question, no records.
        bytes.extend_from_slice(&[0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
        // The name: a pointer to offset 1; type A, class IN.
        bytes.extend_from_slice(&[0xc0, 0x01, 0x00, 0x01, 0x00, 0x01]);
        bytes
    }

    #[test]
    fn messages_whose_names_read_their_id_are_refused() {
        let crafted = query_naming_its_own_id(0x0002);
        // hickory alone reads it, as a two-byte label out of the header.
        let plain = Message::from_vec(&crafted).unwrap();
        assert_eq!(plain.queries[0].name().num_labels(), 1);
        let error = parse_query(&crafted).unwrap_err();
        assert!(error.0.contains("points into its ID"), "{error}");
        // Under the ID it would be forwarded with, the name is another.
        let forwarded = Message::from_vec(&with_id(&crafted, 0x0005)).unwrap();
        assert_ne!(forwarded.queries[0].name(), plain.queries[0].name());

        // The same in a response: taken as is, refused once it reads its ID.
        let asked = parse_query(&build_query("example.org.", RecordType::A, 2).unwrap()).unwrap();
        let mut response = crafted;
        response[2] |= 0x80;
        assert!(
            parse_response(&asked, 2, &response)
                .unwrap_err()
                .0
                .contains("points into its ID")
        );
    }

    #[test]
    fn refusals_keep_id_question_and_rd() {
        let bytes = build_query("evil.example.", RecordType::A, 0xbeef).unwrap();
        let refused = error_response(&bytes, ResponseCode::Refused).unwrap();
        let m = Message::from_vec(&refused).unwrap();
        assert_eq!(m.metadata.id, 0xbeef);
        assert_eq!(m.metadata.response_code, ResponseCode::Refused);
        assert_eq!(m.metadata.message_type, MessageType::Response);
        assert!(m.metadata.recursion_desired);
        assert_eq!(m.queries.len(), 1);
        assert!(error_response(&[1, 2, 3], ResponseCode::Refused).is_err());
        // A header followed by garbage still gets an answer.
        let mut junk = bytes[..12].to_vec();
        junk.extend_from_slice(&[0xff; 5]);
        assert!(error_response(&junk, ResponseCode::FormErr).is_ok());
    }

    #[test]
    fn responses_yield_only_the_cname_chain_addresses() {
        let query = build_query("api.example.com.", RecordType::A, 5).unwrap();
        let q = parse_query(&query).unwrap();
        let name = |s: &str| Name::from_ascii(s).unwrap();
        let records = vec![
            Record::from_rdata(
                name("api.example.com."),
                60,
                RData::CNAME(CNAME(name("edge.cdn.net."))),
            ),
            Record::from_rdata(name("edge.cdn.net."), 30, RData::A(A::new(192, 0, 2, 10))),
            Record::from_rdata(
                name("edge.cdn.net."),
                30,
                RData::AAAA(AAAA::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            ),
            Record::from_rdata(
                name("unrelated.example."),
                30,
                RData::A(A::new(198, 51, 100, 1)),
            ),
        ];
        let bytes = response(&query, 99, records);
        let answer = parse_response(&q, 99, &bytes).unwrap();
        let addrs: Vec<String> = answer.addrs.iter().map(|r| r.addr.to_string()).collect();
        assert_eq!(addrs, vec!["192.0.2.10", "2001:db8::1"]);
        assert_eq!(answer.addrs[0].ttl, 30);
        assert!(
            parse_response(&q, 98, &bytes)
                .unwrap_err()
                .0
                .contains("does not match")
        );
        let other =
            parse_query(&build_query("other.example.com.", RecordType::A, 5).unwrap()).unwrap();
        assert!(
            parse_response(&other, 99, &bytes)
                .unwrap_err()
                .0
                .contains("not the question")
        );
        let back = with_id(&bytes, 5);
        assert_eq!(Message::from_vec(&back).unwrap().metadata.id, 5);
        assert_eq!(rcode_name(answer.rcode), "NOERROR");
    }
}

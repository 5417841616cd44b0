//! git pkt-line framing and the protocol v2 `ls-refs` exchange.
//!
//! A pkt-line is four lowercase hex digits giving the length of the whole
//! packet (header included) followed by the payload. `0000` is a flush packet,
//! `0001` a delimiter and `0002` a response end; `0003` is invalid, and the
//! largest packet is 65520 bytes. Everything here reads untrusted bytes from a
//! server, so every length is checked and nothing panics.

use std::fmt;

/// The largest pkt-line git allows, header included.
pub const MAX_PKT_LEN: usize = 65520;

/// One decoded packet, borrowing its payload from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkt<'a> {
    Flush,
    Delim,
    ResponseEnd,
    Data(&'a [u8]),
}

/// Why a pkt-line stream or an ls-refs response could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PktError {
    /// Fewer than four bytes where a length header was expected.
    TruncatedHeader { offset: usize },
    /// The header is not four hex digits.
    BadHeader { offset: usize, header: String },
    /// A length of 3 or a length above [`MAX_PKT_LEN`].
    BadLength { offset: usize, length: usize },
    /// The header promises more bytes than remain.
    TruncatedPayload {
        offset: usize,
        length: usize,
        remaining: usize,
    },
    /// The server sent `ERR <message>`.
    Remote(String),
    /// A packet that parsed but does not mean what the protocol requires.
    Protocol(String),
}

impl fmt::Display for PktError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PktError::TruncatedHeader { offset } => {
                write!(
                    f,
                    "pkt-line stream ends inside a length header at byte {offset}"
                )
            }
            PktError::BadHeader { offset, header } => {
                write!(
                    f,
                    "pkt-line length {header:?} at byte {offset} is not four hex digits"
                )
            }
            PktError::BadLength { offset, length } => {
                write!(
                    f,
                    "pkt-line length {length} at byte {offset} is invalid (3, or above {MAX_PKT_LEN})"
                )
            }
            PktError::TruncatedPayload {
                offset,
                length,
                remaining,
            } => write!(
                f,
                "pkt-line at byte {offset} announces {length} bytes but only {remaining} remain"
            ),
            PktError::Remote(message) => write!(f, "the server answered ERR {message}"),
            PktError::Protocol(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for PktError {}

/// Decode a whole buffer of pkt-lines.
pub fn decode(buf: &[u8]) -> Result<Vec<Pkt<'_>>, PktError> {
    let mut pkts = Vec::new();
    let mut offset = 0usize;
    while offset < buf.len() {
        let header = buf
            .get(offset..offset.saturating_add(4))
            .ok_or(PktError::TruncatedHeader { offset })?;
        let length = parse_hex4(header).ok_or_else(|| PktError::BadHeader {
            offset,
            header: String::from_utf8_lossy(header).into_owned(),
        })?;
        match length {
            0 => pkts.push(Pkt::Flush),
            1 => pkts.push(Pkt::Delim),
            2 => pkts.push(Pkt::ResponseEnd),
            3 => return Err(PktError::BadLength { offset, length }),
            _ if length > MAX_PKT_LEN => return Err(PktError::BadLength { offset, length }),
            _ => {
                let remaining = buf.len() - offset;
                let payload =
                    buf.get(offset + 4..offset + length)
                        .ok_or(PktError::TruncatedPayload {
                            offset,
                            length,
                            remaining,
                        })?;
                pkts.push(Pkt::Data(payload));
                offset += length;
                continue;
            }
        }
        offset += 4;
    }
    Ok(pkts)
}

fn parse_hex4(header: &[u8]) -> Option<usize> {
    if header.len() != 4 {
        return None;
    }
    header.iter().try_fold(0usize, |acc, b| {
        let digit = (*b as char).to_digit(16)?;
        Some(acc * 16 + digit as usize)
    })
}

/// Append one data packet. Payloads that do not fit are a bug in the caller,
/// so they are refused rather than split.
pub fn encode_data(out: &mut Vec<u8>, payload: &[u8]) -> Result<(), PktError> {
    let length = payload.len() + 4;
    if length > MAX_PKT_LEN {
        return Err(PktError::BadLength {
            offset: out.len(),
            length,
        });
    }
    out.extend_from_slice(format!("{length:04x}").as_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

pub fn encode_flush(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0000");
}

pub fn encode_delim(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0001");
}

/// The body of a protocol v2 `ls-refs` request for tags, branches and HEAD,
/// with annotated tags peeled and symbolic refs named.
pub fn ls_refs_request(agent: &str) -> Vec<u8> {
    let mut body = Vec::new();
    // The lines are short constants, so encoding cannot fail; an error would
    // only drop a line, and the server would then answer with an error.
    let _ = encode_data(&mut body, b"command=ls-refs\n");
    let _ = encode_data(&mut body, format!("agent={agent}\n").as_bytes());
    encode_delim(&mut body);
    for line in [
        "peel\n",
        "symrefs\n",
        "ref-prefix HEAD\n",
        "ref-prefix refs/tags/\n",
        "ref-prefix refs/heads/\n",
    ] {
        let _ = encode_data(&mut body, line.as_bytes());
    }
    encode_flush(&mut body);
    body
}

/// One reference as the server advertised it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AdvertisedRef {
    /// `refs/tags/v1.0.0`, `refs/heads/main` or `HEAD`.
    pub name: String,
    /// The object the ref points at (a tag object for annotated tags).
    pub oid: String,
    /// For annotated tags: the commit the tag peels to.
    pub peeled: Option<String>,
    /// For symbolic refs (HEAD): the ref they point at.
    pub symref_target: Option<String>,
}

impl AdvertisedRef {
    /// The commit this ref ultimately names.
    pub fn commit(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.oid)
    }
}

/// True for a 40-hex (SHA-1) or 64-hex (SHA-256) object id in lowercase.
pub fn is_oid(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What `GET info/refs?service=git-upload-pack` told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advertisement {
    /// Protocol v2 with its capability lines.
    V2 { capabilities: Vec<String> },
    /// A protocol v0/v1 server: the refs are in the advertisement itself.
    V0 { refs: Vec<AdvertisedRef> },
}

/// Parse the smart-HTTP advertisement (the optional `# service=` packet and
/// its flush, then either `version 2` and capabilities or a v0 ref list).
pub fn parse_advertisement(buf: &[u8]) -> Result<Advertisement, PktError> {
    let pkts = decode(buf)?;
    let mut lines = pkts.iter().peekable();
    if let Some(Pkt::Data(first)) = lines.peek()
        && trim_lf(first).starts_with(b"# service=")
    {
        lines.next();
        if let Some(Pkt::Flush) = lines.peek() {
            lines.next();
        }
    }
    let mut data = Vec::new();
    for pkt in lines {
        match pkt {
            Pkt::Data(payload) => data.push(*payload),
            Pkt::Flush => break,
            Pkt::Delim | Pkt::ResponseEnd => {
                return Err(PktError::Protocol(
                    "unexpected delimiter in the ref advertisement".to_owned(),
                ));
            }
        }
    }
    let Some(first) = data.first() else {
        return Err(PktError::Protocol(
            "the ref advertisement is empty (is this a git smart-HTTP server?)".to_owned(),
        ));
    };
    check_err(first)?;
    if trim_lf(first) == b"version 2" {
        let capabilities = data[1..]
            .iter()
            .map(|line| String::from_utf8_lossy(trim_lf(line)).into_owned())
            .collect();
        return Ok(Advertisement::V2 { capabilities });
    }
    parse_v0_refs(&data).map(|refs| Advertisement::V0 { refs })
}

fn parse_v0_refs(lines: &[&[u8]]) -> Result<Vec<AdvertisedRef>, PktError> {
    let mut refs: Vec<AdvertisedRef> = Vec::new();
    for (index, raw) in lines.iter().enumerate() {
        check_err(raw)?;
        let line = trim_lf(raw);
        // The first line carries capabilities after a NUL.
        let line = line.split(|b| *b == 0).next().unwrap_or(line);
        let text = std::str::from_utf8(line)
            .map_err(|_| PktError::Protocol(format!("ref line {} is not UTF-8", index + 1)))?;
        let (oid, name) = text.split_once(' ').ok_or_else(|| {
            PktError::Protocol(format!("ref line {:?} has no space", truncate(text)))
        })?;
        if !is_oid(oid) {
            return Err(PktError::Protocol(format!(
                "ref line {:?} does not start with an object id",
                truncate(text)
            )));
        }
        if name == "capabilities^{}" {
            continue; // an empty repository
        }
        if let Some(base) = name.strip_suffix("^{}") {
            if let Some(tag) = refs.iter_mut().rev().find(|r| r.name == base) {
                tag.peeled = Some(oid.to_owned());
            }
            continue;
        }
        refs.push(AdvertisedRef {
            name: name.to_owned(),
            oid: oid.to_owned(),
            peeled: None,
            symref_target: None,
        });
    }
    Ok(refs)
}

/// Parse an `ls-refs` response: one packet per ref, then a flush.
pub fn parse_ls_refs(buf: &[u8]) -> Result<Vec<AdvertisedRef>, PktError> {
    let pkts = decode(buf)?;
    let mut refs = Vec::new();
    let mut flushed = false;
    for pkt in pkts {
        match pkt {
            Pkt::Flush => {
                flushed = true;
                break;
            }
            Pkt::Delim | Pkt::ResponseEnd => {
                return Err(PktError::Protocol(
                    "unexpected delimiter in the ls-refs response".to_owned(),
                ));
            }
            Pkt::Data(payload) => {
                check_err(payload)?;
                if let Some(r) = parse_ls_refs_line(trim_lf(payload))? {
                    refs.push(r);
                }
            }
        }
    }
    if !flushed {
        return Err(PktError::Protocol(
            "the ls-refs response ends without its flush packet (truncated?)".to_owned(),
        ));
    }
    Ok(refs)
}

/// `<oid> <name>( symref-target:<ref>| peeled:<oid>)*`, or `unborn <name> ...`
/// (an empty repository's HEAD, which names no object and is skipped).
fn parse_ls_refs_line(line: &[u8]) -> Result<Option<AdvertisedRef>, PktError> {
    let text = std::str::from_utf8(line)
        .map_err(|_| PktError::Protocol("an ls-refs line is not UTF-8".to_owned()))?;
    let mut fields = text.split(' ');
    let oid = fields.next().unwrap_or_default();
    let name = fields.next().ok_or_else(|| {
        PktError::Protocol(format!("ls-refs line {:?} has no ref name", truncate(text)))
    })?;
    if oid == "unborn" {
        return Ok(None);
    }
    if !is_oid(oid) {
        return Err(PktError::Protocol(format!(
            "ls-refs line {:?} does not start with an object id",
            truncate(text)
        )));
    }
    if name.is_empty() {
        return Err(PktError::Protocol(format!(
            "ls-refs line {:?} has an empty ref name",
            truncate(text)
        )));
    }
    let mut r = AdvertisedRef {
        name: name.to_owned(),
        oid: oid.to_owned(),
        peeled: None,
        symref_target: None,
    };
    for attribute in fields {
        if let Some(peeled) = attribute.strip_prefix("peeled:") {
            if !is_oid(peeled) {
                return Err(PktError::Protocol(format!(
                    "ls-refs line {:?} has a malformed peeled object id",
                    truncate(text)
                )));
            }
            r.peeled = Some(peeled.to_owned());
        } else if let Some(target) = attribute.strip_prefix("symref-target:") {
            r.symref_target = Some(target.to_owned());
        }
        // Unknown attributes are ignored, as the protocol asks.
    }
    Ok(Some(r))
}

fn check_err(payload: &[u8]) -> Result<(), PktError> {
    match payload.strip_prefix(b"ERR ") {
        Some(message) => Err(PktError::Remote(
            String::from_utf8_lossy(trim_lf(message)).into_owned(),
        )),
        None => Ok(()),
    }
}

fn trim_lf(payload: &[u8]) -> &[u8] {
    payload.strip_suffix(b"\n").unwrap_or(payload)
}

fn truncate(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    fn pkt(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        encode_data(&mut out, text.as_bytes()).unwrap();
        out
    }

    #[test]
    fn request_matches_the_protocol_bytes() {
        let body = ls_refs_request("x/1");
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "0014command=ls-refs\n000eagent=x/1\n00010009peel\n000csymrefs\n0014ref-prefix HEAD\n001aref-prefix refs/tags/\n001bref-prefix refs/heads/\n0000"
        );
    }

    #[test]
    fn decodes_special_packets_and_data() {
        let mut buf = pkt("hello\n");
        buf.extend_from_slice(b"000100020000");
        let pkts = decode(&buf).unwrap();
        assert_eq!(
            pkts,
            vec![
                Pkt::Data(b"hello\n"),
                Pkt::Delim,
                Pkt::ResponseEnd,
                Pkt::Flush
            ]
        );
    }

    #[test]
    fn rejects_malformed_framing() {
        assert!(matches!(
            decode(b"00"),
            Err(PktError::TruncatedHeader { .. })
        ));
        assert!(matches!(decode(b"zz10"), Err(PktError::BadHeader { .. })));
        assert!(matches!(decode(b"0003"), Err(PktError::BadLength { .. })));
        assert!(matches!(decode(b"fff5"), Err(PktError::BadLength { .. })));
        assert!(matches!(
            decode(b"0010abc"),
            Err(PktError::TruncatedPayload { .. })
        ));
    }

    #[test]
    fn parses_ls_refs_with_peeled_and_symrefs() {
        let mut buf = pkt(&format!("{A} HEAD symref-target:refs/heads/main\n"));
        buf.extend(pkt(&format!("{A} refs/heads/main\n")));
        buf.extend(pkt(&format!("{B} refs/tags/v1.2.0 peeled:{A}\n")));
        buf.extend(pkt("unborn refs/heads/x\n"));
        buf.extend_from_slice(b"0000");
        let refs = parse_ls_refs(&buf).unwrap();
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[0].symref_target.as_deref(), Some("refs/heads/main"));
        assert_eq!(refs[2].oid, B);
        assert_eq!(refs[2].commit(), A);
    }

    #[test]
    fn ls_refs_errors_are_errors() {
        let mut buf = pkt("ERR repository not exported\n");
        buf.extend_from_slice(b"0000");
        assert_eq!(
            parse_ls_refs(&buf),
            Err(PktError::Remote("repository not exported".to_owned()))
        );
        // No flush: truncated.
        assert!(parse_ls_refs(&pkt(&format!("{A} refs/heads/main\n"))).is_err());
        let mut bad = pkt("nothex refs/heads/main\n");
        bad.extend_from_slice(b"0000");
        assert!(parse_ls_refs(&bad).is_err());
        let mut bad_peel = pkt(&format!("{B} refs/tags/v1 peeled:xyz\n"));
        bad_peel.extend_from_slice(b"0000");
        assert!(parse_ls_refs(&bad_peel).is_err());
    }

    #[test]
    fn advertisement_v2_and_v0() {
        let mut v2 = pkt("# service=git-upload-pack\n");
        v2.extend_from_slice(b"0000");
        v2.extend(pkt("version 2\n"));
        v2.extend(pkt("ls-refs=unborn\n"));
        v2.extend_from_slice(b"0000");
        assert_eq!(
            parse_advertisement(&v2).unwrap(),
            Advertisement::V2 {
                capabilities: vec!["ls-refs=unborn".to_owned()]
            }
        );
        let mut v0 = pkt("# service=git-upload-pack\n");
        v0.extend_from_slice(b"0000");
        v0.extend(pkt(&format!("{A} HEAD\0multi_ack\n")));
        v0.extend(pkt(&format!("{B} refs/tags/v1\n")));
        v0.extend(pkt(&format!("{A} refs/tags/v1^{{}}\n")));
        v0.extend_from_slice(b"0000");
        let Advertisement::V0 { refs } = parse_advertisement(&v0).unwrap() else {
            panic!("expected v0");
        };
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1].peeled.as_deref(), Some(A));
        assert!(parse_advertisement(b"").is_err());
        assert!(parse_advertisement(b"<html>").is_err());
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
            let _ = parse_ls_refs(&bytes);
            let _ = parse_advertisement(&bytes);
        }

        #[test]
        fn framed_noise_never_panics(lines in proptest::collection::vec("[ -~]{0,90}", 0..8)) {
            let mut buf = Vec::new();
            for line in &lines {
                encode_data(&mut buf, line.as_bytes()).unwrap();
            }
            encode_flush(&mut buf);
            let _ = parse_ls_refs(&buf);
            let _ = parse_advertisement(&buf);
        }

        #[test]
        fn encode_then_decode_round_trips(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..6)) {
            let mut buf = Vec::new();
            for p in &payloads {
                encode_data(&mut buf, p).unwrap();
            }
            let decoded = decode(&buf).unwrap();
            prop_assert_eq!(decoded.len(), payloads.len());
            for (d, p) in decoded.iter().zip(&payloads) {
                prop_assert_eq!(*d, Pkt::Data(p.as_slice()));
            }
        }
    }
}

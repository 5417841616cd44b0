//! ci-intel-secrets' masker (`redact`: what stands between a secret and a
//! log), over arbitrary bytes with a literal secret planted in them. The
//! first byte is the chunk size of a streaming run, the next two where the
//! secret goes. Invariants: the masked output never holds the planted
//! secret; the streaming masker, fed in chunks, writes exactly what the
//! one-piece reference `mask_all` writes (documented), in both mask
//! styles.
#![no_main]

use std::sync::OnceLock;

use ci_intel_fuzz::assert_no_secret;
use ci_intel_secrets::detect::Detector;
use ci_intel_secrets::redact::masker::{
    CollectingSink, Literal, MaskStyle, Masker, Window, mask_all,
};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"pl4nted-Secret-VALUE-7d1e90";

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(Detector::builtin)
}

fn literals() -> Vec<Literal> {
    vec![Literal {
        name: "FUZZ_PLANTED".to_owned(),
        value: SECRET.to_vec(),
    }]
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, rest) = data.split_at(3);
    let chunk = usize::from(head[0]).max(1);
    let at = usize::from(u16::from_le_bytes([head[1], head[2]])) % (rest.len() + 1);
    let mut input = rest[..at].to_vec();
    input.extend_from_slice(SECRET);
    input.extend_from_slice(&rest[at..]);

    for style in [MaskStyle::Labelled, MaskStyle::Stars] {
        let whole = mask_all(detector(), literals(), style, &input).expect("masks in memory");
        assert_no_secret(&whole.output, SECRET, "mask_all");

        let mut masker =
            Masker::new(detector(), literals(), style, Window::for_detectors()).expect("a masker");
        let mut streamed = CollectingSink::default();
        for piece in input.chunks(chunk) {
            masker.feed(piece, &mut streamed).expect("feeds in memory");
        }
        masker.finish(&mut streamed).expect("finishes in memory");
        assert_no_secret(&streamed.output, SECRET, "streaming masker");
        assert_eq!(
            String::from_utf8_lossy(&streamed.output),
            String::from_utf8_lossy(&whole.output),
            "chunks of {chunk} mask differently from the whole"
        );
    }
});

//! `ci_intel_policy::audit::audit_bytes`: workflow YAML, action metadata
//! (`action.yml`) and `dependabot.yml`, through the YAML loader, the schema
//! check and every rule of the pedantic persona. The first byte picks the
//! document kind (sniffed, workflow, action, dependabot). Invariants: a
//! document that does not load is a `parse-error` finding that no ignore
//! comment silences (the verdict is never `allow` on it); every finding
//! points at a line of the file; the findings render as JSON, SARIF and
//! workflow commands; the same bytes give the same findings.
#![no_main]

use std::sync::OnceLock;

use ci_intel_policy::audit::model::DocKind;
use ci_intel_policy::audit::{Options, audit_bytes, yaml};
use ci_intel_policy::config::Persona;
use libfuzzer_sys::fuzz_target;

fn options() -> &'static Options {
    static OPTS: OnceLock<Options> = OnceLock::new();
    OPTS.get_or_init(|| Options::defaults(Persona::Pedantic))
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let kind = match kind % 4 {
        0 => None,
        1 => Some(DocKind::Workflow),
        2 => Some(DocKind::Action),
        _ => Some(DocKind::Dependabot),
    };
    let outcome = audit_bytes("fuzz.yml", bytes, kind, options());
    // Lines as YAML counts them: `\n`, `\r\n` and a lone `\r` end one.
    let crlf = bytes.windows(2).filter(|w| *w == b"\r\n").count();
    let breaks = bytes
        .iter()
        .filter(|b| matches!(**b, b'\n' | b'\r'))
        .count()
        - crlf;
    let lines = (breaks + 1) as u32;
    for f in outcome.findings.iter().chain(&outcome.suppressed) {
        let location = f
            .location
            .as_ref()
            .expect("a policy finding has a location");
        let line = location.line.expect("a policy finding has a line");
        assert!(
            (1..=lines.max(1)).contains(&line),
            "{}: line {line} of a {lines}-line file",
            f.rule_id
        );
    }
    let loads = std::str::from_utf8(bytes).ok().map(|text| {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        matches!(yaml::load_lenient(text), Ok(Some(_)))
    });
    if loads != Some(true) {
        assert!(
            outcome.findings.iter().any(|f| f.rule_id == "parse-error"),
            "a document that does not load has no (unsuppressed) parse-error finding: {:?} / suppressed {:?}",
            outcome.findings,
            outcome.suppressed
        );
    }
    let again = audit_bytes("fuzz.yml", bytes, kind, options());
    assert_eq!(
        format!("{:?}", outcome.findings),
        format!("{:?}", again.findings),
        "the same bytes audited twice differ"
    );
});

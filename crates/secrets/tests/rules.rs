//! Every rule: its documentation, its fixtures (some must fire, some must
//! not) and an insta snapshot of the hits in every fixture.
//!
//! Fixtures hold templates (`{{fake:ghp}}`), expanded at test time by
//! `detect::synthetic::expand` into valid-shaped synthetic credentials, so
//! the repository contains no token-shaped string.
//!
//! `docs/secrets.md` holds the rules' doc comments between markers; refresh
//! it with `UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test rules`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ci_intel_secrets::detect::{Detector, synthetic};
use ci_intel_secrets::scan::committed_env_file as env_file;
use ci_intel_secrets::secret::{fingerprint, preview};

const SECTIONS: [&str; 3] = ["## What it finds", "## Not a finding", "## Fix"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dir(rule: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(rule)
}

fn rule_source(rule: &str) -> PathBuf {
    let file = format!("{}.rs", rule.replace('-', "_"));
    let detect = crate_dir().join("src/detect/rules").join(&file);
    if detect.exists() {
        detect
    } else {
        crate_dir().join("src/scan").join(file)
    }
}

/// The `//!` comment of a rule file.
fn rule_doc(rule: &str) -> String {
    let text = std::fs::read_to_string(rule_source(rule)).unwrap();
    text.lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

/// Every rule id: the detector's, then the path rule.
fn rule_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Detector::builtin().rules().map(|r| r.id).collect();
    ids.push(env_file::RULE_ID);
    ids
}

#[test]
fn every_rule_has_docs_and_fixtures_that_fire_and_stay_quiet() {
    let mut problems = Vec::new();
    for id in rule_ids() {
        if !rule_source(id).exists() {
            problems.push(format!("{id}: no file {}", rule_source(id).display()));
            continue;
        }
        let doc = rule_doc(id);
        let mut last = 0;
        for section in SECTIONS {
            match doc.find(section) {
                Some(at) if at >= last => last = at,
                Some(_) => problems.push(format!("{id}: `{section}` is out of order")),
                None => problems.push(format!("{id}: doc comment lacks `{section}`")),
            }
        }
        // gitleaks' ids are in the docs users read, exactly as the rule
        // declares them (the conformance test maps samples by them).
        if let Some(info) = Detector::builtin().rules().find(|r| r.id == id) {
            for gitleaks in info.gitleaks {
                if !doc.contains(&format!("`{gitleaks}`")) {
                    problems.push(format!("{id}: docs lack gitleaks id `{gitleaks}`"));
                }
            }
        }
        if id == env_file::RULE_ID {
            continue; // its fixtures are file names, tested in env_file's own tests
        }
        for kind in ["fires", "quiet"] {
            if files(&fixture_dir(id).join(kind)).is_empty() {
                problems.push(format!("{id}: no fixture in tests/fixtures/{id}/{kind}/"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One line per hit as `scan` reports it (where hits overlap, the most
/// specific rule): where, which rule, how bad, and how it is shown.
fn describe_hits(text: &str, detector: &Detector) -> String {
    let mut out = String::new();
    for hit in detector.find_preferred(text) {
        let line = text[..hit.start].matches('\n').count() + 1;
        let column = text[..hit.start]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count()
            + 1;
        let value = &text[hit.start..hit.end];
        out.push_str(&format!(
            "{line}:{column} {} {} {} {}\n",
            hit.rule,
            hit.severity,
            preview(value, hit.public_prefix),
            fingerprint(value.as_bytes())
        ));
    }
    if out.is_empty() {
        out.push_str("(no hits)\n");
    }
    out
}

#[test]
fn fixtures_fire_or_stay_quiet_and_match_their_snapshots() {
    let detector = Detector::builtin();
    let mut failures = Vec::new();
    for id in rule_ids() {
        for kind in ["fires", "quiet"] {
            for fixture in files(&fixture_dir(id).join(kind)) {
                let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
                let display = format!("{id}/{kind}/{name}");
                let template = std::fs::read_to_string(&fixture).unwrap();
                let text =
                    synthetic::expand(&template).unwrap_or_else(|e| panic!("{display}: {e}"));
                let hits = detector.find(&text);
                let own = hits.iter().filter(|h| h.rule == id).count();
                match kind {
                    "fires" if own == 0 => failures.push(format!("{display}: {id} did not fire")),
                    "quiet" if own > 0 => {
                        let lines: Vec<usize> = hits
                            .iter()
                            .filter(|h| h.rule == id)
                            .map(|h| text[..h.start].matches('\n').count() + 1)
                            .collect();
                        failures.push(format!(
                            "{display}: {id} fired {own} time(s), on line(s) {lines:?}"
                        ))
                    }
                    _ => {}
                }
                insta::assert_snapshot!(
                    format!("{id}__{kind}__{name}"),
                    describe_hits(&text, &detector)
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// docs/secrets.md, with the generated rule table and sections between the
/// markers.
#[test]
fn docs_secrets_md_is_generated_from_the_rule_doc_comments() {
    let path = crate_dir().join("../../docs/secrets.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let begin = "<!-- rules:begin (generated from the rules' doc comments; UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test rules) -->";
    let end = "<!-- rules:end -->";
    let metas = ci_intel_secrets::scan::rule_metas();
    let mut generated = String::from("\n| rule | what | default severity |\n|---|---|---|\n");
    for meta in &metas {
        generated.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            meta.id, meta.id, meta.title, meta.default_severity
        ));
    }
    for meta in &metas {
        generated.push_str(&format!(
            "\n### `{}`\n\n{} (default severity: {}; fixtures: `crates/secrets/tests/fixtures/{}/`)\n\n",
            meta.id, meta.title, meta.default_severity, meta.id
        ));
        let doc = rule_doc(meta.id);
        // The first paragraph repeats the title; the sections follow it.
        for line in doc.lines().skip_while(|l| !l.starts_with("## ")) {
            if let Some(rest) = line.strip_prefix("## ") {
                generated.push_str(&format!("#### {rest}\n"));
            } else {
                generated.push_str(line);
                generated.push('\n');
            }
        }
    }
    let (head, tail) = match (committed.find(begin), committed.find(end)) {
        (Some(b), Some(e)) if b < e => (
            committed[..b].to_owned(),
            committed[e + end.len()..].to_owned(),
        ),
        _ => panic!("docs/secrets.md lacks the rules markers"),
    };
    let expected = format!("{head}{begin}\n{generated}\n{end}{tail}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        committed == expected,
        "docs/secrets.md is stale: run UPDATE_DOCS=1 cargo test -p ci-intel-secrets --test rules"
    );
}

/// `template` with every `{{fake:ID}}` / `{{fake:ID:SEED}}` of the rule `id`
/// made the `variant` (`x`, `seq`, `example`) of itself.
fn with_variant(template: &str, id: &str, variant: &str) -> String {
    let open = format!("{{{{fake:{id}");
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        out.push_str(&rest[..at + open.len()]);
        if after.starts_with(':') || after.starts_with("}}") {
            out.push('~');
            out.push_str(variant);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Placeholders are ignored by every rule: each rule's own `fires`
/// fixtures, with its values replaced by all-same characters (`~x`), a
/// sequential run (`~seq`) and a value marked `EXAMPLE` (`~example`),
/// must not fire. The context stays that of a fixture that fires, so a
/// quiet result is the placeholder's doing. Rules without a generator of
/// their own (the hand-written ones) pass the same check in
/// `detect::acceptable`; `documented_examples_are_not_findings` covers them.
#[test]
fn every_rule_ignores_placeholders_where_its_fixtures_fire() {
    let detector = Detector::builtin();
    let kinds = synthetic::rule_kinds();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut examples = 0;
    for id in &kinds {
        for fixture in files(&fixture_dir(id).join("fires")) {
            let template = std::fs::read_to_string(&fixture).unwrap();
            for variant in ["x", "seq", "example"] {
                let text = synthetic::expand(&with_variant(&template, id, variant)).unwrap();
                if variant == "example" {
                    if !text.to_ascii_lowercase().contains("example") {
                        continue; // an alphabet that cannot spell it (hex)
                    }
                    examples += 1;
                }
                checked += 1;
                let own = detector
                    .find(&text)
                    .iter()
                    .filter(|h| h.rule == *id)
                    .count();
                if own > 0 {
                    failures.push(format!(
                        "{id}/fires/{} with ~{variant}: fired {own} time(s)",
                        fixture.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not vacuous: most rules have a generator, and most alphabets spell it.
    assert!(kinds.len() >= 140, "{} rules with a generator", kinds.len());
    assert!(
        examples >= 90,
        "only {examples} fixtures could carry EXAMPLE"
    );
    assert!(checked >= 2 * 140, "{checked}");
}

/// Values published as examples are not findings, whatever rule their
/// shape matches: AWS's documented key pair, the words of the placeholder
/// list, all-same and sequential values, in the forms the rules read.
#[test]
fn documented_examples_are_not_findings() {
    let detector = Detector::builtin();
    let real = synthetic::fake("aws-secret", "doc").unwrap();
    for text in [
        // AWS's documented example key pair (IAM user guide).
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "API_TOKEN=your-api-token-here\n",
        "client_secret: \"YOUR_CLIENT_SECRET_GOES_HERE\"\n",
        "password = \"XXXXXXXXXXXXXXXXXXXX\"\n",
        "api_key: 'xxxx-xxxx-xxxx-xxxx'\n",
        "SECRET_KEY=0123456789abcdef0123456789abcdef\n",
        "SECRET_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
        "{\"token\": \"REPLACE_ME_WITH_A_REAL_TOKEN\"}\n",
        "db_password=changeme-in-production\n",
        "Authorization: Bearer <your-token-here>\n",
    ] {
        let hits: Vec<&str> = detector.find(text).iter().map(|h| h.rule).collect();
        assert!(hits.is_empty(), "{text:?} fired {hits:?}");
    }
    // The same forms with a random value do fire: the test can fail.
    let text = format!("aws_secret_access_key = {real}\n");
    assert!(!detector.find(&text).is_empty(), "{text}");
}

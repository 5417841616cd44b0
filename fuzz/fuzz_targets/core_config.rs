//! The configuration loader (ci-intel-core `config::load_from_texts`):
//! a repository's `.ci-intel/config.yml` over an org policy overlay over
//! the hub defaults, validated against every section of `ci-intel check`
//! (the umbrella's `gates::sections`), with the org's `lock` enforced.
//! By the first byte: the repository file alone (0), the org policy alone
//! (1), or both, split at the first NUL (2).
//!
//! Invariants: determinism (effective configuration, locks, digest and
//! errors); every refusal is exit 2; YAML that does not parse is refused
//! with a message naming its file; and the merge is idempotent: a
//! repository file that writes down the effective configuration loads,
//! under the same org policy, to the same effective configuration and is
//! not refused by any lock.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ci_intel_core::ExitCode;
use ci_intel_core::config::{LoadedConfig, Sections, load_from_texts};
use libfuzzer_sys::fuzz_target;

fn sections() -> &'static Sections {
    static SECTIONS: OnceLock<Sections> = OnceLock::new();
    SECTIONS.get_or_init(ci_intel::gates::sections)
}

const ORG: &str = "org-policy.yml";
const REPO: &str = ".ci-intel/config.yml";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (org, repo) = match selector % 3 {
        0 => (None, Some(text)),
        1 => (Some(text), None),
        _ => {
            let (org, repo) = text.split_once('\0').unwrap_or((text, ""));
            (Some(org), Some(repo))
        }
    };
    let load = |org: Option<&str>, repo: Option<&str>| {
        load_from_texts(
            org.map(|t| (Path::new(ORG), t)),
            repo.map(|t| (Path::new(REPO), t)),
            sections(),
        )
    };
    let first = load(org, repo);
    let summary = |r: &Result<LoadedConfig, ci_intel_core::Failure>| match r {
        Ok(c) => Ok((c.effective.clone(), c.locked.clone(), c.digest())),
        Err(e) => Err((e.code, e.message.clone())),
    };
    assert_eq!(
        summary(&first),
        summary(&load(org, repo)),
        "the same layers load differently"
    );
    let loaded = match first {
        Ok(loaded) => loaded,
        Err(failure) => {
            assert_eq!(
                failure.code,
                ExitCode::Usage,
                "a refusal that is not exit 2: {failure:?}"
            );
            let invalid = |text: &str| yaml_serde::from_str::<yaml_serde::Value>(text).is_err();
            if org.is_some_and(invalid) {
                assert!(
                    failure.message.contains(ORG),
                    "a YAML error does not name {ORG}: {}",
                    failure.message
                );
            } else if repo.is_some_and(invalid) && (org.is_none() || load(org, None).is_ok()) {
                assert!(
                    failure.message.contains(REPO),
                    "a YAML error does not name {REPO}: {}",
                    failure.message
                );
            }
            return;
        }
    };
    let written = serde_json::to_string(&loaded.effective).expect("a JSON value renders");
    match load(org, Some(&written)) {
        Ok(again) => assert_eq!(
            again.effective, loaded.effective,
            "writing down the effective configuration changed it"
        ),
        Err(e) => panic!(
            "the effective configuration, written as the repository's file, is refused: {}\n{written}",
            e.message
        ),
    }
});

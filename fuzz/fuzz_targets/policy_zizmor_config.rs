//! `ci_intel_policy::zizmor_config`: a repository's `zizmor.yml`, which
//! `ci-intel-policy audit` discovers and applies. Invariants: reading is
//! deterministic; every refusal is a usage error (exit 2) naming the file;
//! a config that is read either lays over the default policy section or is
//! refused (exit 2, naming the file), never anything else; its settings
//! name keys of the `policy:` section (`rules.<id>...` only for our rules)
//! and laying the same settings twice changes nothing.
#![no_main]

use std::path::Path;

use ci_intel_core::ExitCode;
use ci_intel_policy::config::{ALL_RULE_IDS, PolicyConfig};
use ci_intel_policy::zizmor_config::ZizmorConfig;
use libfuzzer_sys::fuzz_target;

const PATH: &str = ".github/zizmor.yml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(PATH);
    let first = ZizmorConfig::parse(path, text);
    let again = ZizmorConfig::parse(path, text);
    match (&first, &again) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!((a.code, &a.message), (b.code, &b.message)),
        _ => panic!("reading the same text twice gave different outcomes"),
    }
    let config = match first {
        Ok(config) => config,
        Err(refused) => {
            assert_eq!(refused.code, ExitCode::Usage, "{}", refused.message);
            assert!(refused.message.contains(PATH), "{}", refused.message);
            return;
        }
    };
    for setting in &config.settings {
        if setting.key.first().map(String::as_str) == Some("rules") {
            let id = setting.key.get(1).map(String::as_str).unwrap_or("");
            assert!(
                ALL_RULE_IDS.contains(&id),
                "unknown rule id in {:?} (from {})",
                setting.key,
                setting.source
            );
        }
    }
    let default = PolicyConfig::default();
    match config.apply(&default) {
        Ok(applied) => {
            let twice = config.apply(&applied).expect("laying the settings again");
            assert_eq!(applied, twice, "laying the same settings twice changed them");
        }
        Err(refused) => {
            assert_eq!(refused.code, ExitCode::Usage, "{}", refused.message);
            assert!(refused.message.contains(PATH), "{}", refused.message);
        }
    }
});

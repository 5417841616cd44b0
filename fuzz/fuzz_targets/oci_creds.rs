//! `ci_intel_oci::creds::parse_docker_config` (Docker `config.json`, with
//! registry passwords) and `ci_intel_oci::sbom::parse_sbom` (SBOMs pulled
//! as referrers). Invariants: no password is in the `Debug` rendering of a
//! parsed config (it is the same whatever the passwords are); determinism;
//! JSON round trip of both.
#![no_main]

use ci_intel_fuzz::{deterministic, json_round_trip};
use ci_intel_oci::creds::parse_docker_config;
use ci_intel_oci::sbom::parse_sbom;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = deterministic(data, parse_docker_config);
    if let Ok(config) = json_round_trip(data, parse_docker_config) {
        let rendered = format!("{config:?}");
        let mut blank = config.clone();
        for c in blank.auths.values_mut() {
            c.password = "x".repeat(c.password.len() + 7);
        }
        assert_eq!(
            rendered,
            format!("{blank:?}"),
            "the Debug rendering of a Docker config depends on its passwords"
        );
    }
    let _ = json_round_trip(data, parse_sbom);
});

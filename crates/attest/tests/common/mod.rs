//! Shared by the integration tests: where the corpus is, and the skip rule.

#![allow(dead_code)] // each test file uses a part

use std::path::{Path, PathBuf};

/// `../shared/corpus/<sub>` beside the repository, or `None` (after printing
/// why) when it is absent. With `CI_INTEL_REQUIRE_CORPUS` set, absence is a
/// failure instead: .ci/run sets it so a broken path cannot pass as a skip.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI_INTEL_REQUIRE_CORPUS").is_some() {
        panic!(
            "CI_INTEL_REQUIRE_CORPUS is set but {} is absent",
            dir.display()
        );
    }
    println!(
        "SKIPPED: ../shared/corpus/{sub} is absent (a plain clone); .ci/run runs this with the corpus"
    );
    None
}

pub const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
pub const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

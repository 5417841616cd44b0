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

/// sigstore-python's `sigstore`: `$CI_INTEL_SIGSTORE_PYTHON` (.ci/run sets
/// it), else on PATH; `None` after printing why the test skips, a failure
/// when `CI_INTEL_REQUIRE_TOOLS` is set.
pub fn sigstore_python() -> Option<PathBuf> {
    let found = match std::env::var_os("CI_INTEL_SIGSTORE_PYTHON") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        _ => std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("sigstore"))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        assert!(
            std::env::var_os("CI_INTEL_REQUIRE_TOOLS").is_none(),
            "CI_INTEL_REQUIRE_TOOLS is set but sigstore-python is absent (set CI_INTEL_SIGSTORE_PYTHON)"
        );
        println!(
            "SKIPPED: sigstore-python not found (set CI_INTEL_SIGSTORE_PYTHON or put `sigstore` on PATH); .ci/run installs 4.5.1"
        );
    }
    found
}

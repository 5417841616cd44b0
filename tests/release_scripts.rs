//! The release scripts the release workflow runs: `scripts/write-manifest.sh`
//! (its output validates and its checksums are right) and
//! `scripts/ghes-rewrite.sh` (no self-repository reference survives).

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

use std::fs;
use std::process::Command;

use ci_intel_workspace_tests::hub::repo_root;
use ci_intel_workspace_tests::sha256_hex;
use serde_json::Value;

fn script(name: &str) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts").join(name));
    cmd
}

fn manifest_validator() -> jsonschema::Validator {
    let text = fs::read_to_string(repo_root().join("schemas/dist-manifest.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn write_manifest_lists_every_asset_with_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let assets = [
        (
            "ci-intel-telemetry-x86_64-unknown-linux-musl",
            b"telemetry linux".as_slice(),
        ),
        (
            "ci-intel-x86_64-unknown-linux-musl",
            b"umbrella linux".as_slice(),
        ),
        (
            "ci-intel-telemetry-x86_64-pc-windows-msvc.exe",
            b"telemetry windows".as_slice(),
        ),
    ];
    for (name, bytes) in assets {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let output = script("write-manifest.sh")
        .args([
            "v1.4.0",
            "https://github.com/acme/ci-intel/releases/download/v1.4.0",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = manifest_validator()
        .iter_errors(&manifest)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(manifest["version"], "1.4.0");
    assert_eq!(manifest["release_tag"], "v1.4.0");
    let entry = &manifest["assets"]["telemetry"]["x86_64-pc-windows-msvc"];
    assert_eq!(
        entry["file"],
        "ci-intel-telemetry-x86_64-pc-windows-msvc.exe"
    );
    assert_eq!(entry["sha256"], sha256_hex(b"telemetry windows"));
    assert_eq!(entry["size"], 17);
    assert_eq!(
        manifest["assets"]["ci-intel"]["x86_64-unknown-linux-musl"]["sha256"],
        sha256_hex(b"umbrella linux")
    );
}

#[test]
fn write_manifest_refuses_bad_versions_unknown_targets_and_no_assets() {
    let dir = tempfile::tempdir().unwrap();
    let base = "https://example.invalid/releases/download/v1.4.0";
    let bad_version = script("write-manifest.sh")
        .args(["1.4", base])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(bad_version.status.code(), Some(2));
    let empty = script("write-manifest.sh")
        .args(["v1.4.0", base])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!empty.status.success(), "no assets must fail");
    fs::write(
        dir.path().join("ci-intel-telemetry-sparc-sun-solaris"),
        b"x",
    )
    .unwrap();
    let unknown = script("write-manifest.sh")
        .args(["v1.4.0", base])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no known target suffix"));
}

#[test]
fn ghes_rewrite_pins_every_self_repository_reference() {
    let dir = tempfile::tempdir().unwrap();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let mut files = Vec::new();
    for name in ["hub.yml", "telemetry.yml"] {
        let path = dir.path().join(name);
        fs::copy(repo_root().join(".github/workflows").join(name), &path).unwrap();
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("uses: $/actions/")
        );
        files.push(path);
    }
    let output = script("ghes-rewrite.sh")
        .args(["acme/ci-intel", sha])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        assert!(!text.contains("uses: $/"), "{text}");
        assert!(text.contains("uses: acme/ci-intel/actions/"), "{text}");
        for reference in ci_intel::refs::extract("f.yml", &text) {
            if reference.repository().as_deref() == Some("acme/ci-intel") {
                assert_eq!(reference.git_ref(), Some(sha));
            }
        }
    }
    let short = script("ghes-rewrite.sh")
        .args(["acme/ci-intel", "0123456"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2), "a short SHA must be refused");
}

//! Real peers: syft and trivy (PyPI wheels installed by .ci/run, paths in
//! CI_INTEL_SYFT / CI_INTEL_TRIVY) generate SBOMs of real trees (this
//! repository's Cargo.lock, an npm lockfile fixture) that ci-intel-vuln
//! must read, and trivy's licence output is compared with ours on the same
//! SBOM. Both run offline: trivy only in SBOM and licence modes with
//! --skip-db-update --offline-scan, and both with a proxy on a closed
//! loopback port, so no request can leave the machine.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_testkit::{corpus, tool, workspace_root};
use ci_intel_vuln::license::{LicenseOutcome, judge};
use ci_intel_vuln::sbom::{Sbom, parse_sbom};

fn offline(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    for var in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
        cmd.env(var, "http://127.0.0.1:9");
    }
    cmd.env("NO_PROXY", "").env("no_proxy", "");
    cmd.env("SYFT_CHECK_FOR_APP_UPDATE", "false");
    cmd
}

fn run(mut cmd: Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn npm_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/npm")
}

fn read_sbom(path: &Path) -> Sbom {
    parse_sbom(&std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn purls(sbom: &Sbom) -> BTreeSet<String> {
    sbom.components
        .iter()
        .filter_map(|c| c.purl.as_ref().map(|p| p.canonical().to_owned()))
        .collect()
}

fn trivy_args(cmd: &mut Command, cache: &Path) {
    cmd.arg("--cache-dir").arg(cache).args([
        "--skip-db-update",
        "--skip-java-db-update",
        "--offline-scan",
        "--disable-telemetry",
        "--quiet",
    ]);
}

#[test]
fn syft_sboms_of_this_repositorys_cargo_lock_are_read() {
    let Some(syft) = tool("CI_INTEL_SYFT", "syft") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lock = workspace_root().join("Cargo.lock");
    let mut cmd = offline(&syft);
    cmd.arg("scan")
        .arg(format!("file:{}", lock.display()))
        .arg("-q")
        .arg("-o")
        .arg(format!(
            "cyclonedx-json={}",
            dir.path().join("cargo.cdx.json").display()
        ))
        .arg("-o")
        .arg(format!(
            "spdx-json={}",
            dir.path().join("cargo.spdx.json").display()
        ));
    run(cmd);
    let packages = std::fs::read_to_string(&lock)
        .unwrap()
        .lines()
        .filter(|l| *l == "[[package]]")
        .count();
    let cdx = read_sbom(&dir.path().join("cargo.cdx.json"));
    let spdx = read_sbom(&dir.path().join("cargo.spdx.json"));
    assert!(cdx.schema_errors.is_empty(), "{:?}", cdx.schema_errors);
    assert!(spdx.schema_errors.is_empty(), "{:?}", spdx.schema_errors);
    assert_eq!(cdx.components.len(), packages);
    assert!(
        cdx.components
            .iter()
            .all(|c| c.purl.as_ref().is_some_and(|p| p.ty == "cargo"))
    );
    // The two formats name the same packages.
    assert_eq!(purls(&cdx), purls(&spdx));
    assert!(
        purls(&cdx)
            .iter()
            .any(|p| p.starts_with("pkg:cargo/packageurl@"))
    );
}

#[test]
fn syft_and_trivy_sboms_of_an_npm_lockfile_agree() {
    let (Some(syft), Some(trivy)) = (
        tool("CI_INTEL_SYFT", "syft"),
        tool("CI_INTEL_TRIVY", "trivy"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = offline(&syft);
    cmd.arg("scan")
        .arg(format!("dir:{}", npm_fixture().display()))
        .arg("-q")
        .arg("-o")
        .arg(format!(
            "cyclonedx-json={}",
            dir.path().join("syft.cdx.json").display()
        ));
    run(cmd);
    let mut cmd = offline(&trivy);
    cmd.arg("fs");
    trivy_args(&mut cmd, &dir.path().join("cache"));
    cmd.args(["--scanners", "license", "--format", "cyclonedx", "-o"])
        .arg(dir.path().join("trivy.cdx.json"))
        .arg(npm_fixture());
    run(cmd);
    let from_syft = read_sbom(&dir.path().join("syft.cdx.json"));
    let from_trivy = read_sbom(&dir.path().join("trivy.cdx.json"));
    for s in [&from_syft, &from_trivy] {
        assert!(s.schema_errors.is_empty(), "{:?}", s.schema_errors);
    }
    let deps: BTreeSet<String> = [
        "pkg:npm/%40types/node@20.11.0",
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/lodash@4.17.20",
        "pkg:npm/minimist@1.2.5",
        "pkg:npm/undici-types@5.26.5",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // syft also lists the root package; trivy lists the lockfile itself.
    assert!(
        purls(&from_syft).is_superset(&deps),
        "{:?}",
        purls(&from_syft)
    );
    assert_eq!(purls(&from_trivy), deps);
    // Both SBOMs carry the lockfile's licences; ours read them the same.
    let licences = |s: &Sbom| -> BTreeMap<String, String> {
        s.components
            .iter()
            .filter_map(|c| {
                Some((
                    c.purl.as_ref()?.canonical().to_owned(),
                    judge(c, &Default::default()).expression,
                ))
            })
            .filter(|(p, _)| deps.contains(p))
            .collect()
    };
    assert_eq!(licences(&from_syft), licences(&from_trivy));
    assert_eq!(licences(&from_syft)["pkg:npm/left-pad@1.3.0"], "WTFPL");
    // The whole check runs on both.
    for file in ["syft.cdx.json", "trivy.cdx.json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ci-intel-vuln"))
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--sbom", file])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(out.status.code() == Some(0), "{file}: {report:#}");
        assert!(report["counts"]["components"].as_u64().unwrap() >= 5);
    }
}

/// trivy's licence scan of an SBOM and ours, on the same SBOM (juice-shop,
/// 1115 npm components): the same licence per package, and what trivy
/// cannot classify we call unknown.
#[test]
fn trivy_licence_output_matches_ours_on_the_same_sbom() {
    let Some(trivy) = tool("CI_INTEL_TRIVY", "trivy") else {
        return;
    };
    let Some(sbom_path) =
        corpus("supply-chain/cyclonedx/bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = offline(&trivy);
    cmd.arg("sbom");
    trivy_args(&mut cmd, &dir.path().join("cache"));
    cmd.args(["--scanners", "license", "--format", "json", "-o"])
        .arg(dir.path().join("licenses.json"))
        .arg(&sbom_path);
    run(cmd);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("licenses.json")).unwrap()).unwrap();
    let mut theirs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    let mut entries = 0usize;
    for result in report["Results"].as_array().unwrap() {
        for l in result["Licenses"].as_array().into_iter().flatten() {
            entries += 1;
            let pkg = l["PkgName"].as_str().unwrap().to_owned();
            let name = l["Name"]
                .as_str()
                .unwrap()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_owned();
            theirs.entry(pkg.clone()).or_default().insert(name);
            if l["Category"] == "unknown" {
                unknown.insert(pkg);
            }
        }
    }
    let sbom = read_sbom(&sbom_path);
    let mut ours: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut ours_unknown: BTreeSet<String> = BTreeSet::new();
    // trivy reports the root component's licence too.
    for c in sbom.components.iter().chain(sbom.root.iter()) {
        let name = c
            .purl
            .as_ref()
            .map(|p| p.display_name())
            .unwrap_or_else(|| c.name.clone());
        for decl in &c.licenses {
            ours.entry(name.clone()).or_default().insert(
                decl.text()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .to_owned(),
            );
        }
        if matches!(
            judge(c, &Default::default()).outcome,
            LicenseOutcome::Unknown { .. }
        ) && !c.licenses.is_empty()
        {
            ours_unknown.insert(name);
        }
    }
    // One entry per declared licence (1113, root included), over 829
    // distinct package names.
    let declared: usize = sbom
        .components
        .iter()
        .chain(sbom.root.iter())
        .map(|c| c.licenses.len())
        .sum();
    assert_eq!(entries, declared);
    assert!(theirs.len() > 800, "{}", theirs.len());
    let differ: Vec<String> = theirs
        .iter()
        .filter(|(pkg, names)| ours.get(*pkg) != Some(names))
        .map(|(pkg, names)| format!("{pkg}: trivy {names:?}, ours {:?}", ours.get(pkg)))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // Every licence trivy cannot classify is unknown to us as well.
    assert!(!unknown.is_empty());
    assert!(
        unknown.is_subset(&ours_unknown),
        "trivy unknown {unknown:?}, ours {ours_unknown:?}"
    );
}

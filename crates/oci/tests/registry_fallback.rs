//! Against the real CNCF distribution registry (Debian's `docker-registry`
//! 2.8, which has no referrers API, so every check here goes through the
//! tag schema fallback), loaded by the real `skopeo` with the regclient
//! test layouts, and with `oras` (PyPI) as a second client.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{DockerRegistry, bin, skopeo, skopeo_copy, testrepo, unique_repo};
use serde_json::Value;

const V1: &str = "sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa";
const V2: &str = "sha256:dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e";
const B1: &str = "sha256:119b4a63feeda91d4874578e7883994fc45772dd912aa49ba380f87507f6ad07";
const A1: &str = "sha256:0484e93c23cddf24a8400547119558312023295af241d4cd1eaf1b27145c5026";
const A_DOCKER_OCI: &str =
    "sha256:d910434391624641a9398ec921067e2dbd9a76aac69f120257906f811f0eecb8";
const MIRROR: &str = "sha256:0514ce64171e869a0b065fa1ce1b533e82808c9228d5b97ea6e3ef2e026d9aed";

struct Fixture {
    registry: DockerRegistry,
    repo: String,
    skopeo: PathBuf,
    layout: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Option<Fixture> {
        let layout = testrepo()?;
        let skopeo = skopeo()?;
        let registry = DockerRegistry::shared_or_start()?;
        Some(Fixture {
            registry,
            repo: unique_repo(name),
            skopeo,
            layout,
        })
    }

    /// Copy corpus tags into the repository.
    fn load(&self, tags: &[&str]) {
        for tag in tags {
            // Fallback tags hold indexes of artifacts, which skopeo can only
            // copy as the index itself (it rewrites it, dropping each entry's
            // artifactType: the checks must not need it).
            let index_only = tag.starts_with("sha256-") && *tag != MIRROR.replace(':', "-");
            skopeo_copy(
                &self.skopeo,
                &self.layout,
                tag,
                &self.registry.addr,
                &self.repo,
                index_only,
            );
        }
    }

    fn image(&self, digest: &str) -> String {
        format!("{}/{}@{digest}", self.registry.addr, self.repo)
    }

    fn referrers(&self, digest: &str, extra: &[&str]) -> (i32, Value, String) {
        let out = bin()
            .arg("referrers")
            .arg(self.image(digest))
            .args([
                "--insecure-registry",
                &self.registry.addr,
                "--format",
                "json",
            ])
            .args(["--type", "sbom=application/example.sbom"])
            .args(["--type", "signature=application/example.signature"])
            .args(extra)
            .output()
            .expect("run ci-intel-oci");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn push(&self, file: &Path, subject: &str, artifact_type: &str) -> String {
        let out = bin()
            .arg("push-evidence")
            .arg(file)
            .args(["--to", &format!("{}/{}", self.registry.addr, self.repo)])
            .args(["--subject", subject, "--artifact-type", artifact_type])
            .args(["--insecure-registry", &self.registry.addr])
            .output()
            .expect("run ci-intel-oci");
        assert!(
            out.status.success(),
            "push-evidence: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

fn rules_of(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["rule_id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn sbom_file() -> Option<PathBuf> {
    ci_intel_testkit::corpus(
        "supply-chain/cyclonedx/bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json",
    )
}

#[test]
fn the_fallback_finds_the_corpus_referrers_of_v2_and_says_so() {
    let Some(f) = Fixture::new("v2") else { return };
    f.load(&["v2", "a1", "a2", &V2.replace(':', "-")]);
    let (code, json, stderr) = f.referrers(V2, &["--require", "sbom,signature"]);
    assert_eq!(code, 0, "{json:#}\n{stderr}");
    let target = &json["targets"][0];
    assert_eq!(target["path"], "tag-schema");
    assert_eq!(target["fallback_tag"], V2.replace(':', "-"));
    let kinds: Vec<&str> = target["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["sbom", "signature"]);
    // skopeo dropped artifactType from the index entries; the types came
    // from each referrer's own manifest.
    assert_eq!(
        target["referrers"][0]["artifact_type"],
        "application/example.sbom"
    );
    assert_eq!(target["referrers"][0]["hangs_on"], V2);
}

#[test]
fn deny_missing_sbom() {
    let Some(f) = Fixture::new("nosbom") else {
        return;
    };
    f.load(&["v2", "a2", "a1", &V2.replace(':', "-")]);
    let (code, json, _) = f.referrers(V2, &["--require", "sbom,provenance"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(rules_of(&json), vec!["oci-required-missing"]);
    assert_eq!(json["targets"][0]["missing"][0], "provenance");
    // An image with no fallback tag at all: no SBOM.
    f.load(&["v1"]);
    let (code, json, _) = f.referrers(V1, &["--require", "sbom"]);
    assert_eq!(code, 1);
    assert!(
        json["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has no sbom referrer")
    );
}

#[test]
fn deny_a_referrer_whose_subject_is_another_digest() {
    let Some(f) = Fixture::new("othersubject") else {
        return;
    };
    f.load(&["v2", "a1", "a-docker-oci"]);
    // A fallback index for v2 that lists a1 (subject v2) and a-docker-oci,
    // whose own subject is v1's arm64 image.
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": A1, "size": 583},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": A_DOCKER_OCI, "size": 557, "artifactType": "application/example.sbom"},
        ]
    });
    let mut reg = registry(&f);
    let put = reg
        .put_manifest(
            &V2.replace(':', "-"),
            &serde_json::to_vec(&index).unwrap(),
            "application/vnd.oci.image.index.v1+json",
            None,
        )
        .unwrap();
    assert_eq!(put.status, 201);
    let (code, json, _) = f.referrers(V2, &["--require", "sbom"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(rules_of(&json), vec!["oci-referrer-subject-mismatch"]);
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(A_DOCKER_OCI) && message.contains("sha256:7e87ffc9"),
        "{message}"
    );
    // The forged entry does not count; the genuine SBOM still does.
    assert_eq!(json["targets"][0]["referrers"].as_array().unwrap().len(), 1);
}

#[test]
fn deny_a_fallback_tag_that_resolves_to_the_subject_itself() {
    let Some(f) = Fixture::new("mirror") else {
        return;
    };
    f.load(&["mirror", &MIRROR.replace(':', "-")]);
    let (code, json, _) = f.referrers(MIRROR, &["--require", "sbom"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        rules_of(&json),
        vec!["oci-fallback-is-subject", "oci-required-missing"]
    );
}

#[test]
fn deny_a_per_platform_sbom_missing_on_one_child_then_allow_when_pushed() {
    let Some(f) = Fixture::new("b1") else { return };
    let Some(sbom) = sbom_file() else { return };
    f.load(&["b1"]);
    let index: Value = serde_json::from_slice(
        &std::fs::read(f.layout.join("blobs/sha256").join(&B1[7..])).unwrap(),
    )
    .unwrap();
    let children: Vec<(String, String)> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let p = &m["platform"];
            let mut name = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(v) = p["variant"].as_str() {
                name = format!("{name}/{v}");
            }
            (m["digest"].as_str().unwrap().to_owned(), name)
        })
        .collect();
    assert_eq!(children.len(), 4);
    for (child, _) in &children[..3] {
        let digest = f.push(&sbom, child, "application/vnd.cyclonedx+json");
        assert!(digest.starts_with("sha256:"), "{digest}");
    }
    let (code, json, _) = f.referrers(B1, &["--require", "sbom", "--per-platform"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(rules_of(&json), vec!["oci-required-missing"]);
    let message = json["findings"][0]["message"].as_str().unwrap();
    let (last, platform) = &children[3];
    assert!(
        message.contains(last.as_str()) && message.contains(platform.as_str()),
        "{message}"
    );
    f.push(&sbom, last, "application/vnd.cyclonedx+json");
    let (code, json, _) = f.referrers(B1, &["--require", "sbom", "--per-platform", "--verify"]);
    assert_eq!(code, 0, "{json:#}");
    for target in json["targets"].as_array().unwrap() {
        assert_eq!(target["referrers"][0]["hangs_on"], target["digest"]);
        assert_eq!(target["referrers"][0]["verified"]["result"], "pass");
    }
}

#[test]
fn deny_an_unverifiable_provenance() {
    let Some(f) = Fixture::new("prov") else {
        return;
    };
    let Some(provenance) = ci_intel_testkit::corpus(
        "slsa/gha_generic/v2.1.0/binary-linux-amd64-push-v14.2.intoto.jsonl",
    ) else {
        return;
    };
    f.load(&["v2"]);
    // Real SLSA provenance, but for a binary, not for this image digest.
    f.push(&provenance, V2, "application/vnd.in-toto+json");
    let (code, json, stderr) = f.referrers(
        V2,
        &[
            "--require",
            "provenance",
            "--verify",
            "--source-uri",
            "github.com/slsa-framework/example-package",
        ],
    );
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    assert_eq!(rules_of(&json), vec!["oci-verify-failed"]);
    assert_eq!(
        json["targets"][0]["referrers"][0]["verified"]["result"],
        "fail"
    );
    // Without --verify the referrer is there: only verification denies.
    let (code, _, _) = f.referrers(V2, &["--require", "provenance"]);
    assert_eq!(code, 0);
    // --verify without an identity is a usage error, never a pass.
    let (code, _, stderr) = f.referrers(V2, &["--require", "provenance", "--verify"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn an_unreachable_registry_is_exit_3() {
    let port = common::free_port();
    let addr = format!("127.0.0.1:{port}");
    let out = bin()
        .arg("referrers")
        .arg(format!("{addr}/repo@{V2}"))
        .args(["--insecure-registry", &addr, "--require", "sbom"])
        .args(["--timeout", "2", "--retries", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("retry 1/1"), "{stderr}");
    assert!(stderr.contains("not a pass"), "{stderr}");
}

#[test]
fn plain_http_is_used_only_for_the_named_registry() {
    let Some(f) = Fixture::new("https") else {
        return;
    };
    f.load(&["v2"]);
    // Without --insecure-registry the client speaks TLS to a plain-HTTP
    // registry and fails: exit 3, never a downgrade.
    let out = bin()
        .arg("referrers")
        .arg(f.image(V2))
        .args(["--require", "sbom", "--retries", "0", "--timeout", "5"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn registry(f: &Fixture) -> ci_intel_oci::registry::Registry {
    ci_intel_oci::registry::Registry::new(
        &f.registry.addr,
        &f.repo,
        ci_intel_oci::registry::NetworkOptions {
            insecure: vec![f.registry.addr.clone()],
            ..Default::default()
        },
        &ci_intel_core::RunnerEnv::from_pairs([("HOME", "/nonexistent")]),
    )
    .unwrap()
}

fn fallback_entries(f: &Fixture, subject: &str) -> Vec<String> {
    let mut reg = registry(f);
    let tagged = reg
        .get_tag(&subject.replace(':', "-"))
        .unwrap()
        .expect("fallback tag");
    let index: Value = serde_json::from_slice(&tagged.fetched.bytes).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap().to_owned())
        .collect()
}

/// distribution 2.8 ignores If-Match, so here the push repairs what a
/// concurrent writer dropped (read back, put back, until two reads agree).
#[test]
fn eight_parallel_pushes_through_the_fallback_of_a_registry_ignoring_conditions_leave_eight() {
    let Some(f) = Fixture::new("parallel") else {
        return;
    };
    f.load(&["v2"]);
    let dir = tempfile::tempdir().unwrap();
    let digests: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let file = dir.path().join(format!("evidence-{n}.json"));
                std::fs::write(&file, format!("{{\"n\":{n}}}")).unwrap();
                let f = &f;
                s.spawn(move || f.push(&file, V2, "application/vnd.ci-intel.evidence.v1+json"))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut listed = fallback_entries(&f, V2);
    listed.sort();
    let mut pushed = digests;
    pushed.sort();
    assert_eq!(listed, pushed);
}

const ORAS_ATTACH: &str = r#"
import json, os, sys
import oras.provider, oras.oci
registry, repo, subject, subject_media_type, subject_size, path = sys.argv[1:7]
r = oras.provider.Registry(hostname=registry, insecure=True)
target = f"{registry}/{repo}:oras-attached"
# The pre-1.1 way of typing an artifact: the config media type.
config = os.path.join(os.path.dirname(path), "config.json")
open(config, "w").write("{}")
r.push(target=target, files=[path + ":application/spdx+json"],
       manifest_config=config + ":application/spdx+json",
       subject=oras.oci.Subject(mediaType=subject_media_type, digest=subject, size=int(subject_size)),
       disable_path_validation=True, manifest_annotations={"org.example": "oras"})
head = r.do_request(f"{r.prefix}://{registry}/v2/{repo}/manifests/oras-attached", "HEAD",
                    headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
digest = head.headers["Docker-Content-Digest"]
size = int(head.headers["Content-Length"])
manifest = r.get_manifest(target)
# oras-py pushes the manifest; on a registry without the referrers API the
# attaching client maintains the tag schema index, as `oras attach` does.
entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size,
         "artifactType": manifest.get("artifactType") or manifest["config"]["mediaType"],
         "annotations": manifest.get("annotations", {})}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [entry]}
tag = subject.replace(":", "-")
resp = r.do_request(f"{r.prefix}://{registry}/v2/{repo}/manifests/{tag}", "PUT",
                    data=json.dumps(index).encode(),
                    headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
assert resp.status_code == 201, resp.text
print(digest)
"#;

#[test]
fn what_oras_attaches_we_find() {
    let Some(f) = Fixture::new("orasattach") else {
        return;
    };
    let Some(python) = common::oras_python() else {
        return;
    };
    let Some(spdx) =
        ci_intel_testkit::corpus("supply-chain/spdx/tools-python/SPDXJSONExample-v2.3.spdx.json")
    else {
        return;
    };
    f.load(&["v2"]);
    let size = std::fs::metadata(f.layout.join("blobs/sha256").join(&V2[7..]))
        .unwrap()
        .len();
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("sbom.spdx.json");
    std::fs::copy(&spdx, &copy).unwrap();
    let attached = common::python(
        &python,
        ORAS_ATTACH,
        &[
            &f.registry.addr,
            &f.repo,
            V2,
            "application/vnd.oci.image.index.v1+json",
            &size.to_string(),
            copy.to_str().unwrap(),
        ],
    );
    let attached = attached.trim().lines().last().unwrap_or("").to_owned();
    let (code, json, stderr) = f.referrers(V2, &["--require", "sbom", "--verify"]);
    assert_eq!(code, 0, "{json:#}\n{stderr}");
    let r = &json["targets"][0]["referrers"][0];
    assert_eq!(r["digest"], attached.as_str());
    assert_eq!(r["kind"], "sbom");
    assert_eq!(r["verified"]["result"], "pass", "{r:#}");
}

const ORAS_READ_BACK: &str = r#"
import json, sys, tempfile, os
import oras.provider
registry, repo, subject, pushed = sys.argv[1:5]
r = oras.provider.Registry(hostname=registry, insecure=True)
index = r.get_manifest(f"{registry}/{repo}:{subject.replace(':', '-')}",
                       allowed_media_type=["application/vnd.oci.image.index.v1+json"])
entry = [m for m in index["manifests"] if m["digest"] == pushed][0]
manifest = r.get_manifest(f"{registry}/{repo}@{pushed}")
assert manifest["subject"]["digest"] == subject, manifest
out = tempfile.mkdtemp()
files = r.pull(target=f"{registry}/{repo}@{pushed}", outdir=out)
sys.stdout.write(json.dumps({"artifactType": entry.get("artifactType"), "files": files,
                             "content": open(files[0]).read()}))
"#;

#[test]
fn what_we_push_oras_reads_back() {
    let Some(f) = Fixture::new("orasread") else {
        return;
    };
    let Some(python) = common::oras_python() else {
        return;
    };
    f.load(&["v2"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evidence.json");
    std::fs::write(&file, "{\"gate\":\"oci\",\"verdict\":\"allow\"}").unwrap();
    let pushed = f.push(&file, V2, "application/vnd.ci-intel.evidence.v1+json");
    let out = common::python(
        &python,
        ORAS_READ_BACK,
        &[&f.registry.addr, &f.repo, V2, &pushed],
    );
    let read: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(
        read["artifactType"],
        "application/vnd.ci-intel.evidence.v1+json"
    );
    assert_eq!(read["content"], "{\"gate\":\"oci\",\"verdict\":\"allow\"}");
    assert!(
        read["files"][0]
            .as_str()
            .unwrap()
            .ends_with("evidence.json")
    );
}

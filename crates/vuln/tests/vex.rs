//! Every VEX edge case has its own test: expired, unsigned, wrong signer,
//! wrong version, wrong product, unmatched purl, qualifier mismatch; plus
//! the three formats waiving through their own scoping, the latest
//! statement winning, and real VEX from the corpus.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use base64::Engine as _;
use ci_intel_core::{Severity, Verdict};
use ci_intel_vuln::check::{self, CheckInputs, Decision};
use ci_intel_vuln::config::{VexSigner, VulnConfig};
use serde_json::{Value, json};
use support::{TestKey, dsse, fixed_now, in_toto};

const LOG4J: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
const PRODUCT: &str = "pkg:github/acme/app@1.0.0";
const SERIAL: &str = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";

fn sbom(log4j_purl: &str) -> Value {
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": SERIAL, "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app", "version": "1.0.0", "purl": PRODUCT}},
        "components": [{"type": "library", "bom-ref": "log4j", "name": "log4j-core", "version": "2.14.1", "purl": log4j_purl}],
        "dependencies": [{"ref": "app", "dependsOn": ["log4j"]}]
    })
}

fn grype(purl: &str) -> Value {
    json!({"matches": [{
        "vulnerability": {"id": "CVE-2021-44228", "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "metrics": {"baseScore": 10.0}}]},
        "artifact": {"name": "log4j-core", "version": "2.14.1", "purl": purl}
    }], "descriptor": {"name": "grype", "version": "0.96.0"}})
}

fn openvex(sub: &str, product: &str, timestamp: &str) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example/vex/1",
        "author": "Acme", "timestamp": timestamp, "version": 1,
        "statements": [{
            "vulnerability": {"name": "CVE-2021-44228"},
            "products": [{"@id": product, "subcomponents": [{"@id": sub}]}],
            "status": "not_affected", "justification": "vulnerable_code_not_present"
        }]
    })
}

/// A case on disk: SBOM, findings, VEX (as given), trusted key.
struct Case {
    dir: tempfile::TempDir,
    key: TestKey,
}

impl Case {
    fn new(sbom_purl: &str, finding_purl: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sbom.json"), sbom(sbom_purl).to_string()).unwrap();
        std::fs::write(
            dir.path().join("grype.json"),
            grype(finding_purl).to_string(),
        )
        .unwrap();
        let key = TestKey::p256();
        std::fs::write(dir.path().join("vex-key.pub"), key.public_pem()).unwrap();
        Case { dir, key }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Write `vex` wrapped in a DSSE envelope signed by `key`.
    fn signed_vex(&self, name: &str, vex: &Value, key: &TestKey) {
        let bytes = vex.to_string().into_bytes();
        std::fs::write(
            self.path(name),
            dsse(&in_toto(&bytes), "application/vnd.in-toto+json", key),
        )
        .unwrap();
    }

    fn judge(&self, vex: &[&str], tweak: impl FnOnce(&mut VulnConfig)) -> check::Evaluation {
        let mut config = VulnConfig {
            vex_signers: vec![VexSigner {
                key: Some("vex-key.pub".into()),
                identity: None,
                identity_regexp: None,
                issuer: None,
            }],
            ..VulnConfig::default()
        };
        tweak(&mut config);
        let inputs = CheckInputs {
            sboms: vec![self.path("sbom.json")],
            findings: vec![self.path("grype.json")],
            vex: vex.iter().map(|v| self.path(v)).collect(),
            root: Some(self.dir.path().to_path_buf()),
            ..CheckInputs::default()
        };
        let settings =
            check::settings(config, self.dir.path(), fixed_now(), Severity::High).unwrap();
        check::evaluate(&inputs, &settings).unwrap()
    }
}

fn rules(e: &check::Evaluation) -> Vec<&str> {
    let mut r: Vec<&str> = e.findings.iter().map(|f| f.rule_id.as_str()).collect();
    r.sort_unstable();
    r
}

fn message<'a>(e: &'a check::Evaluation, rule: &str) -> &'a str {
    &e.findings
        .iter()
        .find(|f| f.rule_id == rule)
        .unwrap_or_else(|| panic!("no {rule}: {:#?}", e.findings))
        .message
}

#[test]
fn a_signed_fresh_exact_statement_waives() {
    let case = Case::new(LOG4J, LOG4J);
    case.signed_vex(
        "vex.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-waiver"]);
    assert_eq!(e.verdict, Verdict::Allow);
    assert_eq!(e.vulnerabilities[0].decision, Decision::Waived);
    assert!(
        message(&e, "vex-waiver").contains("valid until 2025-10-30"),
        "{}",
        message(&e, "vex-waiver")
    );
    // Without the VEX the same finding denies.
    let bare = case.judge(&[], |_| {});
    assert_eq!(rules(&bare), ["vuln-risk"]);
    assert_eq!(bare.verdict, Verdict::Deny);
}

#[test]
fn expired_statement_waives_nothing_and_is_reported() {
    let case = Case::new(LOG4J, LOG4J);
    case.signed_vex(
        "vex.json",
        &openvex(LOG4J, PRODUCT, "2025-05-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-expired", "vuln-risk"]);
    assert!(message(&e, "vex-expired").contains("expired on 2025-07-30"));
    // A longer TTL makes the same statement valid.
    let longer = case.judge(&["vex.json"], |c| c.vex_ttl_days = 180);
    assert_eq!(rules(&longer), ["vex-waiver"]);
    // An explicit expiry shortens a valid TTL.
    let mut vex = openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z");
    vex["statements"][0]["ci-intel:expires"] = json!("2025-08-10T00:00:00Z");
    case.signed_vex("vex2.json", &vex, &case.key);
    let e = case.judge(&["vex2.json"], |c| c.vex_ttl_days = 365);
    assert_eq!(rules(&e), ["vex-expired", "vuln-risk"]);
    // No timestamp at all: no age, so expired.
    let mut vex = openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z");
    vex.as_object_mut().unwrap().remove("timestamp");
    case.signed_vex("vex3.json", &vex, &case.key);
    let e = case.judge(&["vex3.json"], |_| {});
    assert!(message(&e, "vex-expired").contains("has no timestamp"));
}

#[test]
fn unsigned_statement_waives_nothing() {
    let case = Case::new(LOG4J, LOG4J);
    std::fs::write(
        case.path("vex.json"),
        openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z").to_string(),
    )
    .unwrap();
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unsigned", "vuln-risk"]);
    assert!(message(&e, "vex-unsigned").contains("not signed"));
    assert_eq!(e.verdict, Verdict::Deny);
    // Allowed unsigned (org-lockable loosening): waives, still reported low.
    let loose = case.judge(&["vex.json"], |c| c.require_signed_vex = false);
    assert_eq!(rules(&loose), ["vex-unsigned", "vex-waiver"]);
    assert_eq!(
        loose
            .findings
            .iter()
            .find(|f| f.rule_id == "vex-unsigned")
            .unwrap()
            .severity,
        Severity::Low
    );
    // No signer configured at all: nothing is trusted.
    case.signed_vex(
        "signed.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let none = case.judge(&["signed.json"], |c| c.vex_signers.clear());
    assert_eq!(rules(&none), ["vex-unsigned", "vuln-risk"]);
}

#[test]
fn wrong_signer_and_tampering_waive_nothing() {
    let case = Case::new(LOG4J, LOG4J);
    let other = TestKey::ed25519();
    case.signed_vex(
        "vex.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &other,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unsigned", "vuln-risk"]);
    assert!(message(&e, "vex-unsigned").contains("verifies with the configured key"));
    // The right key, then one byte of the payload changed.
    case.signed_vex(
        "good.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let mut envelope: Value =
        serde_json::from_slice(&std::fs::read(case.path("good.json")).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut payload = b64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let text = String::from_utf8(payload.clone())
        .unwrap()
        .replace("2025-08-01", "2025-08-02");
    payload = text.into_bytes();
    envelope["payload"] = json!(b64.encode(&payload));
    std::fs::write(case.path("tampered.json"), envelope.to_string()).unwrap();
    let e = case.judge(&["tampered.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unsigned", "vuln-risk"]);
    // An Ed25519 signer key verifies its own envelopes.
    std::fs::write(case.path("ed.pub"), other.public_pem()).unwrap();
    let e = case.judge(&["vex.json"], |c| {
        c.vex_signers[0].key = Some("ed.pub".into())
    });
    assert_eq!(rules(&e), ["vex-waiver"]);
}

#[test]
fn wrong_version_is_unmatched_with_the_versions_named() {
    let case = Case::new(LOG4J, LOG4J);
    let other = "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1";
    case.signed_vex(
        "vex.json",
        &openvex(other, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unmatched", "vuln-risk"]);
    let m = message(&e, "vex-unmatched");
    assert!(
        m.contains("version mismatch") && m.contains("2.17.1") && m.contains("2.14.1"),
        "{m}"
    );
    // The miss leaves a risky finding of that vulnerability: high.
    assert_eq!(
        e.findings
            .iter()
            .find(|f| f.rule_id == "vex-unmatched")
            .unwrap()
            .severity,
        Severity::High
    );
}

#[test]
fn wrong_product_is_unmatched() {
    let case = Case::new(LOG4J, LOG4J);
    case.signed_vex(
        "vex.json",
        &openvex(LOG4J, "pkg:github/acme/other@1.0.0", "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unmatched", "vuln-risk"]);
    assert!(
        message(&e, "vex-unmatched")
            .contains("wrong product: the statement is for pkg:github/acme/other@1.0.0"),
        "{}",
        message(&e, "vex-unmatched")
    );
    // Another version of this product is the wrong product too.
    case.signed_vex(
        "v2.json",
        &openvex(LOG4J, "pkg:github/acme/app@2.0.0", "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["v2.json"], |_| {});
    assert!(
        message(&e, "vex-unmatched").contains("version mismatch"),
        "{}",
        message(&e, "vex-unmatched")
    );
    // A component named as the product, without this product.
    let mut vex = openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z");
    vex["statements"][0]["products"] = json!([{"@id": LOG4J}]);
    case.signed_vex("v3.json", &vex, &case.key);
    let e = case.judge(&["v3.json"], |_| {});
    assert!(
        message(&e, "vex-unmatched").contains("as the product"),
        "{}",
        message(&e, "vex-unmatched")
    );
    // vuln.product names the product when the SBOM does not.
    let e = case.judge(&["vex.json"], |c| {
        c.product = Some("pkg:github/acme/other@1.0.0".into())
    });
    assert_eq!(rules(&e), ["vex-waiver"]);
}

#[test]
fn unmatched_purl_and_missing_finding_are_reported() {
    let case = Case::new(LOG4J, LOG4J);
    case.signed_vex(
        "vex.json",
        &openvex("pkg:npm/left-pad@1.3.0", PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let e = case.judge(&["vex.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unmatched", "vuln-risk"]);
    assert!(message(&e, "vex-unmatched").contains("no component pkg:npm/left-pad@1.3.0"));
    // Medium: no risky finding on that package is left.
    assert_eq!(
        e.findings
            .iter()
            .find(|f| f.rule_id == "vex-unmatched")
            .unwrap()
            .severity,
        Severity::Medium
    );
    let mut vex = openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z");
    vex["statements"][0]["vulnerability"]["name"] = json!("CVE-2099-0001");
    case.signed_vex("stale.json", &vex, &case.key);
    let e = case.judge(&["stale.json"], |_| {});
    assert!(message(&e, "vex-unmatched").contains("no finding of CVE-2099-0001"));
}

#[test]
fn qualifier_mismatch_never_waives_silently() {
    let sbom_purl = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar";
    let case = Case::new(sbom_purl, sbom_purl);
    // A qualifier the SBOM has with another value: no waiver, a finding.
    case.signed_vex(
        "pom.json",
        &openvex(
            &format!("{LOG4J}?type=pom"),
            PRODUCT,
            "2025-08-01T00:00:00Z",
        ),
        &case.key,
    );
    let e = case.judge(&["pom.json"], |_| {});
    assert_eq!(rules(&e), ["vex-unmatched", "vuln-risk"]);
    let m = message(&e, "vex-unmatched");
    assert!(
        m.contains("qualifier mismatch") && m.contains("type=pom") && m.contains("type=jar"),
        "{m}"
    );
    // A qualifier the SBOM lacks: the same.
    case.signed_vex(
        "classifier.json",
        &openvex(
            &format!("{LOG4J}?type=jar&classifier=sources"),
            PRODUCT,
            "2025-08-01T00:00:00Z",
        ),
        &case.key,
    );
    let e = case.judge(&["classifier.json"], |_| {});
    assert!(message(&e, "vex-unmatched").contains("no classifier in the SBOM"));
    // Fewer qualifiers (a subset) match, in any order and encoding.
    case.signed_vex(
        "subset.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    assert_eq!(rules(&case.judge(&["subset.json"], |_| {})), ["vex-waiver"]);
    case.signed_vex(
        "same.json",
        &openvex(
            "PKG:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
            PRODUCT,
            "2025-08-01T00:00:00Z",
        ),
        &case.key,
    );
    assert_eq!(rules(&case.judge(&["same.json"], |_| {})), ["vex-waiver"]);
}

#[test]
fn the_latest_statement_is_the_current_one() {
    let case = Case::new(LOG4J, LOG4J);
    case.signed_vex(
        "old.json",
        &openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z"),
        &case.key,
    );
    let mut affected = openvex(LOG4J, PRODUCT, "2025-08-20T00:00:00Z");
    affected["statements"][0]["status"] = json!("affected");
    affected["statements"][0]
        .as_object_mut()
        .unwrap()
        .remove("justification");
    case.signed_vex("new.json", &affected, &case.key);
    let e = case.judge(&["old.json", "new.json"], |_| {});
    assert_eq!(rules(&e), ["vuln-risk"]);
    // Not justified: no waiver, reported.
    let mut bare = openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z");
    bare["statements"][0]
        .as_object_mut()
        .unwrap()
        .remove("justification");
    case.signed_vex("bare.json", &bare, &case.key);
    assert_eq!(
        rules(&case.judge(&["bare.json"], |_| {})),
        ["vex-unjustified", "vuln-risk"]
    );
}

#[test]
fn cyclonedx_bom_link_and_csaf_relationship_waive() {
    let case = Case::new(LOG4J, LOG4J);
    let cdx = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"timestamp": "2025-08-01T00:00:00Z"},
        "vulnerabilities": [{
            "id": "CVE-2021-44228",
            "analysis": {"state": "not_affected", "justification": "code_not_reachable", "lastUpdated": "2025-08-01T00:00:00Z"},
            "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#log4j"}]
        }]
    });
    case.signed_vex("cdx.json", &cdx, &case.key);
    assert_eq!(rules(&case.judge(&["cdx.json"], |_| {})), ["vex-waiver"]);
    // A BOM-Link into another BOM is the wrong product.
    let mut other = cdx;
    other["vulnerabilities"][0]["affects"][0]["ref"] =
        json!("urn:cdx:00000000-0000-0000-0000-000000000000/1#log4j");
    case.signed_vex("cdx-other.json", &other, &case.key);
    let e = case.judge(&["cdx-other.json"], |_| {});
    assert!(message(&e, "vex-unmatched").contains("wrong product"));
    let csaf = json!({
        "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
            "publisher": {"category": "vendor", "name": "Acme", "namespace": "https://acme.example"},
            "tracking": {"id": "ACME-1", "current_release_date": "2025-08-01T00:00:00Z", "initial_release_date": "2025-08-01T00:00:00Z",
                         "revision_history": [], "status": "final", "version": "1"}},
        "product_tree": {
            "full_product_names": [
                {"product_id": "APP", "name": "app 1.0.0", "product_identification_helper": {"purl": PRODUCT}},
                {"product_id": "LOG4J", "name": "log4j-core 2.14.1", "product_identification_helper": {"purl": LOG4J}}
            ],
            "relationships": [{"category": "default_component_of", "product_reference": "LOG4J", "relates_to_product_reference": "APP",
                               "full_product_name": {"product_id": "APP:LOG4J", "name": "log4j in app"}}]
        },
        "vulnerabilities": [{"cve": "CVE-2021-44228", "product_status": {"known_not_affected": ["APP:LOG4J"]},
                             "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["APP:LOG4J"]}]}]
    });
    case.signed_vex("csaf.json", &csaf, &case.key);
    let e = case.judge(&["csaf.json"], |_| {});
    assert_eq!(rules(&e), ["vex-waiver"]);
    assert!(message(&e, "vex-waiver").contains("vulnerable_code_not_in_execute_path"));
}

/// A Sigstore bundle beside a document, verified by ci-intel-attest's
/// library against identities and keys. Real bundles from the Sigstore
/// conformance suite sign `a.txt`: its bytes stand in for the document
/// (the signature check reads the file, whatever it holds), so this is the
/// production path end to end, keyless (Fulcio, Rekor) and managed-key.
#[test]
fn a_detached_sigstore_bundle_is_verified_against_identities_and_keys() {
    use ci_intel_attest::{IdentityPolicy, Instance, TrustSelection};
    use ci_intel_vuln::vex::signature::{Signer, check};
    let Some(cases) = ci_intel_testkit::corpus("sigstore-conformance/bundle-verify") else {
        return;
    };
    let doc = ci_intel_vuln::vex::parse_vex(
        openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z")
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("vex.json");
    std::fs::copy(cases.join("a.txt"), &file).unwrap();
    let bundle = work.path().join("vex.json.sigstore.json");
    let identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    let issuer = "https://token.actions.githubusercontent.com";
    let public_good = TrustSelection::Embedded(Instance::PublicGood);
    let signer = |id: &str| Signer::Identity {
        identity: IdentityPolicy::Exact(id.to_owned()),
        issuer: issuer.to_owned(),
    };

    // Keyless: the configured identity verifies; another does not.
    std::fs::copy(cases.join("happy-path-v0.3/bundle.sigstore.json"), &bundle).unwrap();
    let ok = check(&doc, &file, &[signer(identity)], &public_good);
    assert!(ok.verified, "{ok:?}");
    assert_eq!(ok.method, "sigstore-bundle");
    assert_eq!(
        ok.signer.as_deref(),
        Some(format!("{identity} (issuer {issuer})").as_str())
    );
    let wrong = check(
        &doc,
        &file,
        &[signer(
            "https://github.com/acme/app/.github/workflows/vex.yml@refs/heads/main",
        )],
        &public_good,
    );
    assert!(!wrong.verified, "{wrong:?}");
    // The document changed after signing: refused.
    std::fs::write(&file, b"{}").unwrap();
    let altered = check(&doc, &file, &[signer(identity)], &public_good);
    assert!(!altered.verified, "{altered:?}");
    std::fs::copy(cases.join("a.txt"), &file).unwrap();

    // Managed key: its key verifies, another key does not.
    let managed = cases.join("managed-key-happy-path");
    std::fs::copy(managed.join("bundle.sigstore.json"), &bundle).unwrap();
    let trust = if managed.join("trusted_root.json").is_file() {
        TrustSelection::File(managed.join("trusted_root.json"))
    } else {
        public_good.clone()
    };
    let key = Signer::key(managed.join("key.pub"), "key.pub".into()).unwrap();
    let ok = check(&doc, &file, &[key], &trust);
    assert!(ok.verified, "{ok:?}");
    let other = TestKey::p256();
    std::fs::write(work.path().join("other.pub"), other.public_pem()).unwrap();
    let other = Signer::key(work.path().join("other.pub"), "other.pub".into()).unwrap();
    let refused = check(&doc, &file, &[other], &trust);
    assert!(!refused.verified, "{refused:?}");
    // An identity cannot vouch for a managed-key bundle.
    assert!(!check(&doc, &file, &[signer(identity)], &trust).verified);
    // No bundle beside the document: unsigned.
    std::fs::remove_file(&bundle).unwrap();
    let none = check(&doc, &file, &[signer(identity)], &public_good);
    assert!(
        !none.verified && none.detail.contains("not signed"),
        "{none:?}"
    );
}

/// trivy's gomod scan and the OpenVEX it was filtered with: the one
/// finding trivy dropped is the one the VEX waives here.
#[test]
fn trivy_gomod_vex_waives_exactly_what_trivy_dropped() {
    let Some(dir) = ci_intel_testkit::corpus("supply-chain/scanner-output/trivy") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let key = TestKey::p256();
    std::fs::write(work.path().join("vex-key.pub"), key.public_pem()).unwrap();
    let vex = std::fs::read(dir.join("vex-input/openvex.json")).unwrap();
    std::fs::write(
        work.path().join("vex.json"),
        dsse(&vex, "application/vnd.openvex+json", &key),
    )
    .unwrap();
    let config = VulnConfig {
        // Every finding is "risky", so the VEX decides alone; the VEX is
        // from 2024, so a long TTL.
        block_at: 0.0,
        vex_ttl_days: 3650,
        product: Some("pkg:golang/github.com/testdata/testdata".into()),
        vex_signers: vec![VexSigner {
            key: Some("vex-key.pub".into()),
            identity: None,
            identity_regexp: None,
            issuer: None,
        }],
        ..VulnConfig::default()
    };
    let inputs = CheckInputs {
        findings: vec![dir.join("gomod.json.golden")],
        vex: vec![work.path().join("vex.json")],
        ..CheckInputs::default()
    };
    let settings = check::settings(config, work.path(), fixed_now(), Severity::High).unwrap();
    let e = check::evaluate(&inputs, &settings).unwrap();
    let waived: Vec<String> = e
        .vulnerabilities
        .iter()
        .filter(|v| v.decision == Decision::Waived)
        .map(|v| {
            format!(
                "{}:{}@{}",
                v.id,
                v.package,
                v.version.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        waived,
        ["CVE-2022-23628:github.com/open-policy-agent/opa@v0.35.0"]
    );
    // What still blocks is exactly what trivy kept with the VEX.
    let kept = ci_intel_vuln::scan::parse_findings(
        &std::fs::read(dir.join("gomod-vex.json.golden")).unwrap(),
    )
    .unwrap();
    let mut expected: Vec<String> = kept
        .findings
        .iter()
        .map(|f| format!("{}:{}", f.id, f.package))
        .collect();
    expected.sort();
    expected.dedup();
    let mut blocking: Vec<String> = e
        .vulnerabilities
        .iter()
        .filter(|v| v.decision == Decision::Blocks)
        .map(|v| format!("{}:{}", v.id, v.package))
        .collect();
    blocking.sort();
    blocking.dedup();
    assert_eq!(blocking, expected);
}

/// The CycloneDX bom-examples VEX points with a BOM-Link into a BOM whose
/// serial number is not that of the bom.json beside it: VEX and SBOM do
/// not refer to each other, which is reported, not waived.
#[test]
fn cyclonedx_examples_vex_and_bom_do_not_refer_to_each_other() {
    let Some(dir) = ci_intel_testkit::corpus("supply-chain/cyclonedx/bom-examples/VEX") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let inputs = CheckInputs {
        sboms: vec![dir.join("bom.json")],
        vex: vec![dir.join("vex.json")],
        root: Some(dir.clone()),
        ..CheckInputs::default()
    };
    let config = VulnConfig {
        require_signed_vex: false,
        ..VulnConfig::default()
    };
    let settings = check::settings(config, work.path(), fixed_now(), Severity::High).unwrap();
    let e = check::evaluate(&inputs, &settings).unwrap();
    let m = message(&e, "vex-unmatched");
    assert!(m.contains("wrong product") && m.contains("3e671687"), "{m}");
    assert!(Path::new(&dir.join("bom.json")).is_file());
}

/// DSSE envelopes made by a real peer: securesystemslib (the in-toto
/// project's signing library, PyPI), with ECDSA P-256, Ed25519 and RSA
/// keys; verified by our reader with the public key it exports.
#[test]
fn dsse_envelopes_signed_by_securesystemslib_verify() {
    let Some(python) = ci_intel_testkit::tool("CI_INTEL_SSLIB_PYTHON", "python3-securesystemslib")
    else {
        return;
    };
    const SIGN: &str = r#"
import json, sys
from securesystemslib.signer import CryptoSigner
from securesystemslib.dsse import Envelope
kind, vex_path, out_env, out_pub = sys.argv[1:5]
signer = {"ecdsa": CryptoSigner.generate_ecdsa, "ed25519": CryptoSigner.generate_ed25519, "rsa": CryptoSigner.generate_rsa}[kind]()
envelope = Envelope(payload=open(vex_path, "rb").read(), payload_type="application/vnd.openvex+json", signatures={})
envelope.sign(signer)
json.dump(envelope.to_dict(), open(out_env, "w"))
public = signer.public_key.to_dict()["keyval"]["public"]
if not public.startswith("-----BEGIN PUBLIC KEY-----"):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
open(out_pub, "w").write(public)
"#;
    let case = Case::new(LOG4J, LOG4J);
    std::fs::write(
        case.path("plain.json"),
        openvex(LOG4J, PRODUCT, "2025-08-01T00:00:00Z").to_string(),
    )
    .unwrap();
    for kind in ["ecdsa", "ed25519", "rsa"] {
        let env = format!("{kind}.dsse.json");
        let key = format!("{kind}.pub");
        let out = std::process::Command::new(&python)
            .arg("-c")
            .arg(SIGN)
            .arg(kind)
            .arg(case.path("plain.json"))
            .arg(case.path(&env))
            .arg(case.path(&key))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let e = case.judge(&[&env], |c| c.vex_signers[0].key = Some(key.clone()));
        assert_eq!(rules(&e), ["vex-waiver"], "{kind}: {:#?}", e.vex);
        assert_eq!(e.vex[0].signature.method, "dsse");
        // Another key (the case's own) refuses it.
        let e = case.judge(&[&env], |_| {});
        assert_eq!(rules(&e), ["vex-unsigned", "vuln-risk"], "{kind}");
    }
}

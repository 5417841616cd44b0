#!/usr/bin/env python3
"""Deterministic synthetic input for the ci-intel-vuln benchmark
(docs/benchmarks.md): a CycloneDX 1.6 SBOM with 5,000 npm components and a
dependency graph, a grype JSON report with 20,000 findings, an OpenVEX
document with 2,000 statements wrapped in a DSSE envelope signed with a
fresh Ed25519 key (needs `cryptography`), a full-size EPSS CSV (300,000
rows), and a copy of the real KEV catalog (1,404 entries).

    python3 make_input.py OUT_DIR [KEV_JSON]

Same output every run except the VEX signature (a new key each run).
"""
import base64
import json
import os
import random
import sys

COMPONENTS = 5000
FINDINGS = 20000
STATEMENTS = 2000
EPSS_ROWS = 300000
PRODUCT = "pkg:github/acme/bench-app@1.0.0"
LICENSES = ["MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "MIT OR Apache-2.0", "GPL-3.0-only", "BSD-2-Clause", "Unlicense"]


def main():
    out = sys.argv[1]
    kev_path = sys.argv[2] if len(sys.argv) > 2 else None
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20250826)

    kev_ids = []
    if kev_path:
        with open(kev_path) as f:
            kev = json.load(f)
        kev["dateReleased"] = "2025-08-25T17:04:19.9796Z"
        kev_ids = [v["cveID"] for v in kev["vulnerabilities"]]
        with open(os.path.join(out, "kev.json"), "w") as f:
            json.dump(kev, f)

    components = []
    for i in range(COMPONENTS):
        name = f"pkg-{i:05d}"
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 50)}"
        components.append({
            "type": "library", "bom-ref": f"c{i}", "name": name, "version": version,
            "purl": f"pkg:npm/{name}@{version}",
            "licenses": [{"expression": rng.choice(LICENSES)}],
        })
    deps = [{"ref": "app", "dependsOn": [f"c{i}" for i in range(0, COMPONENTS, 50)]}]
    for i in range(COMPONENTS):
        children = [f"c{j}" for j in rng.sample(range(COMPONENTS), 2) if j != i]
        deps.append({"ref": f"c{i}", "dependsOn": children})
    sbom = {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:7d5b4a3c-1e2f-4a5b-9c8d-0e1f2a3b4c5d", "version": 1,
        "metadata": {"timestamp": "2025-08-25T00:00:00Z",
                     "component": {"type": "application", "bom-ref": "app", "name": "bench-app", "version": "1.0.0", "purl": PRODUCT}},
        "components": components, "dependencies": deps,
    }
    with open(os.path.join(out, "sbom.cdx.json"), "w") as f:
        json.dump(sbom, f)

    vectors = [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N", 4.4),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", None),
    ]
    matches = []
    finding_cves = []
    for i in range(FINDINGS):
        c = components[i % COMPONENTS]
        if kev_ids and i % 97 == 0:
            cve = kev_ids[(i // 97) % len(kev_ids)]
        else:
            cve = f"CVE-{2015 + i % 10}-{10000 + i}"
        finding_cves.append((cve, c))
        vector, score = vectors[i % len(vectors)]
        matches.append({
            "vulnerability": {
                "id": cve, "severity": "High",
                "cvss": [{"source": "nvd", "version": vector.split("/")[0][5:], "vector": vector,
                          "metrics": {"baseScore": score} if score else {}}],
                "fix": {"versions": [], "state": "unknown"},
            },
            "relatedVulnerabilities": [],
            "artifact": {"name": c["name"], "version": c["version"], "type": "npm", "purl": c["purl"]},
        })
    with open(os.path.join(out, "grype.json"), "w") as f:
        json.dump({"matches": matches, "source": {"type": "directory", "target": "."},
                   "descriptor": {"name": "grype", "version": "0.96.0"}}, f)

    statements = []
    for i in range(STATEMENTS):
        cve, c = finding_cves[i * (FINDINGS // STATEMENTS)]
        statements.append({
            "vulnerability": {"name": cve},
            "products": [{"@id": PRODUCT, "subcomponents": [{"@id": c["purl"]}]}],
            "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
            "timestamp": "2025-08-01T00:00:00Z",
        })
    vex = json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example/vex/bench",
                      "author": "Acme", "timestamp": "2025-08-01T00:00:00Z", "version": 1,
                      "statements": statements}).encode()
    with open(os.path.join(out, "vex.unsigned.json"), "wb") as f:
        f.write(vex)
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        key = Ed25519PrivateKey.generate()
        ptype = "application/vnd.openvex+json"
        pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype.encode(), len(vex), vex)
        envelope = {"payloadType": ptype, "payload": base64.b64encode(vex).decode(),
                    "signatures": [{"keyid": "", "sig": base64.b64encode(key.sign(pae)).decode()}]}
        with open(os.path.join(out, "vex.json"), "w") as f:
            json.dump(envelope, f)
        with open(os.path.join(out, "vex-key.pub"), "wb") as f:
            f.write(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    except ImportError:
        print("cryptography is not installed: only vex.unsigned.json was written", file=sys.stderr)

    wanted = {cve for cve, _ in finding_cves}
    rows = sorted(wanted)
    n = 0
    while len(rows) < EPSS_ROWS:
        cand = f"CVE-{1999 + n % 27}-{n:07d}"
        n += 1
        if cand not in wanted:
            rows.append(cand)
    with open(os.path.join(out, "epss.csv"), "w") as f:
        f.write("#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\ncve,epss,percentile\n")
        for cve in rows:
            e = rng.random() ** 4
            f.write(f"{cve},{e:.5f},{min(1.0, e ** 0.25):.5f}\n")
    with open(os.path.join(out, "config.yml"), "w") as f:
        f.write("version: 1\nvuln:\n  vex_signers: [{key: vex-key.pub}]\n  licenses: {deny: [GPL-3.0-only]}\n")


if __name__ == "__main__":
    main()

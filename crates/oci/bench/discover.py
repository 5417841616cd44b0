# The same discovery as `ci-intel-oci referrers IMAGE --per-platform
# --require sbom`, with oras-py (PyPI `oras`, whose Registry client has no
# referrers support of its own): for each platform image of the index, ask
# the referrers API, on 404 read the `sha256-<hex>` tag schema index, then
# fetch each listed referrer's manifest and check its subject and type.
# Exit 1 if a platform lacks an SBOM.
import sys
import oras.provider
registry, repo, index = sys.argv[1:4]
r = oras.provider.Registry(hostname=registry, insecure=True)
base = f"{r.prefix}://{registry}/v2/{repo}"
accept = {"Accept": "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"}
idx = r.do_request(f"{base}/manifests/{index}", "GET", headers=accept).json()
sbom = ("application/spdx+json", "application/vnd.cyclonedx+json")
missing = 0
for child in idx["manifests"]:
    p = child.get("platform", {})
    if p.get("os") == "unknown":
        continue
    d = child["digest"]
    resp = r.do_request(f"{base}/referrers/{d}", "GET", headers=accept)
    if resp.status_code == 404:
        resp = r.do_request(f"{base}/manifests/{d.replace(':', '-')}", "GET", headers=accept)
        entries = resp.json().get("manifests", []) if resp.status_code == 200 else []
    else:
        entries = resp.json().get("manifests", [])
    found = False
    for e in entries:
        m = r.do_request(f"{base}/manifests/{e['digest']}", "GET", headers=accept).json()
        t = m.get("artifactType") or m.get("config", {}).get("mediaType")
        if m.get("subject", {}).get("digest") == d and t in sbom:
            found = True
    missing += not found
print(f"{len(idx['manifests'])} platforms, {missing} without SBOM")
sys.exit(1 if missing else 0)

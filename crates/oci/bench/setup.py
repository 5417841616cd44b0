# Build a 10-platform index in REGISTRY/REPO (plain HTTP) with oras-py's
# HTTP layer: one config blob and image manifest per platform, the index
# tagged `multi`. Prints the index digest and the child digests.
import hashlib, json, sys
import oras.provider
registry, repo = sys.argv[1:3]
r = oras.provider.Registry(hostname=registry, insecure=True)
base = f"{r.prefix}://{registry}/v2/{repo}"
def blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    resp = r.do_request(f"{base}/blobs/uploads/", "POST")
    assert resp.status_code == 202, resp.text
    loc = resp.headers["Location"]
    if loc.startswith("/"):
        loc = f"{r.prefix}://{registry}{loc}"
    sep = "&" if "?" in loc else "?"
    resp = r.do_request(f"{loc}{sep}digest={d}", "PUT", data=data,
                        headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 201, resp.text
    return d
def manifest(doc, ref, mt):
    data = json.dumps(doc, separators=(",", ":")).encode()
    resp = r.do_request(f"{base}/manifests/{ref}", "PUT", data=data, headers={"Content-Type": mt})
    assert resp.status_code == 201, resp.text
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
platforms = [("linux", a, v) for a, v in [("amd64", None), ("arm64", None), ("arm", "v7"), ("arm", "v6"),
             ("386", None), ("ppc64le", None), ("s390x", None), ("riscv64", None), ("mips64le", None), ("loong64", None)]]
children = []
layer = blob(b"layer")
for os_, arch, variant in platforms:
    cfg = {"architecture": arch, "os": os_}
    if variant: cfg["variant"] = variant
    cfg = json.dumps(cfg).encode()
    c = blob(cfg)
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c, "size": len(cfg)},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": 5}]}
    d, size = manifest(m, f"p-{arch}{variant or ''}", m["mediaType"])
    p = {"os": os_, "architecture": arch}
    if variant: p["variant"] = variant
    children.append({"mediaType": m["mediaType"], "digest": d, "size": size, "platform": p})
idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": children}
d, _ = manifest(idx, "multi", idx["mediaType"])
print(d)
for c in children: print(c["digest"])

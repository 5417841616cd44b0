#!/usr/bin/env bash
# Write dist/manifest.json for a release from a directory of built assets.
#
#   scripts/write-manifest.sh VERSION DOWNLOAD_BASE ASSET_DIR > dist/manifest.json
#
# Asset files are named `<binary>-<target>[.exe]`, as scripts/repro-build.sh
# --out writes them: `ci-intel-telemetry-x86_64-unknown-linux-musl`.
# The tool key is the binary without its `ci-intel-` prefix (`telemetry`), or
# `ci-intel` for the umbrella CLI. Format: schemas/dist-manifest.schema.json.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 VERSION DOWNLOAD_BASE ASSET_DIR" >&2
  exit 2
fi
version=$1 base=$2 dir=$3
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  echo "write-manifest: version '$version' is not vX.Y.Z" >&2
  exit 2
fi
targets="x86_64-unknown-linux-musl aarch64-unknown-linux-musl aarch64-apple-darwin x86_64-apple-darwin x86_64-pc-windows-msvc"
python3 - "$version" "$base" "$dir" "$targets" <<'PY'
import hashlib, json, os, sys
version, base, directory, targets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
assets = {}
names = sorted(os.listdir(directory))
if not names:
    sys.exit(f"write-manifest: {directory} holds no assets")
for name in names:
    stem = name[:-4] if name.endswith(".exe") else name
    target = next((t for t in targets if stem.endswith("-" + t)), None)
    if target is None:
        sys.exit(f"write-manifest: {name}: no known target suffix ({', '.join(targets)})")
    binary = stem[: -len(target) - 1]
    tool = "ci-intel" if binary == "ci-intel" else binary.removeprefix("ci-intel-")
    path = os.path.join(directory, name)
    with open(path, "rb") as f:
        data = f.read()
    assets.setdefault(tool, {})[target] = {
        "file": name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
manifest = {
    "schema": "ci-intel-dist-manifest/v1",
    "version": version.removeprefix("v"),
    "release_tag": version,
    "download_base": base,
    "assets": {k: dict(sorted(v.items())) for k, v in sorted(assets.items())},
}
json.dump(manifest, sys.stdout, indent=2)
sys.stdout.write("\n")
PY

#!/usr/bin/env bash
# Which requests one run of each tool makes (the registry's access log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
OCI=${OCI:-$root/target/release/ci-intel-oci}
PY=${PY:-python3}  # a Python with `pip install oras==0.2.43`
SBOM=$root/../shared/corpus/supply-chain/cyclonedx/bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$dir" "$port" > "$dir/config.yml"
docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
addr=127.0.0.1:$port
mapfile -t digests < <("$PY" "$here/setup.py" "$addr" bench)
for child in "${digests[@]:1}"; do
  "$OCI" push-evidence "$SBOM" --to "$addr/bench" --subject "$child" --artifact-type application/vnd.cyclonedx+json --insecure-registry "$addr" >/dev/null 2>&1
done
show() { local n; n=$(wc -l < "$dir/registry.log"); "$@" >/dev/null; sleep 1; tail -n +$((n + 1)) "$dir/registry.log" | grep -o '"[A-Z]* /v2/[^ ]*' | sed 's/sha256[:-][0-9a-f]*/D/g' | sort | uniq -c; }
echo "ci-intel-oci:"; show "$OCI" referrers "$addr/bench@${digests[0]}" --per-platform --require sbom --insecure-registry "$addr"
echo "oras-py:"; show "$PY" "$here/discover.py" "$addr" bench "${digests[0]}"

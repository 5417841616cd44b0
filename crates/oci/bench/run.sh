#!/usr/bin/env bash
# Usage: crates/oci/bench/run.sh (OCI=path/to/ci-intel-oci PY=python-with-oras RUNS=N)
# Benchmark: referrers of a 10-platform index with --per-platform, ci-intel-oci
# vs oras-py doing the same discovery, against one local docker-registry.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
OCI=${OCI:-$root/target/release/ci-intel-oci}
PY=${PY:-python3}  # a Python with `pip install oras==0.2.43`
SBOM=$root/../shared/corpus/supply-chain/cyclonedx/bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/config.yml" <<EOC
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
EOC
docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
addr=127.0.0.1:$port
mapfile -t digests < <("$PY" "$here/setup.py" "$addr" bench)
index=${digests[0]}
for child in "${digests[@]:1}"; do
  "$OCI" push-evidence "$SBOM" --to "$addr/bench" --subject "$child" \
    --artifact-type application/vnd.cyclonedx+json --insecure-registry "$addr" >/dev/null 2>&1
done
requests() { grep -c '"\(GET\|HEAD\|PUT\|POST\|PATCH\) /v2/' "$dir/registry.log" || true; }
ours=("$OCI" referrers "$addr/bench@$index" --per-platform --require sbom --insecure-registry "$addr")
theirs=("$PY" "$here/discover.py" "$addr" bench "$index")
"${ours[@]}" | tail -3
"${theirs[@]}"
before=$(requests); "${ours[@]}" >/dev/null; sleep 1; after=$(requests); echo "ci-intel-oci requests: $((after - before))"
before=$(requests); "${theirs[@]}" >/dev/null; sleep 1; after=$(requests); echo "oras-py requests: $((after - before))"
"${ours[@]}" --format json | python3 -c 'import json,sys; print("ci-intel-oci counted", json.load(sys.stdin)["requests"], "calls")'
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-markdown "$dir/hyperfine.md" \
  -n ci-intel-oci "$(printf '%q ' "${ours[@]}")" \
  -n oras-py "$(printf '%q ' "${theirs[@]}")"
cat "$dir/hyperfine.md"

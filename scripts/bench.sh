#!/usr/bin/env bash
# Side-by-side benchmarks recorded in docs/benchmarks.md.
#
#   scripts/bench.sh [RECORDS]
#
# Needs hyperfine (apt-get install hyperfine), python3 with jsonschema and
# check-jsonschema (the venv .ci/run builds, or CI_INTEL_VENV). Builds the
# release binary, generates RECORDS (default 20000) pipeline_run records from
# the corrected contract example, then times, on the same input in one run:
#   1. ci-intel-telemetry validate vs a Python jsonschema loop (what a user
#      would otherwise write for NDJSON), both asserting formats;
#   2. one JSON document: ci-intel-telemetry validate vs check-jsonschema.
set -euo pipefail
records=${1:-20000}
root=$(git rev-parse --show-toplevel)
cd "$root"
venv=${CI_INTEL_VENV:-$HOME/.cache/ci-intel-ci/venv}
py=$venv/bin/python
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x "$py" ] || { echo "bench: no venv at $venv (run .ci/run once, or set CI_INTEL_VENV)" >&2; exit 2; }
"$py" -c 'import jsonschema, rfc3339_validator' 2>/dev/null || "$venv/bin/pip" install -q jsonschema rfc3339-validator

cargo build --locked --release -p ci-intel-telemetry --quiet
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/release/ci-intel-telemetry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$py" - "$records" "$work/runs.ndjson" <<'PY'
import json, sys, uuid
n, out = int(sys.argv[1]), sys.argv[2]
example = json.load(open("schemas/examples/pipeline_run.v1.2.example.json"))
with open(out, "w") as f:
    for i in range(n):
        example["run_id"] = str(uuid.UUID(int=i + 1, version=4))
        f.write(json.dumps(example, separators=(",", ":")) + "\n")
PY
cat > "$work/validate.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
bad = 0
with open(sys.argv[2]) as f:
    for line in f:
        if line.strip() and any(True for _ in validator.iter_errors(json.loads(line))):
            bad += 1
sys.exit(1 if bad else 0)
PY
# Both must agree before anything is timed.
"$bin" validate "$work/runs.ndjson" >/dev/null 2>&1
"$py" "$work/validate.py" schemas/pipeline_run.v1.2.schema.json "$work/runs.ndjson"

echo "== $records records, NDJSON"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/ndjson.md" \
  -n ci-intel-telemetry "$bin validate $work/runs.ndjson" \
  -n python-jsonschema "$py $work/validate.py schemas/pipeline_run.v1.2.schema.json $work/runs.ndjson"
echo "== one JSON document"
hyperfine --warmup 2 --runs 20 --export-markdown "$work/single.md" \
  -n ci-intel-telemetry "$bin validate schemas/examples/pipeline_run.v1.2.example.json" \
  -n check-jsonschema "$venv/bin/check-jsonschema --schemafile schemas/pipeline_run.v1.2.schema.json schemas/examples/pipeline_run.v1.2.example.json"
cat "$work/ndjson.md" "$work/single.md"

#!/usr/bin/env bash
# Make a large raw GitHub Actions log for the autopsy benchmark
# (docs/benchmarks.md), from the real logs in ../shared/corpus: the
# pytorch log classifier's two full job logs and its 41 windows, repeated
# (with their timestamps and colours) until SIZE bytes. Generated at
# benchmark time; never committed.
#
#   crates/autopsy/bench/make-log.sh OUT SIZE_MIB
set -euo pipefail
out=${1:?usage: make-log.sh OUT SIZE_MIB}
mib=${2:?usage: make-log.sh OUT SIZE_MIB}
root=$(cd "$(dirname "$0")/../../.." && pwd)
corpus=$root/../shared/corpus/logs/pytorch-log-classifier
[ -d "$corpus" ] || { echo "make-log: $corpus is absent" >&2; exit 3; }
seed=$(mktemp)
trap 'rm -f "$seed"' EXIT
# One round: the full logs, then every window without its marker lines.
cat "$corpus/error_log1.txt" "$corpus/error_log_multiple_matches.txt" > "$seed"
for f in "$corpus"/classify/*.txt; do
  grep -v '^#=SOURCE=#' "$f" | sed 's/^#=MATCH=# //; s/‹//g; s/›//g' >> "$seed"
done
target=$((mib * 1024 * 1024))
: > "$out"
while [ "$(stat -c %s "$out")" -lt "$target" ]; do
  cat "$seed" "$seed" "$seed" "$seed" "$seed" "$seed" "$seed" "$seed" >> "$out"
done
truncate -s "$target" "$out"
echo "make-log: $out, $(stat -c %s "$out") bytes, $(wc -l < "$out") lines"

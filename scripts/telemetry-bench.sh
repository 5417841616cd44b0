#!/usr/bin/env bash
# The ci-intel-telemetry store benchmark of docs/benchmarks.md: make N
# synth records (default 1,000,000; generated here, never committed),
# ingest them into SQLite and PostgreSQL (wall time, records/s, peak RSS),
# load the same file with the DuckDB CLI and sqlite3 `.import`, then time
# the 30-day dashboard queries on each side by side with hyperfine.
#
#   CI_INTEL_TELEMETRY_POSTGRES=postgres://... CI_INTEL_DUCKDB=duckdb \
#     scripts/telemetry-bench.sh target/release/ci-intel-telemetry
#
# RUNS (default 10) is the number of timed runs of each query command.
# WORK=DIR keeps the data and the stores in DIR and, on a later run, skips
# every step whose result is already there (to time the queries again
# without loading a million records again; the PostgreSQL schema
# ci_intel_bench is kept too). Needs: GNU time (/usr/bin/time), hyperfine,
# sqlite3, psql, python3, a DuckDB CLI.
set -euo pipefail
bin=$(realpath "${1:?usage: telemetry-bench.sh PATH/TO/ci-intel-telemetry}")
n=${N:-1000000}
runs=${RUNS:-10}
pg=${CI_INTEL_TELEMETRY_POSTGRES:?set CI_INTEL_TELEMETRY_POSTGRES to a postgres:// URL}
duckdb=${CI_INTEL_DUCKDB:-duckdb}
if [ -n "${WORK:-}" ]; then
  work=$(realpath "$WORK")
  mkdir -p "$work"
  rm -f "$work/times" "$work/query-times"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
echo "== $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
sep='?'
case $pg in *\?*) sep='&' ;; esac
pg_bench="${pg}${sep}options=-csearch_path%3Dci_intel_bench"

# label, then the command: wall seconds, CPU seconds (user + system) and
# peak RSS (KiB) to $work/times. On a shared machine the CPU time is the
# steadier figure.
measure() {
  local label=$1
  shift
  /usr/bin/time -f "$label|%e|%U|%S|%M" -o "$work/t" "$@" >/dev/null
  cat "$work/t" >>"$work/times"
}

echo "== synth $n records"
if [ ! -s "$work/runs.ndjson" ]; then
  measure "synth" "$bin" synth --seed 1 --runs "$n" --repos 20 --output "$work/runs.ndjson"
fi
ls -l "$work/runs.ndjson" | awk '{printf "%.0f MB\n", $5 / 1e6}'

echo "== loads"
if [ ! -s "$work/store.db" ]; then
  measure "ci-intel-telemetry ingest -> SQLite" "$bin" ingest "$work/runs.ndjson" --store "$work/store.db"
fi
if [ -z "${WORK:-}" ] || [ "$(psql "$pg" -Atc "SELECT to_regclass('ci_intel_bench.runs') IS NOT NULL")" != t ]; then
  psql "$pg" -qc "DROP SCHEMA IF EXISTS ci_intel_bench CASCADE" -c "CREATE SCHEMA ci_intel_bench"
  measure "ci-intel-telemetry ingest -> PostgreSQL" "$bin" ingest "$work/runs.ndjson" --store "$pg_bench"
fi
if [ ! -s "$work/duck.db" ]; then
  measure "DuckDB CLI read_ndjson_auto -> table" "$duckdb" "$work/duck.db" -c \
    "CREATE TABLE runs AS SELECT * FROM read_ndjson_auto('$work/runs.ndjson', maximum_object_size = 1048576)"
fi
if [ ! -s "$work/import.db" ]; then
  sqlite3 "$work/import.db" "CREATE TABLE raw (line TEXT)"
  measure "sqlite3 .import (one JSON text column)" sqlite3 "$work/import.db" \
    -cmd ".mode ascii" -cmd '.separator "\037" "\n"' ".import $work/runs.ndjson raw"
fi
touch "$work/times"
echo "step|wall s|user s|system s|peak RSS (KiB)"
cat "$work/times"
awk -F'|' -v n="$n" '/ingest|import|read_ndjson/ { printf "%s: %.0f records/s (wall), %.0f records/s (CPU), %.0f MB peak\n", $1, n / $2, n / ($3 + $4), $5 / 1024 }' "$work/times"

echo "== the 30-day dashboard queries"
window="--since 30d --until 2026-01-01"
duck_sql="SELECT repo, count(*) AS runs,
  count(*) FILTER (WHERE status = 'success') AS success,
  count(*) FILTER (WHERE status = 'failed') AS failed,
  list_sort(list(date_diff('millisecond', CAST(started_at AS TIMESTAMPTZ), CAST(ended_at AS TIMESTAMPTZ))))[CAST(ceil(count(*) * 0.5) AS BIGINT)] AS p50,
  list_sort(list(date_diff('millisecond', CAST(started_at AS TIMESTAMPTZ), CAST(ended_at AS TIMESTAMPTZ))))[CAST(ceil(count(*) * 0.95) AS BIGINT)] AS p95,
  sum(cost.usd) AS usd, sum(carbon_g_co2e) AS co2, avg(flakiness_index) AS flaky
FROM runs WHERE CAST(started_at AS TIMESTAMPTZ) >= TIMESTAMPTZ '2025-12-02 00:00:00+00'
GROUP BY repo ORDER BY repo"
sqlite_sql="SELECT json_extract(line, '\$.repo') AS repo, count(*),
  sum(json_extract(line, '\$.status') = 'success'), sum(json_extract(line, '\$.status') = 'failed'),
  sum(json_extract(line, '\$.cost.usd')), sum(json_extract(line, '\$.carbon_g_co2e')), avg(json_extract(line, '\$.flakiness_index'))
FROM raw WHERE json_extract(line, '\$.started_at') >= '2025-12-02' GROUP BY repo ORDER BY repo"
# Each command once more under GNU time for its peak memory (the first
# query of a v1 store upgrades it to v2: this run does that, before the
# timed runs).
names=(
  "health 30d, SQLite" "dora 30d, SQLite" "report --html 30d, SQLite"
  "health 30d, PostgreSQL" "dora 30d, PostgreSQL" "report --html 30d, PostgreSQL"
  "DuckDB CLI, per-repo aggregates 30d" "sqlite3 json_extract, per-repo aggregates 30d"
)
commands=(
  "$bin health --store $work/store.db $window --format json"
  "$bin dora --store $work/store.db $window --format json"
  "$bin report --store $work/store.db $window --html $work/report-sqlite.html"
  "$bin health --store '$pg_bench' $window --format json"
  "$bin dora --store '$pg_bench' $window --format json"
  "$bin report --store '$pg_bench' $window --html $work/report-pg.html"
  "$duckdb $work/duck.db -c \"$duck_sql\""
  "sqlite3 $work/import.db \"$sqlite_sql\""
)
for i in "${!names[@]}"; do
  /usr/bin/time -f "${names[$i]}|%e|%U|%S|%M" -a -o "$work/query-times" sh -c "${commands[$i]}" >/dev/null 2>&1
done
args=()
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$work/queries.json" "${args[@]}"
echo "== $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# P50 and P95 (nearest rank) of the timed runs, and the peak RSS.
python3 - "$work/queries.json" "$work/query-times" <<'PY'
import json, math, sys
rss = {}
for line in open(sys.argv[2]):
    name, wall, user, system, kib = line.rstrip("\n").split("|")
    rss[name] = int(kib) / 1024
def rank(values, p):
    values = sorted(values)
    return values[max(1, math.ceil(len(values) * p / 100)) - 1]
print("| command | P50 | P95 | min … max | mean user CPU | peak RSS |")
print("|---|---:|---:|---:|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    t = r["times"]
    print(f"| {r['command']} | {rank(t, 50):.2f} s | {rank(t, 95):.2f} s | {min(t):.2f} … {max(t):.2f} s | {r['user']:.2f} s | {rss.get(r['command'], 0):.0f} MB |")
PY
if [ -z "${WORK:-}" ]; then
  psql "$pg" -qc "DROP SCHEMA IF EXISTS ci_intel_bench CASCADE"
fi

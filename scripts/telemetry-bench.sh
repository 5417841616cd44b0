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
# Needs: GNU time (/usr/bin/time), hyperfine, sqlite3, psql, a DuckDB CLI.
set -euo pipefail
bin=$(realpath "${1:?usage: telemetry-bench.sh PATH/TO/ci-intel-telemetry}")
n=${N:-1000000}
pg=${CI_INTEL_TELEMETRY_POSTGRES:?set CI_INTEL_TELEMETRY_POSTGRES to a postgres:// URL}
duckdb=${CI_INTEL_DUCKDB:-duckdb}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
measure "synth" "$bin" synth --seed 1 --runs "$n" --repos 20 --output "$work/runs.ndjson"
ls -l "$work/runs.ndjson" | awk '{printf "%.0f MB\n", $5 / 1e6}'

echo "== loads"
measure "ci-intel-telemetry ingest -> SQLite" "$bin" ingest "$work/runs.ndjson" --store "$work/store.db"
psql "$pg" -qc "DROP SCHEMA IF EXISTS ci_intel_bench CASCADE" -c "CREATE SCHEMA ci_intel_bench"
measure "ci-intel-telemetry ingest -> PostgreSQL" "$bin" ingest "$work/runs.ndjson" --store "$pg_bench"
measure "DuckDB CLI read_ndjson_auto -> table" "$duckdb" "$work/duck.db" -c \
  "CREATE TABLE runs AS SELECT * FROM read_ndjson_auto('$work/runs.ndjson', maximum_object_size = 1048576)"
sqlite3 "$work/import.db" "CREATE TABLE raw (line TEXT)"
measure "sqlite3 .import (one JSON text column)" sqlite3 "$work/import.db" \
  -cmd ".mode ascii" -cmd '.separator "\037" "\n"' ".import $work/runs.ndjson raw"
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
hyperfine --warmup 1 --runs 5 --style basic --export-markdown "$work/queries.md" \
  -n "health 30d, SQLite" "$bin health --store $work/store.db $window --format json" \
  -n "dora 30d, SQLite" "$bin dora --store $work/store.db $window --format json" \
  -n "health 30d, PostgreSQL" "$bin health --store '$pg_bench' $window --format json" \
  -n "dora 30d, PostgreSQL" "$bin dora --store '$pg_bench' $window --format json" \
  -n "DuckDB CLI, per-repo aggregates 30d" "$duckdb $work/duck.db -c \"$duck_sql\"" \
  -n "sqlite3 json_extract, per-repo aggregates 30d" "sqlite3 $work/import.db \"$sqlite_sql\""
cat "$work/queries.md"
psql "$pg" -qc "DROP SCHEMA IF EXISTS ci_intel_bench CASCADE"

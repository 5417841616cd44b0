#!/usr/bin/env bash
# ci-intel-tests benchmarks, recorded in docs/benchmarks.md.
#
#   scripts/bench-tests.sh record [RUNS]   record JUnit history of this repository's own suite
#   scripts/bench-tests.sh [run]           the benchmarks
#
# `record` runs `cargo nextest run -p ci-intel-core -p ci-intel-policy` RUNS
# times (default 8; a subset of the workspace, which is too heavy to run
# repeatedly on a shared 2-core machine) with JUnit output and one retry,
# and keeps each run's junit.xml and a run.json (commit, attempt, time)
# under crates/tests/benches/data/nextest-history/run-K/. The files are
# real nextest output and are committed as the benchmark's history.
#
# `run` needs hyperfine, cargo-nextest and a Python venv with pytest-split
# (CI_INTEL_VENV, default the one .ci/run builds). It builds the release
# binary, then measures, each on the same input in one run:
#   1. reading the largest mutation report of the corpus (cucumber-example,
#      4.0 MB) and 1,000 JUnit files (time with hyperfine, peak memory with
#      GNU time);
#   2. sharding quality on the recorded nextest history and on PyTorch's
#      test times: ours, pytest-split's two algorithms (its own Python code
#      on the same replay) and nextest's count partitioning (the real
#      `cargo nextest list --partition count:K/N`, our suite only).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
mode=${1:-run}
# `record` appends to CI_INTEL_BENCH_HISTORY (default: the loaded history);
# `run` measures both committed histories, recorded under load and on a
# quiet machine.
history=${CI_INTEL_BENCH_HISTORY:-crates/tests/benches/data/nextest-history}
histories=("${CI_INTEL_BENCH_HISTORY:-crates/tests/benches/data/nextest-history}" crates/tests/benches/data/nextest-history-idle)

record() {
  local runs=${1:-8}
  command -v cargo-nextest >/dev/null || { echo "bench-tests: cargo-nextest is not installed" >&2; exit 2; }
  local store config
  store=$(mktemp -d)
  config=$store/nextest.toml
  # nextest keeps its JUnit under `store.dir` (target/nextest of the
  # workspace by default, whatever CARGO_TARGET_DIR says): a scratch folder.
  cat >"$config" <<TOML
[store]
dir = "$store"
[profile.bench-history]
retries = 1
fail-fast = false
[profile.bench-history.junit]
path = "junit.xml"
TOML
  cargo nextest run --config-file "$config" --profile bench-history -p ci-intel-core -p ci-intel-policy --no-run
  mkdir -p "$history"
  local start
  start=$(find "$history" -maxdepth 1 -name 'run-*' | wc -l)
  local commit
  commit=$(git rev-parse HEAD)
  for i in $(seq 1 "$runs"); do
    local n=$((start + i))
    local dir=$history/run-$n
    mkdir -p "$dir"
    # A failing test is history too: keep the run whatever its result.
    cargo nextest run --config-file "$config" --profile bench-history -p ci-intel-core -p ci-intel-policy --no-fail-fast || true
    cp "$store/bench-history/junit.xml" "$dir/junit.xml"
    printf '{"commit": "%s", "attempt": %d, "time": "%s"}\n' "$commit" "$n" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$dir/run.json"
    echo "bench-tests: recorded $dir"
  done
  # nextest's count partitioning of the recorded tests, from nextest itself.
  mkdir -p "$history/partitions"
  for shards in 2 4; do
    for k in $(seq 1 "$shards"); do
      cargo nextest list --config-file "$config" --profile bench-history -p ci-intel-core -p ci-intel-policy \
        --partition "count:$k/$shards" --message-format json 2>/dev/null |
        jq -r '."rust-suites"[] | ."binary-id" as $b | .testcases | to_entries[]
               | select(.value."filter-match".status == "matches") | "\($b) \(.key)"' |
        sort >"$history/partitions/count-$k-of-$shards.txt"
    done
  done
  rm -rf "$store"
}

run() {
  venv=${CI_INTEL_VENV:-$HOME/.cache/ci-intel-ci/venv}
  py=$venv/bin/python
  command -v hyperfine >/dev/null || { echo "bench-tests: install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
  [ -x "$py" ] || { echo "bench-tests: no venv at $venv (run .ci/run once, or set CI_INTEL_VENV)" >&2; exit 2; }
  "$py" -c 'import pytest_split' 2>/dev/null || "$venv/bin/pip" install -q pytest-split
  corpus=$root/../shared/corpus
  [ -d "$corpus" ] || { echo "bench-tests: ../shared/corpus is absent" >&2; exit 2; }

  cargo build --locked --release -p ci-intel-tests --quiet
  target=${CARGO_TARGET_DIR:-$root/target}
  bin=$target/release/ci-intel-tests
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT

  echo "== 1. reading: the largest mutation report and 1,000 JUnit files"
  largest=$corpus/mutation/stryker/cucumber-example_mutation.json
  # 1,000 JUnit files: the recorded nextest runs and the real pytest files
  # of the JUnit corpus, copied round-robin into 1,000 runs of one file.
  # (not the corpus's deliberately corrupt file: every run would stop at it)
  mapfile -t sources < <(find "$history" "$corpus/junit/publish-unit-test-result/pytest" -name '*.xml' ! -name 'corrupt-*' | sort)
  for i in $(seq 1 1000); do
    mkdir -p "$work/junit1000/run-$i"
    cp "${sources[$(( (i - 1) % ${#sources[@]} ))]}" "$work/junit1000/run-$i/junit.xml"
  done
  du -sh "$work/junit1000"
  # hyperfine ignores exit codes below (a flaky test is exit 1, a finding):
  # make sure the input reads, so an error (2, 3) is not what gets timed.
  for sub in flake shard; do
    extra=()
    [ "$sub" = shard ] && extra=(--shards 4)
    code=0
    "$bin" "$sub" "${extra[@]}" --history "$work/junit1000" --format json >/dev/null || code=$?
    [ "$code" -le 1 ] || { echo "bench-tests: $sub on the 1,000 files exits $code" >&2; exit 1; }
  done
  hyperfine -N --warmup 2 --runs 10 -i \
    -n 'mutation: cucumber-example (4.0 MB Stryker report)' "$bin mutation $largest --format json" \
    -n 'flake: 1,000 JUnit files' "$bin flake --history $work/junit1000 --format json" \
    -n 'shard: 1,000 JUnit files, 4 shards' "$bin shard --shards 4 --history $work/junit1000 --format json"
  for cmd in "mutation $largest --format json" "flake --history $work/junit1000 --format json"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "peak RSS %M KB: $cmd" "$bin" $cmd >/dev/null 2>"$work/time.txt" || true
    tail -1 "$work/time.txt"
  done

  echo "== 2. sharding quality"
  split_driver=crates/tests/tests/peers/pytest_split_assign.py
  # a) this repository's suite, recorded by `record` (sequential replay),
  #    under load and on a quiet machine.
  for history in "${histories[@]}"; do
    echo "-- $history"
    for shards in 2 4; do
      "$bin" shard --backtest --history "$history" --runner nextest --shards "$shards" \
        --export-plan "$work/plan-$shards.json" --format json >/dev/null
      "$py" "$split_driver" "$work/plan-$shards.json" duration_based_chunks >"$work/psc-$shards.json"
      "$py" "$split_driver" "$work/plan-$shards.json" least_duration >"$work/psl-$shards.json"
      # nextest's own count partitioning of the same tests, and our emulation
      # of its rule (used for PyTorch below), which must select the same.
      "$py" crates/tests/tests/peers/nextest_count_assign.py "$work/plan-$shards.json" "$history/partitions" >"$work/nxc-$shards.json"
      "$py" crates/tests/tests/peers/nextest_count_assign.py "$work/plan-$shards.json" --emulate >"$work/nxe-$shards.json"
      "$py" - "$work/nxc-$shards.json" "$work/nxe-$shards.json" <<'PY'
import json, sys
real, emulated = (json.load(open(p)) for p in sys.argv[1:3])
same = all(sorted(a["tests"]) == sorted(b["tests"]) for a, b in zip(real["steps"][0]["shards"], emulated["steps"][0]["shards"]))
print("count emulation selects what nextest selected:", "yes" if same else "NO")
sys.exit(0 if same else 1)
PY
      "$bin" shard --backtest --history "$history" --runner nextest --shards "$shards" \
        --evaluate "$work/psc-$shards.json" --evaluate "$work/psl-$shards.json" --evaluate "$work/nxc-$shards.json"
    done
  done
  # b) PyTorch's per-file test times, each build environment with its durations
  #    known (a snapshot has no repeated runs): the packing alone.
  timings=$corpus/tests-intel/timings/pytorch/test-times.json
  for shards in 4 8; do
    "$bin" shard --backtest --replay known --history "$timings" --shards "$shards" \
      --export-plan "$work/pt-plan-$shards.json" --format json >/dev/null
    "$py" "$split_driver" "$work/pt-plan-$shards.json" duration_based_chunks >"$work/pt-psc-$shards.json"
    "$py" "$split_driver" "$work/pt-plan-$shards.json" least_duration >"$work/pt-psl-$shards.json"
    "$py" crates/tests/tests/peers/nextest_count_assign.py "$work/pt-plan-$shards.json" --emulate >"$work/pt-nxe-$shards.json"
    "$bin" shard --backtest --replay known --history "$timings" --shards "$shards" \
      --evaluate "$work/pt-psc-$shards.json" --evaluate "$work/pt-psl-$shards.json" --evaluate "$work/pt-nxe-$shards.json"
  done
}

case "$mode" in
  record) record "${2:-8}" ;;
  run) run ;;
  *) echo "usage: scripts/bench-tests.sh [record [RUNS] | run]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Run one fuzz target of fuzz/ (cargo-fuzz, libFuzzer, stable Rust; see
# docs/fuzzing.md).
#
#   scripts/fuzz.sh --list                 the targets, one a line
#   scripts/fuzz.sh --build                build every target
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_ARG...]
#
# Builds the targets when needed, fuzzes TARGET for SECONDS from its
# committed corpus (fuzz/corpus/TARGET, read only) plus the work corpus
# fuzz/work/TARGET (new inputs land there), and exits non-zero on a crash,
# a hang (an input over 10 s) or an input over 2 GiB RSS, printing the path
# of the input that did it (`fuzz.sh: CRASH ... artifact: PATH`). Reproduce
# with `scripts/fuzz.sh TARGET 0 PATH` (runs the one input).
#
# Environment: CARGO_TARGET_DIR (default fuzz/target), CI_INTEL_FUZZ_WORK
# (default fuzz/work), CI_INTEL_CARGO_FUZZ (the cargo-fuzz binary; default:
# on PATH, else installed at the pinned version under
# ${CI_INTEL_FUZZ_TOOLS:-$HOME/.cache/ci-intel-fuzz}), CI_INTEL_FUZZ_JOBS
# (parallel fuzzing processes, default 1), CI_INTEL_FUZZ_SEED (libFuzzer's
# -seed: a fixed one makes a run's mutations repeatable; default: random).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/fuzz
CARGO_FUZZ_VERSION=0.13.1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$fuzz/target}
work=${CI_INTEL_FUZZ_WORK:-$fuzz/work}
triple=x86_64-unknown-linux-gnu

targets() { sed -n 's/^name = "\([a-z_0-9]*\)"$/\1/p' "$fuzz/Cargo.toml" | grep -vx ci-intel-fuzz; }

# The dictionary of a target: its input's tokens.
dict_of() {
  case $1 in
    policy_audit | core_config | policy_zizmor_config) echo yaml ;;
    egress_allowlist) echo egress ;;
    cache_keys) echo cache ;;
    repro_formats) echo repro ;;
    egress_dns) echo "" ;;
    policy_expr) echo expr ;;
    core_junit) echo xml ;;
    autopsy_log | secrets_redact | secrets_diff_env) echo log ;;
    vuln_epss | vuln_ids | evidence_bundle) echo "" ;;
    *) echo json ;;
  esac
}

cargo_fuzz() {
  local bin=${CI_INTEL_CARGO_FUZZ:-}
  if [ -z "$bin" ] && command -v cargo-fuzz >/dev/null &&
    cargo-fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
    bin=$(command -v cargo-fuzz)
  fi
  if [ -z "$bin" ]; then
    local tools=${CI_INTEL_FUZZ_TOOLS:-$HOME/.cache/ci-intel-fuzz}
    bin=$tools/bin/cargo-fuzz
    if ! "$bin" --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
      echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION into $tools" >&2
      cargo install --locked --quiet --root "$tools" "cargo-fuzz@$CARGO_FUZZ_VERSION" >&2
    fi
  fi
  # `cargo-fuzz fuzz ...` is what `cargo fuzz ...` runs.
  (cd "$fuzz" && "$bin" fuzz "$@")
}

# --sanitizer none: AddressSanitizer needs nightly's -Zsanitizer, and the
# targets are safe Rust. Coverage (sancov), debug assertions and overflow
# checks are on (cargo-fuzz's defaults for --release builds).
build() { cargo_fuzz build --sanitizer none "$@"; }

case ${1:-} in
  --list)
    targets
    exit 0
    ;;
  --build)
    build
    exit 0
    ;;
  "" | -h | --help)
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

target=$1
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_ARG...]}
shift 2
if ! targets | grep -qx "$target"; then
  echo "fuzz.sh: no target \`$target\`; the targets are:" >&2
  targets | sed 's/^/  /' >&2
  exit 2
fi
case $seconds in '' | *[!0-9]*)
  echo "fuzz.sh: SECONDS must be a whole number, not \`$seconds\`" >&2
  exit 2
  ;;
esac

binary=$CARGO_TARGET_DIR/$triple/release/$target
# Build unless the binary is newer than every source it is made of (cargo
# would say the same, but takes the package cache lock, which a parallel
# build can hold for minutes).
if [ ! -x "$binary" ] || [ -n "$(find "$fuzz/fuzz_targets" "$fuzz/src" "$fuzz/Cargo.toml" "$fuzz/Cargo.lock" \
  "$root/crates" -type f -newer "$binary" -print -quit 2>/dev/null)" ]; then
  build "$target" >&2
fi
[ -x "$binary" ] || { echo "fuzz.sh: $binary was not built" >&2; exit 3; }

# One input or more given: run them once (reproduce a crash).
if [ "$seconds" = 0 ]; then
  exec "$binary" "$@"
fi

mkdir -p "$work/$target" "$work/artifacts/$target"
corpora=("$work/$target" "$fuzz/corpus/$target")
if [ "$target" = secrets_redact ] && [ -d "$root/../shared/corpus/conformance/gitleaks-rules" ]; then
  # token-shaped seeds are written at run time, never committed
  "$fuzz/seeds.sh" --secret-samples "$work/secrets_redact-samples" "$root/../shared/corpus"
  corpora+=("$work/secrets_redact-samples")
fi
if [ "$target" = cache_keys ]; then
  # private-key seeds are made at run time, never committed
  "$fuzz/seeds.sh" --key-samples "$work/cache_keys-samples"
  corpora+=("$work/cache_keys-samples")
fi
args=(
  -max_total_time="$seconds"
  -timeout=10
  -rss_limit_mb=2048
  -print_final_stats=1
  -artifact_prefix="$work/artifacts/$target/"
)
dict=$(dict_of "$target")
[ -z "$dict" ] || args+=(-dict="$fuzz/dict/$dict.dict")
[ -z "${CI_INTEL_FUZZ_SEED:-}" ] || args+=(-seed="$CI_INTEL_FUZZ_SEED")
jobs=${CI_INTEL_FUZZ_JOBS:-1}
[ "$jobs" = 1 ] || args+=(-fork="$jobs" -ignore_crashes=0)
log=$work/$target.log
echo "fuzz.sh: $target for ${seconds}s (corpus: ${corpora[*]}; log: $log)" >&2
status=0
"$binary" "${args[@]}" "$@" "${corpora[@]}" >"$log" 2>&1 || status=$?
grep -E "^(#[0-9]+.*(DONE|INITED)|#[0-9]+: cov: |stat::|Done [0-9]+ runs)" "$log" | tail -n 8 || true
if [ "$status" != 0 ]; then
  tail -n 60 "$log" >&2
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  echo "fuzz.sh: CRASH in $target (exit $status); artifact: ${artifact:-none written, see $log}" >&2
  exit 1
fi
echo "fuzz.sh: $target: no crash in ${seconds}s" >&2

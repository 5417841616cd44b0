#!/usr/bin/env bash
# A fuzzing campaign: each TARGET in turn (default: every target) for
# SECONDS of wall time at nice 19 through scripts/fuzz.sh (libFuzzer's
# fork mode with crashes, hangs and OOMs recorded and ignored, so one find
# does not end the run; each is an artifact in fuzz/work/artifacts/TARGET),
# then its work
# corpus merged and minimised (libFuzzer -merge=1, coverage kept) into the
# committed fuzz/corpus/TARGET. Appends one line of figures per target to
# fuzz/work/campaign.tsv: target, wall s, CPU s (user+sys), executions,
# coverage (cov: edges, ft: features), corpus files and bytes after
# minimisation, artifacts (crashes, hangs, OOMs) written. docs/fuzzing.md keeps the figures.
#
# secrets_redact and autopsy_log feed the secret detectors and cache_keys
# parses private keys, so their campaigns find token-shaped inputs: their
# minimised corpora stay in the work directory (fuzz/work/TARGET.min) and are never committed.
#
#   setsid fuzz/campaign.sh SECONDS [TARGET...]
#
# With autogroups (Linux's default), `nice` ranks processes only within
# their session: a campaign in a terminal's session still takes an equal
# share of the CPU from builds in another. Started in a session of its own
# (setsid), it sets that session's autogroup to nice 19 as well.
set -uo pipefail
if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo 19 >/proc/self/autogroup 2>/dev/null || true
fi
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
seconds=${1:?usage: fuzz/campaign.sh SECONDS [TARGET...]}
shift
work=${CI_INTEL_FUZZ_WORK:-$fuzz/work}
export CI_INTEL_FUZZ_WORK=$work
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$fuzz/target}
mkdir -p "$work"
# shellcheck disable=SC2046 # one target a line, no spaces
[ $# -gt 0 ] || set -- $("$root/scripts/fuzz.sh" --list)
tsv=$work/campaign.tsv
[ -s "$tsv" ] || printf 'target\twall_s\tcpu_s\texecs\tcov\tft\tcorpus_files\tcorpus_bytes\tartifacts\n' >"$tsv"
for target in "$@"; do
  start=$(date +%s)
  /usr/bin/time -f '%U %S' -o "$work/$target.time" \
    nice -n 19 "$root/scripts/fuzz.sh" "$target" "$seconds" \
    -fork="${CI_INTEL_FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >"$work/$target.campaign.log" 2>&1
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$work/$target.time")
  last=$(grep -E '^#[0-9]+: cov: ' "$work/$target.log" | tail -n 1)
  execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$work/artifacts/$target" -type f 2>/dev/null | wc -l)
  # minimise: the committed corpus plus what this run found, coverage kept
  binary=$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target
  merged=$work/$target.merged
  rm -rf "$merged" && mkdir -p "$merged"
  keep=$fuzz/corpus/$target
  case $target in secrets_redact | autopsy_log | cache_keys) keep=$work/$target.min ;; esac
  nice -n 19 "$binary" -merge=1 -timeout=10 -rss_limit_mb=2048 "$merged" \
    "$fuzz/corpus/$target" "$work/$target" >"$work/$target.merge.log" 2>&1 &&
    { rm -rf "${keep:?}" && mv "$merged" "$keep"; }
  files=$(find "$keep" -type f | wc -l)
  bytes=$(du -sb "$keep" | cut -f1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$(( $(date +%s) - start ))" "$cpu" \
    "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$bytes" "$found" | tee -a "$tsv"
done

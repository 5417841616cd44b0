#!/usr/bin/env bash
# Reproducibility check: build the release binaries twice, from two different
# directories, with ci-intel-repro, and fail if any byte differs.
#
#   scripts/repro-build.sh [--target TRIPLE] [--out DIR] [--worktree] [PACKAGE...]
#
# Defaults: --target x86_64-unknown-linux-musl and every tool binary in the
# `packages=(...)` list below. ci-intel-repro (a debug build from this
# checkout: the checker, not what is checked) copies the committed tree (git
# archive of HEAD; the files on disk with --worktree) twice, to directories of
# different names and depths, builds each with its own target dir under the
# same SOURCE_DATE_EPOCH (the commit's), TZ and locale, and compares the
# binaries by BLAKE3 manifest; a difference is explained per file (ELF
# sections, build-id) and by diffoscope when it is installed. The release
# workflow runs this same script; with --out it also leaves the verified
# binaries there (and both builds of a differing one under DIR/differing).
set -euo pipefail

target=x86_64-unknown-linux-musl
out=""
use_worktree=0
packages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --worktree) use_worktree=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "repro-build: unknown option $1" >&2; exit 2 ;;
    *) packages+=("$1"); shift ;;
  esac
done
[ ${#packages[@]} -gt 0 ] || packages=(ci-intel ci-intel-telemetry ci-intel-policy ci-intel-secrets ci-intel-attest ci-intel-egress ci-intel-evidence ci-intel-vuln ci-intel-cache ci-intel-repro ci-intel-autopsy ci-intel-oci ci-intel-tests)

root=$(git rev-parse --show-toplevel)
cd "$root"
exe=""
case "$target" in *windows*) exe=.exe ;; esac
host_exe=""
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) host_exe=.exe ;; esac

# The checker: ci-intel-repro from this checkout, in the caller's target dir.
cargo build --locked --quiet -p ci-intel-repro
repro="${CARGO_TARGET_DIR:-$root/target}/debug/ci-intel-repro$host_exe"

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-intel-repro-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

outputs=()
pkg_args=""
for p in "${packages[@]}"; do
  outputs+=(--outputs "target/$target/release/$p$exe")
  pkg_args+=" -p $p"
done
from="head"
[ "$use_worktree" = 1 ] && from="worktree"

# Runs in each copy ($PWD). Every machine-specific path maps to a fixed one;
# C code built by build scripts (ring, aws-lc-sys) gets the same maps: its
# __FILE__ strings would otherwise name the build directory.
# shellcheck disable=SC2016 # expanded by the inner bash, in each copy
build='set -eu
cargo_home=${CARGO_HOME:-$HOME/.cargo}
dir=$PWD
CFLAGS="-ffile-prefix-map=$dir=/build -ffile-prefix-map=$cargo_home=/cargo" \
CXXFLAGS="-ffile-prefix-map=$dir=/build -ffile-prefix-map=$cargo_home=/cargo" \
RUSTFLAGS="--remap-path-prefix=$dir=/build --remap-path-prefix=$cargo_home=/cargo" \
CARGO_TARGET_DIR="$dir/target" \
CARGO_INCREMENTAL=0 \
  cargo build --locked --release --target "$REPRO_TARGET" $REPRO_PACKAGES --quiet'

status=0
REPRO_TARGET=$target REPRO_PACKAGES=$pkg_args \
  "$repro" run --from "$from" --variations build_path "${outputs[@]}" \
    --keep-outputs "$work/outputs" --report "$work/report.json" \
    -- bash -c "$build" || status=$?
case "$status" in
  0 | 1) ;;
  *) echo "repro-build: ci-intel-repro could not compare the builds (exit $status)" >&2; exit "$status" ;;
esac

# sha256sum on Linux and Windows (Git Bash), shasum on macOS.
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

printf '%-28s %-64s %s\n' binary sha256 verdict
for name in "${packages[@]}"; do
  a="$work/outputs/a/target/$target/release/$name$exe"
  b="$work/outputs/b/target/$target/release/$name$exe"
  if [ ! -f "$a" ] || [ ! -f "$b" ]; then
    echo "repro-build: $name$exe was not built (expected $a and $b)" >&2
    status=1
    continue
  fi
  sa=$(sha256 "$a")
  sb=$(sha256 "$b")
  if [ "$sa" = "$sb" ]; then
    printf '%-28s %-64s %s\n' "$name$exe" "$sa" identical
    # A musl release binary must be static: no loader, no shared libraries.
    case "$target" in
      *linux-musl*)
        if command -v file >/dev/null && ! file "$a" | grep -q 'static'; then
          echo "repro-build: $name is not statically linked: $(file "$a")" >&2
          status=1
        fi
        ;;
    esac
    if [ -n "$out" ]; then
      mkdir -p "$out"
      cp "$a" "$out/$name-$target$exe"
    fi
  else
    printf '%-28s %-64s %s\n' "$name$exe" "$sa" "DIFFERS (second build: $sb)"
    status=1
    if [ -n "$out" ]; then
      # Keep both for diagnosis (diffoscope, strings); never as a release asset.
      mkdir -p "$out/differing"
      cp "$a" "$out/differing/$name-$target$exe.a"
      cp "$b" "$out/differing/$name-$target$exe.b"
    fi
  fi
done
if [ -n "$out" ] && [ "$status" -ne 0 ] && [ -f "$work/report.json" ]; then
  # ci-intel-repro's report: which sections differ, and diffoscope's view.
  mkdir -p "$out/differing"
  cp "$work/report.json" "$out/differing/ci-intel-repro-report.json"
fi
if [ "$status" -ne 0 ]; then
  echo "repro-build: FAILED: the $target build is not reproducible" >&2
else
  echo "repro-build: ok: ${#packages[@]} binaries for $target are byte-identical across two directories"
fi
exit "$status"

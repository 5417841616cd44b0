#!/usr/bin/env bash
# Reproducibility check: build the release binaries twice, from two different
# directories, and fail if any byte differs.
#
#   scripts/repro-build.sh [--target TRIPLE] [--out DIR] [PACKAGE...]
#
# Defaults: --target x86_64-unknown-linux-musl, packages ci-intel,
# ci-intel-telemetry, ci-intel-policy, ci-intel-secrets, ci-intel-attest and ci-intel-tests. Each build copies the committed tree (git archive of
# HEAD, plus uncommitted changes when run with --worktree) into its own
# directory with its own target dir, so any path, timestamp or directory-order
# leak shows up as a difference. The release workflow runs this same script;
# with --out it also leaves the verified binaries there.
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
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "repro-build: unknown option $1" >&2; exit 2 ;;
    *) packages+=("$1"); shift ;;
  esac
done
[ ${#packages[@]} -gt 0 ] || packages=(ci-intel ci-intel-telemetry ci-intel-policy ci-intel-secrets ci-intel-attest ci-intel-tests)

root=$(git rev-parse --show-toplevel)
cd "$root"
# Deterministic inputs: the commit time, not the wall clock.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/tmp}/ci-intel-repro.XXXXXX")
trap 'rm -rf "$work"' EXIT

snapshot() {
  local dest=$1
  mkdir -p "$dest"
  if [ "$use_worktree" = 1 ]; then
    # Tracked and untracked-but-not-ignored files, as they are on disk.
    git ls-files -z --cached --others --exclude-standard | tar -C "$root" --null -T - -cf - | tar -C "$dest" -xf -
  else
    git archive --format=tar HEAD | tar -C "$dest" -xf -
  fi
}

build() {
  local dir=$1
  local cargo_home=${CARGO_HOME:-$HOME/.cargo}
  local pkg_args=()
  for p in "${packages[@]}"; do pkg_args+=(-p "$p"); done
  (
    cd "$dir/src"
    # Map every machine-specific path to a fixed one; both builds must agree.
    # C code built by build scripts (ring, aws-lc-sys) gets the same maps:
    # its __FILE__ strings would otherwise name the build directory.
    CFLAGS="-ffile-prefix-map=$dir=/build -ffile-prefix-map=$cargo_home=/cargo" \
    CXXFLAGS="-ffile-prefix-map=$dir=/build -ffile-prefix-map=$cargo_home=/cargo" \
    RUSTFLAGS="--remap-path-prefix=$dir=/build --remap-path-prefix=$cargo_home=/cargo" \
    CARGO_TARGET_DIR="$dir/target" \
    CARGO_INCREMENTAL=0 \
      cargo build --locked --release --target "$target" "${pkg_args[@]}" --quiet
  )
}

# sha256sum on Linux and Windows (Git Bash), shasum on macOS.
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

bin_names=()
for p in "${packages[@]}"; do bin_names+=("$p"); done
exe=""
case "$target" in *windows*) exe=.exe ;; esac

status=0
for side in a b; do
  # Different directory names and depths on purpose.
  dir="$work/$side/nested-$side"
  snapshot "$dir/src"
  start=$(date +%s)
  build "$dir"
  echo "repro-build: build $side done in $(( $(date +%s) - start ))s ($dir)"
done
printf '%-28s %-64s %s\n' binary sha256 verdict
for name in "${bin_names[@]}"; do
  a="$work/a/nested-a/target/$target/release/$name$exe"
  b="$work/b/nested-b/target/$target/release/$name$exe"
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
    cmp -l "$a" "$b" | head -5 >&2 || true
    if [ -n "$out" ]; then
      # Keep both for diagnosis (diffoscope, strings); never as a release asset.
      mkdir -p "$out/differing"
      cp "$a" "$out/differing/$name-$target$exe.a"
      cp "$b" "$out/differing/$name-$target$exe.b"
    fi
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "repro-build: FAILED: the $target build is not reproducible" >&2
else
  echo "repro-build: ok: ${#bin_names[@]} binaries for $target are byte-identical across two directories"
fi
exit "$status"

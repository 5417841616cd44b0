#!/usr/bin/env bash
# Side-by-side benchmarks of ci-intel-cache and ci-intel-repro, recorded in
# docs/benchmarks.md.
#
#   scripts/bench-cache-repro.sh [--bin DIR] [--threads N] [--work DIR]
#
# --bin: a folder holding ci-intel-cache and ci-intel-repro (default: build
# them with `cargo build --locked --release`; scripts/repro-build.sh --out
# DIR leaves the shipped musl binaries there). Needs hyperfine; b3sum from
# PATH, or `cargo install b3sum --root` into the work folder when absent;
# diffoscope for the compare benchmark (skipped without it).
#
# The inputs are generated here, in --work (default a temporary folder):
#   large/  8 files of 128 MiB of pseudo-random bytes (1 GiB);
#   small/  20,000 files of 1 to 8 KiB in 400 directories (about 90 MB);
#   trees/a, trees/b: 300 files of the small kind plus 4 files of 8 MiB,
#           copies that differ in 3 files (the compare benchmark).
# Then, with the same thread count for both tools:
#   1. hashing the large tree: b3sum vs ci-intel-cache manifest;
#   2. hashing the small files: b3sum (given every file, through xargs) vs
#      ci-intel-cache manifest (which also walks and writes the manifest);
#   3. ci-intel-repro compare of trees/a and trees/b vs diffoscope on them;
#   4. ci-intel-repro run over a C project of 60 files (make -j2) vs the two
#      plain builds it replaces (two copies, make in each).
set -euo pipefail
bin=""
threads=2
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
root=$(git rev-parse --show-toplevel)
cd "$root"
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
if [ -z "$bin" ]; then
  cargo build --locked --release -p ci-intel-cache -p ci-intel-repro --quiet
  bin=${CARGO_TARGET_DIR:-$root/target}/release
fi
cache=$(find "$bin" -maxdepth 1 -type f -name 'ci-intel-cache*' ! -name '*.d' | head -1)
repro=$(find "$bin" -maxdepth 1 -type f -name 'ci-intel-repro*' ! -name '*.d' | head -1)
b3sum=$(command -v b3sum || true)
if [ -z "$b3sum" ]; then
  cargo install --locked b3sum --root "$work/b3sum" --quiet
  b3sum=$work/b3sum/bin/b3sum
fi
echo "bench: $("$b3sum" --version), ci-intel-cache $("$cache" --version | cut -d' ' -f2), $threads thread(s)"

python3 - "$work" <<'PY'
import os, random, sys
work = sys.argv[1]
rng = random.Random(12)
large = os.path.join(work, "large")
if not os.path.isdir(large):
    os.makedirs(large)
    for i in range(8):
        with open(os.path.join(large, f"blob-{i}.bin"), "wb") as f:
            for _ in range(128):
                f.write(rng.randbytes(1 << 20))
small = os.path.join(work, "small")
if not os.path.isdir(small):
    for i in range(20000):
        d = os.path.join(small, f"d{i % 400:03}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05}.txt"), "wb") as f:
            f.write(rng.randbytes(rng.randint(1024, 8192)))
trees = os.path.join(work, "trees")
if not os.path.isdir(trees):
    for side in "ab":
        rng = random.Random(34)
        for i in range(300):
            d = os.path.join(trees, side, f"pkg{i % 30:02}")
            os.makedirs(d, exist_ok=True)
            data = rng.randbytes(rng.randint(1024, 8192))
            if side == "b" and i in (7, 150, 299):
                data = data[:100] + b"X" + data[101:]
            with open(os.path.join(d, f"mod{i:03}.bin"), "wb") as f:
                f.write(data)
        for i in range(4):
            with open(os.path.join(trees, side, f"big{i}.bin"), "wb") as f:
                f.write(rng.randbytes(8 << 20))
PY
sync

# Warm the page cache: both tools read from memory, as on a CI runner that
# just restored the files.
cat "$work"/large/* > /dev/null
find "$work/small" -type f -print0 | xargs -0 cat > /dev/null

hyperfine --warmup 1 --runs 7 --export-markdown "$work/large.md" \
  -n "b3sum --num-threads $threads (1 GiB, 8 files)" \
  "$b3sum --num-threads $threads $work/large/*" \
  -n "ci-intel-cache manifest --threads $threads (1 GiB, 8 files)" \
  "$cache manifest $work/large --out $work/large.json --threads $threads"

hyperfine --warmup 1 --runs 7 --export-markdown "$work/small.md" \
  -n "b3sum --num-threads $threads (20,000 small files)" \
  "find $work/small -type f -print0 | xargs -0 $b3sum --num-threads $threads > /dev/null" \
  -n "ci-intel-cache manifest --threads $threads (20,000 small files)" \
  "$cache manifest $work/small --out $work/small.json --threads $threads"

if command -v diffoscope >/dev/null; then
  hyperfine --warmup 1 --runs 3 -i --export-markdown "$work/compare.md" \
    -n "ci-intel-repro compare (304 files, 3 differ)" \
    "$repro compare $work/trees/a $work/trees/b --no-diffoscope --format json > /dev/null" \
    -n "diffoscope (same trees)" \
    "diffoscope --text /dev/null --no-progress $work/trees/a $work/trees/b"
fi
project=$work/project
if [ ! -d "$project" ] && command -v cc >/dev/null && command -v make >/dev/null; then
  mkdir -p "$project/src"
  for i in $(seq -w 1 60); do
    printf 'int f%s(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %d; return s; }\n' "$i" "$((10#$i))" > "$project/src/f$i.c"
  done
  printf 'int main(void) { return 0; }\n' > "$project/src/main.c"
  # shellcheck disable=SC2016 # make syntax, not shell
  printf 'OBJS := $(patsubst %%.c,%%.o,$(sort $(wildcard src/*.c)))\napp: $(OBJS)\n\tcc -o $@ $(OBJS)\n%%.o: %%.c\n\tcc -O2 -c -o $@ $<\n' > "$project/Makefile"
fi
if [ -d "$project" ]; then
  hyperfine --warmup 1 --runs 5 --export-markdown "$work/run.md" \
    -n "two plain builds (copy + make -j2, twice)" \
    "rm -rf $work/plain && mkdir -p $work/plain && cp -r $project $work/plain/a && cp -r $project $work/plain/b && make -s -j2 -C $work/plain/a && make -s -j2 -C $work/plain/b" \
    -n "ci-intel-repro run (same, compared)" \
    "$repro run --source $project --from all --outputs app --no-diffoscope --variations build_path,time_zone,locales,environment,file_order -- make -s -j2 > /dev/null"
fi
cat "$work"/large.md "$work"/small.md "$work"/compare.md "$work"/run.md 2>/dev/null

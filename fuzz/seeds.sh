#!/usr/bin/env bash
# shellcheck disable=SC2046,SC2016,SC2001 # split file lists, literal ${{ }}
# Collect the seed corpora of the fuzz targets into fuzz/corpus/<target>/:
# small real documents from ../shared/corpus (SOURCES.md says where each
# comes from) and the crates' test fixtures. Targets whose first byte(s)
# select a reader or a position get those bytes prepended. Files over
# 64 KiB are left out, and at most $MAX files are taken per source folder.
# The corpus is committed (after the campaigns it is their minimised
# corpus, seeds included); `scripts/fuzz.sh` fuzzes from it.
#
# Nothing token-shaped is committed (this repository's own secrets gate
# scans it, and the secrets fixtures write their tokens at test time): the
# gitleaks true-positive samples that seed `secrets_redact` are written at
# run time, by `seeds.sh --secret-samples DIR`, into the work directory.
#
#   fuzz/seeds.sh [SHARED_CORPUS]     (default: ../shared/corpus)
#   fuzz/seeds.sh --secret-samples DIR [SHARED_CORPUS]
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
samples=""
if [ "${1:-}" = --secret-samples ]; then
  samples=$2
  shift 2
fi
corpus=${1:-$root/../shared/corpus}
[ -d "$corpus" ] || { echo "seeds.sh: no shared corpus at $corpus" >&2; exit 2; }
corpus=$(cd "$corpus" && pwd)
out=$fuzz/corpus
MAX=${MAX:-40}
LIMIT=65536

# add TARGET PREFIX_HEX FILE...: copy each file (under LIMIT) as a seed
# named by its content hash, with the bytes PREFIX_HEX in front.
add() {
  local target=$1 prefix=$2; shift 2
  mkdir -p "$out/$target"
  local n=0 f
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le "$LIMIT" ] || continue
    local tmp
    tmp=$(mktemp)
    { [ -z "$prefix" ] || printf '%b' "$(sed 's/\(..\)/\\x\1/g' <<<"$prefix")"; cat "$f"; } >"$tmp"
    mv "$tmp" "$out/$target/$(sha1sum <"$tmp" | cut -c1-16)"
    n=$((n + 1))
    [ "$n" -lt "$MAX" ] || break
  done
}
# files under DIR matching NAME (find -name), sorted, for reproducible picks
pick() { find "$1" -type f -name "$2" 2>/dev/null | LC_ALL=C sort; }
fixtures=$root/crates

if [ -n "$samples" ]; then
  # one true-positive sample of every fifth gitleaks rule, behind the 3
  # bytes of secrets_redact (chunk size 64, planted secret at 0)
  mkdir -p "$samples"
  python3 - "$corpus/conformance/gitleaks-rules/samples.json" "$samples" <<'PY'
import hashlib, json, pathlib, sys
rules = json.load(open(sys.argv[1]))["rules"]
for i, (name, rule) in enumerate(sorted(rules.items())):
    if i % 5 == 0 and rule.get("tps"):
        data = b"\x40\x00\x00" + rule["tps"][0].encode()
        pathlib.Path(sys.argv[2], hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)
PY
  exit 0
fi
# Adds to fuzz/corpus (names are content hashes), never removes: the
# campaigns' inputs there stay.
sc=$corpus/supply-chain
# --- vuln
add vuln_sbom "" $(pick "$sc/cyclonedx/spec-tests" '*.json') $(pick "$sc/spdx" '*.json') $(pick "$fixtures/vuln/tests/fixtures" 'sbom*.json')
add vuln_vex "" $(pick "$sc/openvex" '*.json') $(pick "$sc/cyclonedx/bom-examples/VEX" '*.json') $(pick "$sc/csaf" '*.json') $(pick "$fixtures/vuln/tests/fixtures" '*vex*.json')
add vuln_scan "" $(pick "$sc/scanner-output/grype" '*.json') $(pick "$sc/scanner-output/trivy" '*.json*') $(pick "$sc/scanner-output" '*.sarif*') $(pick "$fixtures/vuln/tests/fixtures" 'grype*.json')
add vuln_kev "" $(pick "$sc/epss/kev" '*.json') $(pick "$fixtures/vuln/tests/fixtures" 'kev*.json')
add vuln_epss "" $(pick "$sc/epss" '*.csv') $(pick "$fixtures/vuln/tests/fixtures" 'epss*.csv')
low=$fixtures/vuln/tests/fixtures/vuln-risk/quiet/low-risk
add vuln_check 00 "$low/sbom.json"
add vuln_check 01 "$low/grype.json"
add vuln_check 02 "$low/kev.json"
add vuln_check 03 "$low/epss.csv"
add vuln_check 04 $(pick "$fixtures/vuln/tests/fixtures/vex-waiver" '*vex*.json')
mkdir -p "$out/vuln_ids"
printf 'pkg:npm/%%40angular/core@16.2.0?arch=x86#src\n1.2.3-rc.1' >"$out/vuln_ids/purl-npm"
printf 'pkg:deb/debian/openssl@1:3.0.11-1~deb12u2?distro=debian-12\n1:3.0.11-1~deb12u1' >"$out/vuln_ids/purl-deb"
printf 'pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?arch=x86_64\n1.1.1k-6.el8' >"$out/vuln_ids/purl-rpm"
printf '(MIT OR Apache-2.0) AND GPL-2.0+ WITH Classpath-exception-2.0\nv2.0.0+incompatible' >"$out/vuln_ids/license"
printf 'pkg:golang/github.com/foo/bar@v1.2.3\nv1.10.0' >"$out/vuln_ids/purl-go"
# --- policy
add policy_audit 00 $(pick "$corpus/workflows/realworld" '*.y*ml' | awk 'NR % 15 == 1')
add policy_audit 00 $(pick "$fixtures/policy/tests/fixtures" '*.y*ml')
add policy_audit 02 $(pick "$root/actions" 'action.yml')
add policy_audit 03 $(pick "$root" 'dependabot.yml') $(pick "$fixtures/policy/tests/fixtures" 'dependabot*.yml')
mkdir -p "$out/policy_expr"
grep -h -o '\${{[^}]*}}' $(pick "$corpus/workflows/realworld" '*.y*ml' | awk 'NR % 10 == 1') 2>/dev/null |
  LC_ALL=C sort -u | head -n 60 | { i=0; while IFS= read -r line; do printf '%s' "$line" >"$out/policy_expr/e$i"; i=$((i + 1)); done; }
# --- core, tests, telemetry
add core_junit "" $(pick "$corpus/junit" '*.xml') $(pick "$fixtures/telemetry/tests/fixtures/junit" '*.xml')
add tests_reports 00 $(pick "$corpus/mutation/stryker" '*.json')
add tests_reports 01 $(pick "$corpus/tests-intel/cargo-mutants" 'outcomes.json')
add tests_reports 02 $(pick "$corpus/tests-intel/cargo-mutants" 'mutants.json')
add tests_reports 03 $(pick "$fixtures/tests" '*.meta')
add tests_reports 04 $(pick "$corpus/tests-intel/mutmut" '*.json')
add tests_reports 05 $(pick "$corpus/tests-intel/pit" '*.xml')
add tests_reports 06 $(pick "$corpus/junit" '*.xml' | head -n 5)
add tests_reports 07 $(pick "$fixtures/tests" '*quarantine*')
add tests_reports 08 $(pick "$corpus/tests-intel/timings" '*.json')
add telemetry_ndjson "" $(pick "$fixtures/telemetry/tests" '*.ndjson') $(pick "$fixtures" '*.ndjson')
# --- oci, attest
add oci_manifest 00 $(find "$corpus/oci" -path '*/blobs/*' -type f -size -8k 2>/dev/null | LC_ALL=C sort | while read -r f; do head -c1 "$f" | grep -q '{' && echo "$f"; done)
add oci_creds "" $(pick "$fixtures/oci/tests" '*config*.json') $(pick "$sc/cyclonedx/spec-tests" 'valid-metadata*.json' | head -n 3)
mkdir -p "$out/oci_creds"
# `auth` is base64 of x:y: short and low-entropy, because this repository's own
# secrets gate scans the committed corpus (`ci-intel check` must pass).
printf '{"auths":{"ghcr.io":{"auth":"eDp5"},"https://index.docker.io/v1/":{"username":"u","password":"p4ss"}},"credHelpers":{"gcr.io":"gcloud"},"credsStore":"desktop"}' >"$out/oci_creds/docker-config"
add attest_bundle "" $(pick "$corpus/sigstore-conformance" 'bundle.sigstore.json') $(pick "$corpus/slsa" '*.intoto.jsonl') $(pick "$corpus/slsa" '*.sigstore.json')
# --- autopsy, secrets, evidence
add autopsy_log 0000 $(pick "$corpus/logs" '*.txt') $(pick "$corpus/logs" '*.log') $(pick "$fixtures/autopsy/tests/fixtures" '*.log')
add autopsy_log 0000 $(pick "$fixtures/autopsy/tests/fixtures" '*.xml')
mkdir -p "$out/secrets_redact"
printf '\x40\x00\x00##[group]Run cargo test\nexport TOKEN=***\nAuthorization: Bearer ${{ secrets.X }}\npassword=hunter2\n' >"$out/secrets_redact/log-lines"
mkdir -p "$out/secrets_diff_env"
git -C "$root" log -p -U0 --format='%x1e%H %aI' -n 2 -- crates/secrets/src/scan/diff.rs | head -c 60000 >"$out/secrets_diff_env/git-log" || true
git -C "$root" show -U0 --format= HEAD~1 -- Cargo.toml crates/core | head -c 60000 >"$out/secrets_diff_env/git-diff" || true
printf 'PATH=/usr/bin:/bin\0HOME=/root\0GITHUB_TOKEN=not-a-token\0EMPTY=\0NOEQUALS\0A==b\0' >"$out/secrets_diff_env/environ"
add evidence_bundle 01 $(pick "$fixtures/evidence/tests/fixtures" '*.sarif') $(pick "$sc/scanner-output" '*.sarif*' | head -n 5)
mkdir -p "$out/evidence_bundle"
tmpdir=$(mktemp -d)
printf '{"_type":"https://ci-intel.dev/evidence/manifest/v1"}' >"$tmpdir/manifest.json"
mkdir -p "$tmpdir/gates" && printf '{}' >"$tmpdir/gates/policy.intoto.json"
{ printf '\x00'; tar --format=ustar --owner=0 --group=0 --mtime=@0 -C "$tmpdir" -cf - manifest.json gates/policy.intoto.json; } >"$out/evidence_bundle/tar-minimal"
rm -rf "$tmpdir"

for d in "$out"/*/; do
  printf '%-20s %4d files %6d KiB\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" "$(du -sk "$d" | cut -f1)"
done

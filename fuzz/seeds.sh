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
# run time, by `seeds.sh --secret-samples DIR`, into the work directory;
# so are the private keys that seed `cache_keys` (`--key-samples DIR`).
#
#   fuzz/seeds.sh [SHARED_CORPUS]     (default: ../shared/corpus)
#   fuzz/seeds.sh --secret-samples DIR [SHARED_CORPUS]
#   fuzz/seeds.sh --key-samples DIR     (private keys for cache_keys)
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
samples=""
key_samples=""
if [ "${1:-}" = --secret-samples ]; then
  samples=$2
  shift 2
elif [ "${1:-}" = --key-samples ]; then
  key_samples=$2
  shift 2
fi
if [ -n "$key_samples" ]; then
  # private keys for cache_keys, made here at run time (never committed):
  # an Ed25519 PKCS#8 body (selector 1: the harness writes the PEM lines),
  # the same key as an unencrypted minisign secret key (selector 2, the
  # shape the reference minisign writes with -W: no KDF, zero checksum) and
  # the whole PEM file (selector 3).
  mkdir -p "$key_samples"
  tmp=$(mktemp -d)
  openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null
  { printf '\x01'; grep -v -- ----- "$tmp/key.pem"; } >"$key_samples/ed25519-body"
  { printf '\x03'; cat "$tmp/key.pem"; } >"$key_samples/ed25519-pem"
  openssl pkey -in "$tmp/key.pem" -outform DER 2>/dev/null | tail -c 32 >"$tmp/seed"
  openssl pkey -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | tail -c 32 >"$tmp/pub"
  python3 - "$tmp/seed" "$tmp/pub" "$key_samples/minisign-unencrypted" <<'PY'
import base64, sys
seed, pub = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
raw = b"Ed" + b"\0\0" + b"B2" + bytes(32) + bytes(8) + bytes(8) + b"\x01" * 8 + seed + pub + bytes(32)
open(sys.argv[3], "wb").write(b"\x02" + base64.b64encode(raw) + b"\n")
PY
  rm -rf "$tmp"
  exit 0
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
add policy_zizmor_config "" $(pick "$corpus/conformance/zizmor/test-data" 'zizmor*.y*ml') $(find "$corpus/conformance/zizmor/test-data" -path '*/configs/*' -name '*.yml' 2>/dev/null | LC_ALL=C sort)
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

# --- egress
mkdir -p "$out/egress_allowlist"
printf '\x00api.github.com\n*.actions.githubusercontent.com\nAPI.GitHub.com.\n*.*.example.com\n192.0.2.7\n10.0.0.1/8\n2001:db8::/32\n[2001:db8::1]:443\nexample.com:443\n169.254.169.254:80\ndocker0\nveth*\nbr-*\n' >"$out/egress_allowlist/entries"
printf '\x01{"schema":"ci-intel-egress.event/v1","time":"2026-01-01T00:00:00.000Z","kind":"dns","outcome":"blocked","name":"a.b.evil.example.net","qtype":"A","rcode":"REFUSED","comm":"curl"}\n{"schema":"ci-intel-egress.event/v1","time":"2026-01-01T00:00:01.000Z","kind":"dns","outcome":"allowed","name":"api.github.com","qtype":"AAAA","rcode":"NOERROR","answers":["140.82.112.6"],"pattern":"api.github.com"}\n{"schema":"ci-intel-egress.event/v1","time":"2026-01-01T00:00:02.000Z","kind":"connection","outcome":"blocked","proto":"tcp","daddr":"1.1.1.1","dport":443,"saddr":"10.1.0.2","sport":40000,"chain":"output","uid":1001,"pid":42,"comm":"python3","reason":"not allowed"}\n{"schema":"ci-intel-egress.event/v1","time":"2026-01-01T00:00:03.000Z","kind":"decision","outcome":"recorded","decision":"ci-intel/egress.apply","result":"allow","reason":"applied"}\n{"half a line\n' >"$out/egress_allowlist/events"
printf '\x02# Generated by NetworkManager\nsearch example.internal\nnameserver 127.0.0.53\nnameserver 192.0.2.53 # upstream\nnameserver fe80::1%%eth0\nnameserver not-an-address\noptions edns0 trust-ad\n' >"$out/egress_allowlist/resolv-conf"
printf '\x04  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0200010A:01BB 06707058:01BB 02 00000000:00000000 01:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n   1: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   0  0 777 2\n' >"$out/egress_allowlist/proc-net"
add egress_allowlist 03 $(pick "$fixtures/egress/tests/fixtures" 'config.yml')
# DNS messages and packets, written by python3 (RFC 1035 layout)
python3 - "$out/egress_dns" <<'PY'
import hashlib, pathlib, struct, sys
out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
def msg(id, flags, qs, ans=(), qd=None):
    body = b"".join(name(q) + struct.pack(">HH", t, 1) for q, t in qs)
    body += b"".join(ans)
    return struct.pack(">HHHHHH", id, flags, len(qs) if qd is None else qd, len(ans), 0, 0) + body
def rr(owner, t, data, ttl=300):
    return owner + struct.pack(">HHIH", t, 1, ttl, len(data)) + data
seeds = {
    "q-a": b"\0" + msg(0x1234, 0x0100, [("api.github.com", 1)]),
    "q-aaaa-upper": b"\0" + msg(7, 0x0100, [("Foo.Actions.GitHubUserContent.com.", 28)]),
    "q-any": b"\0" + msg(9, 0x0100, [("api.github.com", 255)]),
    "q-axfr": b"\0" + msg(9, 0x0000, [("example.org", 252)]),
    "q-two": b"\0" + msg(3, 0x0100, [("a.example.org", 1), ("b.example.org", 1)]),
    "q-edns": b"\0" + msg(11, 0x0100, [("example.org", 65)]),
    # a response: CNAME chain, an A on the chain, an A off it (compressed names)
    "r-cname": b"\1" + msg(0x4242, 0x8180, [("www.example.org", 1)], [
        rr(b"\xc0\x0c", 5, name("cdn.example.net")),
        rr(name("cdn.example.net"), 1, bytes([192, 0, 2, 10])),
        rr(name("other.example.com"), 1, bytes([169, 254, 169, 254])),
    ]),
    "r-aaaa": b"\1" + msg(5, 0x8180, [("api.github.com", 28)], [rr(b"\xc0\x0c", 28, bytes(15) + b"\1")]),
    "r-nx": b"\1" + msg(6, 0x8183, [("nope.example.org", 1)]),
    "r-tc": b"\1" + msg(6, 0x8380, [("big.example.org", 16)]),
    # IPv4 TCP SYN, IPv6 UDP, IPv4 ICMP with options
    "p-v4-tcp": b"\2" + bytes([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 1, 0, 2, 1, 1, 1, 1]) + struct.pack(">HH", 40000, 443) + bytes(16),
    "p-v6-udp": b"\2" + bytes([0x60, 0, 0, 0, 0, 8, 17, 64]) + bytes(15) + b"\1" + bytes([0x20, 0x01, 0x0d, 0xb8]) + bytes(11) + b"\2" + struct.pack(">HHHH", 5353, 53, 8, 0),
    "p-v4-icmp-opts": b"\2" + bytes([0x46, 0, 0, 32, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 169, 254, 169, 254, 1, 1, 1, 0, 8, 0, 0, 0]),
}
for key, data in seeds.items():
    (out / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)
PY
# --- manifest, repro
# Manifests with their BLAKE3 root digest (b3sum), as ci-intel-manifest writes them.
if command -v b3sum >/dev/null; then
  python3 - "$out/manifest_parse" <<'PY'
import hashlib, json, pathlib, subprocess, sys
out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
def manifest(roots, entries, meta=None):
    entries = sorted(entries, key=lambda e: (e["root"], e["path"].encode()))
    digest = subprocess.run(["b3sum", "--no-names"], input=canon({"algorithm": "blake3", "entries": entries}),
                            capture_output=True, check=True).stdout.split()[0].decode()
    files = [e for e in entries if e["kind"] == "file"]
    m = {"schema": "https://ci-intel.dev/schemas/manifest/v1", "algorithm": "blake3", "roots": roots,
         "root_digest": digest, "files": len(files), "bytes": sum(e["size"] for e in files), "entries": entries}
    if meta:
        m["meta"] = meta
    return canon(m) + b"\n"
h = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
seeds = [
    manifest(["target/release"], [
        {"root": 0, "path": "bin", "kind": "dir", "mode": "0755"},
        {"root": 0, "path": "bin/tool", "kind": "file", "mode": "0755", "size": 0, "blake3": h},
        {"root": 0, "path": "lib", "kind": "symlink", "target": "../lib64"},
    ], {"key": "ci-intel-cache-v1-trusted-linux-abc", "domain": "trusted"}),
    manifest(["a.txt", "node_modules"], [
        {"root": 0, "path": "", "kind": "file", "mode": "0644", "size": 3, "blake3": h},
        {"root": 1, "path": "x/y.js", "kind": "file", "mode": "0644", "size": 10, "blake3": h},
    ]),
    manifest(["empty"], []),
]
for data in seeds:
    (out / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)
PY
fi
dd=$corpus/repro/diffoscope/tests/data
for f in test1.a test1.o test1.zip test1.mozzip test1.tar test1.gz text_ascii1 text_unicode1 text_order1 order1a.json binary1 no-perms.tar; do
  add repro_formats 00002001 "$dd/$f"
  add repro_formats 01014000 "$dd/$f"
done
add repro_formats 03010040 "$dd/test1.zip"
add repro_formats 0c000a00 "$dd/test1.gz"
mkdir -p "$out/repro_formats"
printf '\x02\x00\x00\x00+umask,-time,file-order' >"$out/repro_formats/spec-edit"
printf '\x02\x00\x00\x00build_path, timezone,locales' >"$out/repro_formats/spec-exact"
# --- cache (private keys are written at run time: seeds.sh --key-samples)
mkdir -p "$out/cache_keys"
tmp=$(mktemp -d)
if openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null; then
  openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem" 2>/dev/null
  printf 'manifest' >"$tmp/msg"
  openssl pkeyutl -sign -rawin -inkey "$tmp/key.pem" -in "$tmp/msg" -out "$tmp/sig" 2>/dev/null || true
  { printf '\x00'; cat "$tmp/pub.pem"; printf '\x00'; cat "$tmp/sig"; } >"$out/cache_keys/ed25519-public-raw-signature"
  { printf '\x00'; cat "$tmp/pub.pem"; printf '\x00'; base64 -w0 "$tmp/sig"; } >"$out/cache_keys/ed25519-public-base64-signature"
fi
rm -rf "$tmp"
# a minisign public key and a prehashed minisign signature of "manifest",
# made with openssl (Ed25519) and python3 (BLAKE2b, the file layout)
tmp=$(mktemp -d)
if openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null; then
  openssl pkey -in "$tmp/key.pem" -pubout -outform DER 2>/dev/null | tail -c 32 >"$tmp/pub"
  python3 - "$tmp" <<'PY'
import hashlib, sys
d = sys.argv[1]
open(f"{d}/prehash", "wb").write(hashlib.blake2b(b"manifest").digest())
PY
  openssl pkeyutl -sign -rawin -inkey "$tmp/key.pem" -in "$tmp/prehash" -out "$tmp/sig" 2>/dev/null
  cat "$tmp/sig" <(printf 'timestamp:0') >"$tmp/global-in"
  openssl pkeyutl -sign -rawin -inkey "$tmp/key.pem" -in "$tmp/global-in" -out "$tmp/global" 2>/dev/null
  python3 - "$tmp" "$out/cache_keys/minisign-public-signature" <<'PY'
import base64, sys
d, target = sys.argv[1], sys.argv[2]
pub, sig, glob = (open(f"{d}/{n}", "rb").read() for n in ("pub", "sig", "global"))
keynum = bytes(range(1, 9))
key = base64.b64encode(b"Ed" + keynum + pub).decode()
signature = base64.b64encode(b"ED" + keynum + sig).decode()
text = (f"\0untrusted comment: minisign public key\n{key}\n\0"
        f"untrusted comment: signature from minisign secret key\n{signature}\n"
        f"trusted comment: timestamp:0\n{base64.b64encode(glob).decode()}\n")
open(target, "wb").write(text.encode())
PY
fi
rm -rf "$tmp"
printf '\x04pull_request\no/r\n{"repository":{"full_name":"o/r","private":true,"default_branch":"main"},"pull_request":{"head":{"repo":{"full_name":"fork/r"}}}}' >"$out/cache_keys/event-pr-fork"
printf '\x04pull_request_review\nO/R\n{"pull_request":{"head":{"repo":{"full_name":"o/r"}}}}' >"$out/cache_keys/event-pr-same"
printf '\x04workflow_run\no/r\n{"repository":{"full_name":"o/r"},"workflow_run":{"head_repository":{"full_name":"o/r"}}}' >"$out/cache_keys/event-workflow-run"
printf '\x04pull_request_target\no/r\n{}' >"$out/cache_keys/event-prt"
printf '\x04push\n\nnot json' >"$out/cache_keys/event-push"
printf '\x05{"schema":"https://ci-intel.dev/schemas/manifest/v1"}\n' >"$out/cache_keys/sign-bytes"
# --- core: the configuration loader (repository file, org policy, both)
add core_config 00 "$root/.ci-intel/config.yml" $(pick "$fixtures" 'config.yml' | awk 'NR % 2 == 1')
mkdir -p "$out/core_config"
printf '\x01version: 1\nfail_on: high\npolicy:\n  persona: pedantic\nsecrets:\n  allowlist:\n    paths: [vendor/**]\n  max_file_size: 1000000\nlock: [policy.persona, secrets.allowlist.paths, secrets.max_file_size, fail_on]\n' >"$out/core_config/org"
printf '\x02policy:\n  persona: pedantic\n  pins:\n    - {pattern: "*", policy: ref-pin}\nlock: [policy.persona, policy.pins]\n\x00version: 1\npolicy:\n  persona: auditor\n' >"$out/core_config/org-repo-loosen"
printf '\x02egress:\n  allow: [api.github.com, "*.example.com"]\n  allow_cidrs: [192.0.2.0/24]\nlock: [egress.allow, egress.allow_cidrs, egress.mode]\n\x00egress:\n  allow: [api.github.com]\n  mode: block\nvuln:\n  enabled: false\n' >"$out/core_config/org-repo-tighten"
printf '\x00version: 2\nunknown_key: 1\n' >"$out/core_config/repo-unknown"

for d in "$out"/*/; do
  printf '%-20s %4d files %6d KiB\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" "$(du -sk "$d" | cut -f1)"
done

#!/usr/bin/env bash
# install-tool.sh <tool>: put one ci-intel binary on PATH for a composite action.
#
# One script for every action (actions/<tool>/action.yml); the data lives in
# dist/manifest.json at the same commit (see dist/README.md and docs/install.md).
#
#   tool       telemetry -> ci-intel-telemetry, ci-intel -> ci-intel, <t> -> ci-intel-<t>
#
# Environment (set by the composite action):
#   CI_INTEL_ROOT            the hub checkout ($GITHUB_ACTION_PATH/../..); required
#   INPUT_TOKEN              token for the download; sent only to the GITHUB_SERVER_URL origin
#   INPUT_DOWNLOAD_URL       base URL override (mirror, GHES); optional
#   INPUT_BUILD_FROM_SOURCE  auto (default) | never | always
#   RUNNER_OS, RUNNER_ARCH   Linux|macOS|Windows, X64|ARM64 (from uname when unset)
#   RUNNER_TOOL_CACHE        default $HOME/.cache/ci-intel-tools
#   RUNNER_TEMP              scratch space (default $TMPDIR or /tmp)
#   GITHUB_SERVER_URL        default https://github.com
#   GITHUB_PATH, GITHUB_OUTPUT  runner files; outside Actions the results are printed
#   CI_INTEL_JSON_TOOL       force the manifest parser: jq | python3 (default: jq, else python3)
#   CARGO_TARGET_DIR         honoured when building from source
#
# Outputs: path (absolute path of the binary), version (manifest version or
# `source`), source (release | cache | build).
#
# Exit codes: 0 installed; 1 denied (checksum or size mismatch, unreleased
# commit with build-from-source=never); 2 usage or configuration error;
# 3 infrastructure error (network, missing tool, failed build).
#
# The version is never derived from github.action_ref / GITHUB_ACTION_REF:
# pinned consumers have a SHA there. The manifest at this commit is the truth.

set -euo pipefail

readonly MANIFEST_SCHEMA='ci-intel-dist-manifest/v1'
readonly ERROR_TITLE='ci-intel install'

# ---------------------------------------------------------------- messages

# Escape data for a workflow command (the runner's escaping: % CR LF).
escape_data() {
  local s=$1
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

in_actions() {
  [ "${GITHUB_ACTIONS:-}" = true ]
}

info() {
  printf 'ci-intel install: %s\n' "$*"
}

warn() {
  if in_actions; then
    printf '::warning title=%s::%s\n' "$ERROR_TITLE" "$(escape_data "$*")" >&2
  else
    printf 'ci-intel install: warning: %s\n' "$*" >&2
  fi
}

error() {
  if in_actions; then
    printf '::error title=%s::%s\n' "$ERROR_TITLE" "$(escape_data "$*")" >&2
  else
    printf 'ci-intel install: error: %s\n' "$*" >&2
  fi
}

# die CODE MESSAGE...
die() {
  local code=$1
  shift
  error "$@"
  exit "$code"
}

# ---------------------------------------------------------------- helpers

WORK_DIR=''
DOWNLOAD_DIR=''
cleanup() {
  if [ -n "$DOWNLOAD_DIR" ]; then rm -rf -- "$DOWNLOAD_DIR"; fi
  if [ -n "$WORK_DIR" ]; then rm -rf -- "$WORK_DIR"; fi
}
trap cleanup EXIT

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

lower() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

random_hex() {
  local hex=''
  if [ -r /dev/urandom ]; then
    hex=$(od -An -N16 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n' || true)
  fi
  if [ -z "$hex" ]; then
    hex="${RANDOM}${RANDOM}${RANDOM}${RANDOM}$$"
  fi
  printf '%s' "$hex"
}

# set_output NAME VALUE: the runner's heredoc form with a random delimiter.
set_output() {
  local name=$1 value=$2 delimiter
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    delimiter="ghadelimiter_$(random_hex)"
    while [[ $value == *"$delimiter"* ]]; do
      delimiter="ghadelimiter_$(random_hex)"
    done
    printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" >>"$GITHUB_OUTPUT" ||
      die 3 "cannot append output '$name' to \$GITHUB_OUTPUT ($GITHUB_OUTPUT)"
  else
    printf '%s=%s\n' "$name" "$value"
  fi
}

file_size() {
  wc -c <"$1" | tr -d '[:space:]'
}

SHA256_TOOL=''
require_sha256_tool() {
  if has sha256sum; then
    SHA256_TOOL=sha256sum
  elif has shasum; then
    SHA256_TOOL=shasum
  else
    die 3 "neither sha256sum nor shasum is on PATH, so the download cannot be verified: install coreutils (sha256sum) or perl (shasum)"
  fi
}

file_sha256() {
  local out
  if [ "$SHA256_TOOL" = sha256sum ]; then
    out=$(sha256sum <"$1")
  else
    out=$(shasum -a 256 <"$1")
  fi
  lower "${out%% *}"
}

# verify_file FILE: compare with the manifest's size and sha256; sets
# ACTUAL_SIZE and ACTUAL_SHA256. Returns 1 on any difference.
ACTUAL_SIZE=''
ACTUAL_SHA256=''
verify_file() {
  ACTUAL_SIZE=$(file_size "$1") || return 1
  ACTUAL_SHA256=$(file_sha256 "$1") || return 1
  [ "$ACTUAL_SIZE" = "$M_SIZE" ] && [ "$ACTUAL_SHA256" = "$M_SHA256" ]
}

# parse_url URL: sets URL_SCHEME, URL_HOST (lower case, IPv6 in brackets) and
# URL_PORT (explicit or the scheme's default). Returns 1 when malformed.
URL_SCHEME=''
URL_HOST=''
URL_PORT=''
parse_url() {
  local url=$1 rest authority after
  case "$url" in
    https://*) URL_SCHEME=https rest=${url#https://} ;;
    http://*) URL_SCHEME=http rest=${url#http://} ;;
    *) return 1 ;;
  esac
  if [[ $url =~ [[:space:][:cntrl:]] ]]; then return 1; fi
  authority=${rest%%[/?#]*}
  case "$authority" in
    *@*) return 1 ;; # no credentials in URLs
  esac
  if [[ $authority == '['* ]]; then
    URL_HOST="${authority%%]*}]"
    after=${authority#"$URL_HOST"}
    case "$after" in
      '') URL_PORT='' ;;
      :*) URL_PORT=${after#:} ;;
      *) return 1 ;;
    esac
  else
    URL_HOST=${authority%%:*}
    if [[ $authority == *:* ]]; then URL_PORT=${authority#*:}; else URL_PORT=''; fi
  fi
  [ -n "$URL_HOST" ] || return 1
  if [[ ! $URL_PORT =~ ^[0-9]*$ ]]; then return 1; fi
  if [ -z "$URL_PORT" ]; then
    if [ "$URL_SCHEME" = https ]; then URL_PORT=443; else URL_PORT=80; fi
  fi
  URL_HOST=$(lower "$URL_HOST")
}

is_loopback() {
  case "$1" in
    127.0.0.1 | localhost | '[::1]') return 0 ;;
    *) return 1 ;;
  esac
}

# ---------------------------------------------------------------- arguments

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  die 2 "usage: install-tool.sh <tool> (for example: telemetry, ci-intel)"
fi
TOOL=$1
tool_re='^[a-z][a-z0-9]*(-[a-z0-9]+)*$'
if [[ ! $TOOL =~ $tool_re ]]; then
  die 2 "install-tool.sh: tool name '$TOOL' is invalid: expected lower-case words joined by hyphens (for example: telemetry)"
fi
if [ "$TOOL" = ci-intel ]; then
  BIN=ci-intel
else
  BIN="ci-intel-$TOOL"
fi
PACKAGE=$BIN

if [ -z "${CI_INTEL_ROOT:-}" ]; then
  die 2 "CI_INTEL_ROOT is not set: the composite action must pass the hub checkout root (\${{ github.action_path }}/../..)"
fi
if [ ! -d "$CI_INTEL_ROOT" ]; then
  die 2 "CI_INTEL_ROOT ($CI_INTEL_ROOT) is not a directory"
fi
ROOT=$(cd "$CI_INTEL_ROOT" && pwd -P)
MANIFEST="$ROOT/dist/manifest.json"
if [ ! -f "$MANIFEST" ]; then
  die 2 "$MANIFEST not found: the ci-intel checkout at $ROOT is incomplete (every commit carries dist/manifest.json)"
fi

MODE=$(lower "$(trim "${INPUT_BUILD_FROM_SOURCE:-}")")
case "$MODE" in
  '') MODE=auto ;;
  auto | never | always) ;;
  *) die 2 "input build-from-source is '$MODE': expected auto, never or always" ;;
esac

TOKEN=${INPUT_TOKEN:-}
case "$TOKEN" in
  *$'\n'* | *$'\r'*) die 2 "input token contains a line break; pass the token value only" ;;
esac

# ---------------------------------------------------------------- platform

OS=${RUNNER_OS:-}
ARCH=${RUNNER_ARCH:-}
if [ -z "$OS" ]; then
  case "$(uname -s)" in
    Linux) OS=Linux ;;
    Darwin) OS=macOS ;;
    MINGW* | MSYS* | CYGWIN*) OS=Windows ;;
    *) OS=$(uname -s) ;;
  esac
fi
if [ -z "$ARCH" ]; then
  case "$(uname -m)" in
    x86_64 | amd64) ARCH=X64 ;;
    aarch64 | arm64) ARCH=ARM64 ;;
    *) ARCH=$(uname -m) ;;
  esac
fi
EXE=''
case "$OS/$ARCH" in
  Linux/X64) TARGET=x86_64-unknown-linux-musl ;;
  Linux/ARM64) TARGET=aarch64-unknown-linux-musl ;;
  macOS/X64) TARGET=x86_64-apple-darwin ;;
  macOS/ARM64) TARGET=aarch64-apple-darwin ;;
  Windows/X64) TARGET=x86_64-pc-windows-msvc EXE=.exe ;;
  *) die 2 "no ci-intel build for RUNNER_OS=$OS RUNNER_ARCH=$ARCH: supported runners are Linux/X64, Linux/ARM64, macOS/X64, macOS/ARM64 and Windows/X64" ;;
esac

TOOL_CACHE=${RUNNER_TOOL_CACHE:-}
if [ -z "$TOOL_CACHE" ]; then
  TOOL_CACHE="${HOME:?HOME is not set and RUNNER_TOOL_CACHE is empty}/.cache/ci-intel-tools"
fi
TEMP_ROOT=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
WORK_DIR=$(mktemp -d "$TEMP_ROOT/ci-intel-install.XXXXXX") ||
  die 3 "cannot create a scratch directory in $TEMP_ROOT (RUNNER_TEMP)"

# ---------------------------------------------------------------- manifest

JSON_TOOL=${CI_INTEL_JSON_TOOL:-}
case "$JSON_TOOL" in
  '')
    if has jq; then
      JSON_TOOL=jq
    elif has python3; then
      JSON_TOOL=python3
    else
      die 3 "cannot read $MANIFEST: neither jq nor python3 is on PATH; install jq (apt-get install jq, brew install jq) or python3"
    fi
    ;;
  jq | python3)
    has "$JSON_TOOL" || die 3 "CI_INTEL_JSON_TOOL=$JSON_TOOL but $JSON_TOOL is not on PATH; install it or unset CI_INTEL_JSON_TOOL"
    ;;
  *) die 2 "CI_INTEL_JSON_TOOL is '$JSON_TOOL': expected jq or python3" ;;
esac

# Both parsers print the same `key=value` lines and reject the same shapes:
# strings (or null) for schema, version, release_tag, download_base, file and
# sha256; a non-negative integer for size; no line breaks anywhere.
# shellcheck disable=SC2016 # $tool and $target are jq variables
JQ_PROGRAM='
def str($k): .[$k] as $v
  | if $v == null then ""
    elif ($v | type) == "string" then
      (if ($v | test("[\r\n]")) then error("\($k) contains a line break") else $v end)
    else error("\($k) must be a string or null, not \($v | type)") end;
if type != "object" then error("the manifest must be a JSON object") else . end
| (if .assets == null then {} else .assets end) as $assets
| if ($assets | type) != "object" then error("assets must be an object") else . end
| $assets[$tool] as $t
| if $t != null and ($t | type) != "object" then error("assets.\($tool) must be an object") else . end
| (if $t == null then null else $t[$target] end) as $e
| if $e != null and ($e | type) != "object" then error("assets.\($tool).\($target) must be an object") else . end
| "schema=\(str("schema"))",
  "version=\(str("version"))",
  "release_tag=\(str("release_tag"))",
  "download_base=\(str("download_base"))",
  (if $e == null then "entry=" else
    "entry=1",
    "file=\($e | str("file"))",
    "size=\($e.size | if type == "number" and . >= 0 and . == floor then tostring
                      else error("assets.\($tool).\($target).size must be a non-negative integer") end)",
    "sha256=\($e | str("sha256"))"
  end)
'

PY_PROGRAM='
import json, sys

path, tool, target = sys.argv[1], sys.argv[2], sys.argv[3]

def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)

def string(obj, key):
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        fail("%s must be a string or null, not %s" % (key, type(value).__name__))
    if "\n" in value or "\r" in value:
        fail("%s contains a line break" % key)
    return value

try:
    with open(path, "rb") as handle:
        doc = json.loads(handle.read().decode("utf-8"))
except (OSError, ValueError) as exc:
    fail("invalid JSON: %s" % exc)
if not isinstance(doc, dict):
    fail("the manifest must be a JSON object")
assets = doc.get("assets")
if assets is None:
    assets = {}
if not isinstance(assets, dict):
    fail("assets must be an object")
per_tool = assets.get(tool)
if per_tool is not None and not isinstance(per_tool, dict):
    fail("assets.%s must be an object" % tool)
entry = None if per_tool is None else per_tool.get(target)
if entry is not None and not isinstance(entry, dict):
    fail("assets.%s.%s must be an object" % (tool, target))
lines = [
    "schema=" + string(doc, "schema"),
    "version=" + string(doc, "version"),
    "release_tag=" + string(doc, "release_tag"),
    "download_base=" + string(doc, "download_base"),
]
if entry is None:
    lines.append("entry=")
else:
    size = entry.get("size")
    if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 0 or size != int(size):
        fail("assets.%s.%s.size must be a non-negative integer" % (tool, target))
    lines += ["entry=1", "file=" + string(entry, "file"), "size=%d" % int(size),
              "sha256=" + string(entry, "sha256")]
sys.stdout.write("\n".join(lines) + "\n")
'

PARSE_ERR="$WORK_DIR/parse.err"
if [ "$JSON_TOOL" = jq ]; then
  PARSED=$(jq -r --arg tool "$TOOL" --arg target "$TARGET" "$JQ_PROGRAM" "$MANIFEST" 2>"$PARSE_ERR") ||
    die 2 "$MANIFEST is not a valid $MANIFEST_SCHEMA manifest (jq): $(cat "$PARSE_ERR")"
else
  PARSED=$(python3 -c "$PY_PROGRAM" "$MANIFEST" "$TOOL" "$TARGET" 2>"$PARSE_ERR") ||
    die 2 "$MANIFEST is not a valid $MANIFEST_SCHEMA manifest (python3): $(cat "$PARSE_ERR")"
fi

info "read $MANIFEST with $JSON_TOOL"

M_SCHEMA='' M_VERSION='' M_RELEASE_TAG='' M_DOWNLOAD_BASE='' M_ENTRY='' M_FILE='' M_SIZE='' M_SHA256=''
while IFS= read -r line; do
  case "$line" in
    schema=*) M_SCHEMA=${line#schema=} ;;
    version=*) M_VERSION=${line#version=} ;;
    release_tag=*) M_RELEASE_TAG=${line#release_tag=} ;;
    download_base=*) M_DOWNLOAD_BASE=${line#download_base=} ;;
    entry=*) M_ENTRY=${line#entry=} ;;
    file=*) M_FILE=${line#file=} ;;
    size=*) M_SIZE=${line#size=} ;;
    sha256=*) M_SHA256=${line#sha256=} ;;
    *) die 2 "$MANIFEST: unexpected parser output line '$line'" ;;
  esac
done <<EOF
$PARSED
EOF

if [ "$M_SCHEMA" != "$MANIFEST_SCHEMA" ]; then
  die 2 "$MANIFEST: schema is '$M_SCHEMA', expected '$MANIFEST_SCHEMA' (this install-tool.sh reads only that format)"
fi
version_re='^[0-9A-Za-z][0-9A-Za-z.+_-]*$'
if [ -n "$M_VERSION" ] && [[ ! $M_VERSION =~ $version_re ]]; then
  die 2 "$MANIFEST: version '$M_VERSION' is not a version string"
fi
if [ -n "$M_ENTRY" ]; then
  where="$MANIFEST: assets.$TOOL.$TARGET"
  [ -n "$M_VERSION" ] || die 2 "$where is listed but version is null; a manifest with assets must name its version"
  file_re='^[A-Za-z0-9][A-Za-z0-9._+-]*$'
  [[ $M_FILE =~ $file_re ]] || die 2 "$where.file '$M_FILE' must be a plain file name (letters, digits, . _ + -; no path)"
  [[ $M_SIZE =~ ^[0-9]+$ ]] || die 2 "$where.size '$M_SIZE' must be a non-negative integer"
  [[ $M_SHA256 =~ ^[0-9a-fA-F]{64}$ ]] || die 2 "$where.sha256 '$M_SHA256' must be 64 hexadecimal digits"
  M_SHA256=$(lower "$M_SHA256")
fi

# ---------------------------------------------------------------- release

BINARY=''
OUT_VERSION=''
OUT_SOURCE=''

# download_asset CACHE_DIR CACHED: download, verify, move into the cache.
download_asset() {
  local cache_dir=$1 cached=$2 base base_from url server token_note curl_rc=0
  base=$(trim "${INPUT_DOWNLOAD_URL:-}")
  base_from='input download-url'
  if [ -z "$base" ]; then
    base=$M_DOWNLOAD_BASE
    base_from="$MANIFEST download_base"
  fi
  if [ -z "$base" ]; then
    die 2 "$MANIFEST lists $TOOL for $TARGET but download_base is null and input download-url is empty: set download-url to the directory that holds $M_FILE"
  fi
  while [[ $base == */ ]]; do base=${base%/}; done
  url="$base/$M_FILE"

  if ! parse_url "$url"; then
    # Never echo credentials: hide anything before an @ in the authority.
    local shown
    shown=$(printf '%s' "$url" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@#\1***@#')
    die 2 "download URL '$shown' (from $base_from) is not a valid https:// URL without credentials"
  fi
  if [ "$URL_SCHEME" = http ] && ! is_loopback "$URL_HOST"; then
    die 2 "refusing plain-http download URL '$url' (from $base_from): use https:// (http is allowed only for 127.0.0.1, localhost and [::1])"
  fi
  local dl_scheme=$URL_SCHEME dl_host=$URL_HOST dl_port=$URL_PORT

  server=${GITHUB_SERVER_URL:-https://github.com}
  local send_token=no
  if [ -z "$TOKEN" ]; then
    token_note='Authorization: not sent (input token is empty)'
  elif ! parse_url "$server"; then
    token_note="Authorization: not sent (GITHUB_SERVER_URL '$server' is not a URL)"
  elif [ "$dl_scheme" = "$URL_SCHEME" ] && [ "$dl_host" = "$URL_HOST" ] && [ "$dl_port" = "$URL_PORT" ]; then
    send_token=yes
    token_note="Authorization: token sent (download host $dl_host:$dl_port is the GITHUB_SERVER_URL host)"
  else
    token_note="Authorization: not sent (download host $dl_scheme://$dl_host:$dl_port is not the GITHUB_SERVER_URL host $URL_SCHEME://$URL_HOST:$URL_PORT)"
  fi

  mkdir -p -- "$cache_dir" || die 3 "cannot create the tool cache directory $cache_dir (RUNNER_TOOL_CACHE)"
  DOWNLOAD_DIR=$(mktemp -d "$cache_dir/.download.XXXXXX") || die 3 "cannot create a download directory in $cache_dir"
  local partial="$DOWNLOAD_DIR/$M_FILE"

  local proto='=https'
  if [ "$dl_scheme" = http ]; then proto='=http,https'; fi
  local -a curl_args=(
    --fail --location --silent --show-error
    --proto "$proto" --proto-redir '=https'
    --retry 3 --retry-connrefused --retry-max-time 60
    --connect-timeout 20 --max-time 600
    --user-agent "ci-intel-install-tool ($TOOL $M_VERSION $TARGET)"
    --output "$partial"
  )
  if [ "$M_SIZE" -gt 0 ]; then curl_args+=(--max-filesize "$M_SIZE"); fi
  if [ "$send_token" = yes ]; then
    local header="$WORK_DIR/auth.header"
    (umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$header")
    curl_args+=(--header "@$header")
  fi

  has curl || die 3 "curl is not on PATH: install curl to download $url"
  info "downloading $url ($token_note)"
  curl "${curl_args[@]}" -- "$url" || curl_rc=$?
  if [ -n "${header:-}" ]; then rm -f -- "$header"; fi
  case "$curl_rc" in
    0) ;;
    63)
      rm -rf -- "$DOWNLOAD_DIR"
      DOWNLOAD_DIR=''
      die 1 "download of $url is larger than the $M_SIZE bytes that $MANIFEST expects for $TOOL $M_VERSION $TARGET; deleted it, not retried. The asset or mirror does not match this release."
      ;;
    22)
      die 3 "download of $url failed with an HTTP error (curl exit 22, see above): check that release ${M_RELEASE_TAG:-$M_VERSION} has the asset $M_FILE and that the token or mirror (download-url) can serve it"
      ;;
    *)
      die 3 "download of $url failed (curl exit $curl_rc) after bounded retries for network errors: check the network, or set download-url to a reachable mirror"
      ;;
  esac

  if ! verify_file "$partial"; then
    rm -rf -- "$DOWNLOAD_DIR"
    DOWNLOAD_DIR=''
    die 1 "checksum mismatch for $url: expected sha256 $M_SHA256 and size $M_SIZE bytes (from $MANIFEST, $TOOL $M_VERSION $TARGET), actual sha256 $ACTUAL_SHA256 and size $ACTUAL_SIZE bytes. The download was deleted and is not retried: the asset or the mirror does not match this release; report it if the release asset changed."
  fi
  chmod 755 "$partial" || die 3 "cannot make $partial executable"
  mv -f -- "$partial" "$cached" || die 3 "cannot move the verified download into the tool cache at $cached"
  rm -rf -- "$DOWNLOAD_DIR"
  DOWNLOAD_DIR=''
  info "verified sha256 $M_SHA256 ($M_SIZE bytes); cached at $cached"
}

install_release() {
  local cache_dir="$TOOL_CACHE/ci-intel/$TOOL/$M_VERSION/$TARGET"
  local cached="$cache_dir/$M_FILE"
  require_sha256_tool
  info "$BIN $M_VERSION for $TARGET (from $MANIFEST)"
  OUT_VERSION=$M_VERSION
  if [ -f "$cached" ]; then
    if verify_file "$cached"; then
      chmod 755 "$cached" 2>/dev/null || true
      info "tool cache hit: $cached (sha256 verified)"
      BINARY=$cached
      OUT_SOURCE=cache
      return 0
    fi
    warn "tool cache entry $cached does not match $MANIFEST (expected sha256 $M_SHA256 and size $M_SIZE bytes, actual sha256 $ACTUAL_SHA256 and size $ACTUAL_SIZE bytes): deleting it without running it, and downloading again"
    rm -f -- "$cached" || die 3 "cannot delete the mismatching tool cache entry $cached"
  fi
  download_asset "$cache_dir" "$cached"
  BINARY=$cached
  OUT_SOURCE=release
}

# ---------------------------------------------------------------- source

build_from_source() {
  local why=$1 rc=0 target_dir
  if ! has cargo; then
    die 3 "cannot build $PACKAGE from source ($why): cargo is not on PATH. Install a Rust toolchain before this step, or pin the action to a released commit (a vX.Y.Z tag's SHA) whose dist/manifest.json lists $TARGET"
  fi
  if [ ! -f "$ROOT/Cargo.toml" ]; then
    die 2 "cannot build $PACKAGE from source: $ROOT/Cargo.toml not found (CI_INTEL_ROOT is not a ci-intel checkout)"
  fi
  info "building $PACKAGE from source ($why): cargo build --locked --release -p $PACKAGE in $ROOT"
  (cd "$ROOT" && cargo build --locked --release -p "$PACKAGE") || rc=$?
  if [ "$rc" -ne 0 ]; then
    die 3 "cargo build --locked --release -p $PACKAGE failed in $ROOT (exit $rc, see above)"
  fi
  target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
  case "$target_dir" in
    /* | [A-Za-z]:[\\/]*) ;;
    *) target_dir="$ROOT/$target_dir" ;;
  esac
  BINARY="$target_dir/release/$BIN$EXE"
  if [ ! -f "$BINARY" ]; then
    die 3 "cargo build succeeded but $BINARY does not exist (CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-unset})"
  fi
  OUT_VERSION=source
  OUT_SOURCE=build
}

# ---------------------------------------------------------------- main

if [ -n "$M_ENTRY" ] && [ "$MODE" != always ]; then
  install_release
else
  if [ -n "$M_ENTRY" ]; then
    reason="build-from-source is 'always'"
  elif [ -z "$M_VERSION" ]; then
    reason="this commit is unreleased: $MANIFEST has no version and no assets"
  else
    reason="release $M_VERSION lists no $TOOL asset for $TARGET in $MANIFEST"
  fi
  if [ "$MODE" = never ]; then
    die 1 "no prebuilt $BIN for $TARGET: $reason, and build-from-source is 'never', so nothing was installed. Pin the action to a released commit (the SHA of a vX.Y.Z tag) or set build-from-source: auto (needs cargo on the runner)."
  fi
  build_from_source "$reason"
fi

BIN_DIR=$(cd "$(dirname -- "$BINARY")" && pwd -P)
BINARY="$BIN_DIR/$(basename -- "$BINARY")"
if [ "$OS" = Windows ] && has cygpath; then
  BIN_DIR=$(cygpath -w "$BIN_DIR")
  BINARY=$(cygpath -w "$BINARY")
fi
case "$BIN_DIR" in
  *$'\n'* | *$'\r'*) die 3 "the binary directory '$BIN_DIR' contains a line break; it cannot be added to GITHUB_PATH" ;;
esac

if [ -n "${GITHUB_PATH:-}" ]; then
  printf '%s\n' "$BIN_DIR" >>"$GITHUB_PATH" || die 3 "cannot append to \$GITHUB_PATH ($GITHUB_PATH)"
fi
info "installed $BINARY ($OUT_SOURCE, version $OUT_VERSION)"
set_output path "$BINARY"
set_output version "$OUT_VERSION"
set_output source "$OUT_SOURCE"

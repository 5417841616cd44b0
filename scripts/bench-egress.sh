#!/usr/bin/env bash
# Benchmark of ci-intel-egress (docs/benchmarks.md, "egress"): in two
# network namespaces this script creates (a job and a host on
# documentation addresses; nothing leaves them), measure with and without
# the rules: TCP connection setup to an allowed host, download throughput
# from it, and DNS latency through the egress resolver against the
# upstream directly. Needs root, nft, ip, dnsmasq, python3, curl, dig,
# hyperfine.
#
#   scripts/bench-egress.sh [path/to/ci-intel-egress]
set -euo pipefail
bin=${1:-target/release/ci-intel-egress}
bin=$(realpath "$bin")
ns=cieb$$
job=${ns}job
host=${ns}host
state=$(mktemp -d)
www=$(mktemp -d)
cleanup() {
  if [ -f "$state/ready.json" ]; then
    kill "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$state/ready.json")" 2>/dev/null || true
  fi
  [ -n "${pids:-}" ] && kill $pids 2>/dev/null || true
  ip netns del "$job" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  rm -rf "/etc/netns/$job" "$state" "$www"
}
trap cleanup EXIT
ip netns add "$job"; ip netns add "$host"
ip -n "$job" link set lo up; ip -n "$host" link set lo up
ip link add up0 netns "$job" type veth peer name eth0 netns "$host"
ip -n "$job" link set up0 up; ip -n "$host" link set eth0 up
ip -n "$job" addr add 192.0.2.1/24 dev up0; ip -n "$host" addr add 192.0.2.2/24 dev eth0
ip -n "$job" route add default via 192.0.2.2
mkdir -p "/etc/netns/$job"; echo "nameserver 192.0.2.2" > "/etc/netns/$job/resolv.conf"
head -c $((256 * 1024 * 1024)) /dev/zero > "$www/big.bin"
echo ok > "$www/index.html"
ip netns exec "$host" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
  --listen-address=192.0.2.2 --port=53 --user=root --pid-file= --address=/allowed.test/192.0.2.2 &
pids="$!"
ip netns exec "$host" python3 -m http.server 8080 --bind 192.0.2.2 --directory "$www" >/dev/null 2>&1 &
pids="$pids $!"
in_job() { ip netns exec "$job" "$@"; }
for _ in $(seq 100); do
  in_job curl -s -o /dev/null http://192.0.2.2:8080/index.html && break
  sleep 0.2
done

measure() {
  local label=$1 urls=()
  echo "== $label"
  for _ in $(seq 200); do urls+=(-o /dev/null http://192.0.2.2:8080/index.html); done
  # One curl, 200 requests, each on a new connection (Connection: close):
  # the mean TCP connect time without process start-up in it.
  in_job curl -s -H 'Connection: close' -w '%{time_connect}\n' "${urls[@]}" |
    awk '{ s += $1; n++ } END { printf "TCP connect: mean %.0f us over %d connections\n", s / n * 1e6, n }'
  for _ in 1 2 3; do
    in_job curl -s -o /dev/null -w 'download 256 MiB: %{speed_download} bytes/s\n' http://192.0.2.2:8080/big.bin
  done
  # 200 queries in one dig process: per-query latency without start-up.
  for _ in $(seq 200); do echo "allowed.test"; done > "$state/names.txt"
  in_job hyperfine -N --warmup 2 --runs 10 "dig +short +tries=1 +time=2 -f $state/names.txt" | grep -E "Time|Range"
  echo "(divide by 200 for one query)"
}

measure without-rules
in_job env CI_INTEL_EGRESS_STATE="$state" "$bin" apply --allow allowed.test --no-prime
in_job curl -s -o /dev/null http://allowed.test:8080/index.html   # resolve once: the address is in the set
measure with-rules
echo "== nft: one set element added (what a DNS answer with a new address costs once)"
in_job hyperfine -N --warmup 5 --runs 100 "nft add element inet ci_intel_egress dns4 { 192.0.2.77 timeout 300s }" | grep -E "Time|Range"

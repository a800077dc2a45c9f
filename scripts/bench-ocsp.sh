#!/usr/bin/env bash
# OCSP throughput of `akashi serve` under load from wrk on loopback, for pre-produced
# (nonce-less) and freshly signed (nonce) answers. Installs wrk with apt-get if missing.
#   scripts/bench-ocsp.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q
bin=target/release/akashi
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export AKASHI_KEY_FILE=$work/master.key
$bin jlis init --data "$work/data" >/dev/null
$bin jlis issue-card --data "$work/data" --resident R1 --name "山田 花子" --birth 1990-04-01 --sex female \
  --address "東京都千代田区霞が関二丁目1番2号" --auth-pin 1234 --sign-pin ABC123 --out "$work/card" >/dev/null
$bin jlis export-roots --data "$work/data" --out "$work/roots" >/dev/null
$bin card certs "$work/card" --out "$work/certs" >/dev/null
credential=$($bin --json jlis verifier register Bench --data "$work/data" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"])')
openssl ocsp -issuer "$work/roots/auth-ca-gen1.pem" -cert "$work/certs/authentication.pem" -no_nonce -reqout "$work/plain.der" >/dev/null
openssl ocsp -issuer "$work/roots/auth-ca-gen1.pem" -cert "$work/certs/authentication.pem" -reqout "$work/nonce.der" >/dev/null
$bin serve --data "$work/data" --listen 127.0.0.1:0 > "$work/listen" 2>/dev/null &
server=$!
for _ in $(seq 50); do grep -q listening "$work/listen" 2>/dev/null && break; sleep 0.1; done
url=$(sed 's/listening on //' "$work/listen")/ocsp
for kind in plain nonce; do
  cat > "$work/$kind.lua" <<LUA
local f = io.open("$work/$kind.der", "rb"); local body = f:read("*all"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "application/ocsp-request"
wrk.headers["Authorization"] = "Bearer $credential"
LUA
  echo "== $kind requests ($( [ $kind = plain ] && echo 'no nonce: pre-produced answers' || echo 'nonce: signed afresh')), $conns connections, ${secs}s"
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/$kind.lua" "$url" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
done

#!/usr/bin/env bash
# PF verifications/s under wrk (a separate, lighter load generator than pf_load's own client):
# pf_load prepares the card-signed requests and serves; wrk posts each body once, spread over
# its threads. Installs wrk with apt-get if missing.
#   scripts/bench-pf.sh [login|proofing] [REQUESTS] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-login}
requests=${2:-40000}
secs=${3:-4}
conns=${4:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p akashi-server --example pf_load
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
PF_LOAD_DUMP="$work/bodies" target/release/examples/pf_load "$purpose" "$requests" 1 > "$work/ready" 2>/dev/null &
server=$!
for _ in $(seq 600); do grep -q READY "$work/ready" 2>/dev/null && break; sleep 0.5; done
read -r _ url credential < "$work/ready"
cat > "$work/post.lua" <<LUA
local bodies = {}
for line in io.lines("$work/bodies") do bodies[#bodies + 1] = line end
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) n = id end
request = function()
  n = n + 2
  return wrk.format("POST", "/pf/v1/transactions/complete",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $credential" },
    bodies[(n % #bodies) + 1])
end
LUA
echo "== $purpose: wrk -t2 -c$conns -d${secs}s, $requests distinct signed requests (a repeat would be a 409)"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" "$url" | grep -E "Requests/sec|50%|99%|requests in|Non-2xx"

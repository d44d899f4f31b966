import { availableParallelism } from "node:os"
import { setFlagsFromString } from "node:v8"

/**
 * Whether to switch V8's concurrent marking off: where the process may run on one CPU only (a
 * container or a `taskset` pinning it to one core), on the V8 releases where that was measured to
 * help, unless the operator named the flag (node --concurrent-marking, or in NODE_OPTIONS), which
 * then wins.
 *
 * Concurrent marking marks the old generation on helper threads, which pays where they get a CPU
 * of their own. On one CPU they run only by preempting the thread that serves requests. Measured
 * with wrk on a store growing by ~4,500 agents a second (POST /agents, 32 connections, memory, one
 * core), p99 / p50 with it off and on:
 * - Node 20 (V8 11.3): 1.81 - 2.81 off, 4.65 - 7.43 on (2 December); 2.01 - 3.01 off, 2.92 - 2.93 on
 *   over 60-s spans (5 December). Switched off.
 * - Node 24 (V8 13.6): 5.25 - 5.98 off, with a p99.9 of 210 - 266 ms; 2.11 - 2.65 on, p99.9 64 - 80 ms,
 *   and 15 % more requests (5 December). Left on: this V8 paces marking on the main thread differently.
 * - Node 22 (V8 12.4): 2.14 - 4.55 off (median of seven 3.34), 2.05 - 2.62 on; p99.9 a little lower
 *   off (49 - 81 ms against 69 - 87). Left to V8's default.
 * bench/wrk/gcVariants.sh measures it; the figures of 5 December are in bench/HISTORY.md.
 */
export const switchesOff = (host: { readonly v8: string; readonly cpus: number; readonly named: boolean }): boolean =>
  !host.named && host.cpus === 1 && Number(host.v8.split(".")[0]) < 12

/** What was decided for this process. Imported first by the entry point, so that no major collection runs before. */
export const concurrentMarkingOff: boolean = (() => {
  const off = switchesOff({
    v8: process.versions.v8,
    // availableParallelism reads the process's affinity, so it sees taskset and a container's cpuset.
    cpus: availableParallelism(),
    named: [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((arg) => arg.includes("concurrent-marking"))
  })
  if (off) setFlagsFromString("--no-concurrent-marking")
  return off
})()

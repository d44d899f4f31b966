import { quantile, type Samples } from "../support/stats.js"
import type { LoadReply } from "./loadWorker.js"

/**
 * How long the load generator's event loop must stand still to count as a stall (loadWorker.ts):
 * about half a GET's median latency on this machine, so a stall this long shows in the tail.
 */
export const STALL_MS = 2

/** Whether [sent, ended] meets one of the stalls (disjoint [start, end] pairs in time order). */
export const meetsStall = (stalls: Float64Array, sent: number, ended: number): boolean => {
  // The first stall that ends after `sent` is the only one that can meet the answer.
  let low = 0
  let high = stalls.length / 2
  while (low < high) {
    const mid = (low + high) >> 1
    if (stalls[2 * mid + 1]! > sent) high = mid
    else low = mid + 1
  }
  return low < stalls.length / 2 && stalls[2 * low]! < ended
}

/**
 * Of a job's answers, all and those over its p99: how many, and how many of each were in flight
 * during a stall; the latencies of the others go to `untouched`.
 */
export const answersDuringStalls = (reply: Pick<LoadReply, "latencies" | "endedMs" | "stalls">, untouched: Samples) => {
  const p99 = quantile(reply.latencies.slice().sort(), 0.99)
  const counts = { all: 0, allStalled: 0, slow: 0, slowStalled: 0 }
  reply.latencies.forEach((latency, i) => {
    const stalled = meetsStall(reply.stalls, reply.endedMs[i]! - latency, reply.endedMs[i]!) ? 1 : 0
    if (stalled === 0) untouched.push(latency)
    counts.all++
    counts.allStalled += stalled
    if (latency > p99) {
      counts.slow++
      counts.slowStalled += stalled
    }
  })
  return counts
}

/**
 * The load generator's isolate (a worker thread of the bench, started by load.ts): it runs
 * autocannon for one job at a time and posts back what it saw. In the bench's own isolate,
 * whose heap holds every result of the run, autocannon stopped with that isolate's collections
 * (scavenges up to 34 ms, mark-compacts of 6 - 20 ms, bench/HISTORY.md, 2 December), and each
 * such pause held every connection at once and counted as the server's latency.
 */
import autocannon, { type Request } from "autocannon"
import { parentPort } from "node:worker_threads"
import { Samples } from "../support/stats.js"
import { type Agents, type ScenarioId, scenarioRequests } from "./scenarioRequests.js"
import { STALL_MS } from "./stall.js"

/** What to send: a scenario over a server's agents (their revisions come back), or fixed requests. */
export type LoadSpec =
  | { readonly scenario: ScenarioId; readonly ids: Array<string>; readonly revs: Array<[string, string]> }
  | { readonly requests: Array<Request> }

export interface LoadJob {
  readonly url: string
  readonly connections: number
  readonly durationS: number
  readonly spec: LoadSpec
}

export interface LoadReply {
  /** Milliseconds, with microsecond precision: autocannon's own histogram rounds them to whole milliseconds. */
  readonly latencies: Float64Array
  /** When each answer came, in milliseconds since the job began: the same order as `latencies`. */
  readonly endedMs: Float64Array
  readonly statuses: Record<string, number>
  readonly durationS: number
  /** Socket errors and timeouts. */
  readonly failures: number
  /**
   * When this isolate's event loop stood still for STALL_MS or more (pairs of start and end, in
   * milliseconds since the job began): a collection, a long turn of its own loop, the OS running
   * something else on its CPU. While it stands, no answer is read, and every connection in flight
   * counts the stall as latency.
   */
  readonly stalls: Float64Array
  /** The agents' revisions once the job ended, for a scenario. */
  readonly revs?: Array<[string, string]> | undefined
}

const run = (job: LoadJob): Promise<LoadReply> => {
  const agents: Agents | undefined = "scenario" in job.spec ? { ids: job.spec.ids, revs: new Map(job.spec.revs) } : undefined
  const requests = "scenario" in job.spec ? scenarioRequests[job.spec.scenario](agents!) : job.spec.requests
  const latencies = new Samples()
  const endedMs = new Samples()
  const statuses: Record<string, number> = {}
  const started = performance.now()
  const stalls: Array<number> = []
  let tick = started
  const ticker = setInterval(() => {
    const now = performance.now()
    // The timer asks for every millisecond: a gap over that plus STALL_MS is time the loop lost.
    if (now - tick > 1 + STALL_MS) stalls.push(tick - started, now - started)
    tick = now
  }, 1)
  const instance = autocannon({ url: job.url, connections: job.connections, duration: job.durationS, timeout: 10, requests })
  instance.on("response", (_client, status: number, _bytes, ms: number) => {
    endedMs.push(performance.now() - started)
    latencies.push(ms)
    statuses[status] = (statuses[status] ?? 0) + 1
  })
  return Promise.resolve(instance).then((result) => {
    clearInterval(ticker)
    return {
      latencies: latencies.values(),
      endedMs: endedMs.values(),
      stalls: Float64Array.from(stalls),
      statuses,
      durationS: result.duration,
      failures: result.errors + result.timeouts,
      revs: agents === undefined ? undefined : [...agents.revs]
    }
  })
}

parentPort!.on("message", (job: LoadJob) => {
  run(job).then(
    (reply) => parentPort!.postMessage({ reply }, [reply.latencies.buffer as ArrayBuffer, reply.endedMs.buffer as ArrayBuffer, reply.stalls.buffer as ArrayBuffer]),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) })
  )
})

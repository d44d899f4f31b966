import autocannon, { type Request } from "autocannon"
import { Effect } from "effect"
import { processCpuMs } from "../support/cpu.js"
import { quantile, Samples } from "../support/stats.js"

export interface LoadOptions {
  readonly connections: number
  readonly durationS: number
  /** The server's process, whose CPU time the run measures. */
  readonly serverPid?: number | undefined
}

/** One measured run of one scenario against one server. Latencies in milliseconds. */
export interface LoadResult {
  readonly requests: number
  readonly durationS: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  /** Any failure: non-2xx other than 409, socket errors, timeouts. */
  readonly errors: number
  /** 409s, expected where connections race for one revision. */
  readonly conflicts: number
  readonly statuses: Record<string, number>
  /** Server CPU time (user + system) per request, in microseconds. */
  readonly cpuUsPerRequest: number
  /** Server CPU time over wall time: 1 means one core busy all the time. */
  readonly cpuShare: number
}

/**
 * Drives the server with autocannon for a fixed time. Latencies are recorded here, with
 * microsecond precision, because autocannon's own histogram rounds them to whole milliseconds.
 */
export const runLoad = (url: string, requests: Array<Request>, options: LoadOptions): Effect.Effect<LoadResult, Error> =>
  Effect.async<LoadResult, Error>((resume) => {
    const latencies = new Samples()
    const statuses: Record<string, number> = {}
    const cpuBefore = options.serverPid === undefined ? undefined : processCpuMs(options.serverPid)
    const instance = autocannon({
      url,
      connections: options.connections,
      duration: options.durationS,
      timeout: 10,
      requests
    })
    instance.on("response", (_client, status, _bytes, ms) => {
      latencies.push(ms)
      statuses[status] = (statuses[status] ?? 0) + 1
    })
    instance.then((result) => {
      const sorted = latencies.sorted()
      const cpuAfter = options.serverPid === undefined ? undefined : processCpuMs(options.serverPid)
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore
      let errors = result.errors + result.timeouts
      for (const [status, count] of Object.entries(statuses)) {
        if (!status.startsWith("2") && status !== "409") errors += count
      }
      resume(Effect.succeed({
        requests: sorted.length,
        durationS: result.duration,
        rps: sorted.length / result.duration,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        errors,
        conflicts: statuses["409"] ?? 0,
        statuses,
        cpuUsPerRequest: (cpuMs * 1000) / sorted.length,
        cpuShare: cpuMs / (result.duration * 1000)
      }))
    }, (error: unknown) => resume(Effect.fail(error instanceof Error ? error : new Error(String(error)))))
  })

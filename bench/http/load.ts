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
  /** Server CPU time per request in each slice, when the load came in slices shared with another server (runTogether); empty otherwise. */
  readonly turnCpuUsPerRequest: ReadonlyArray<number>
  /** docport's CPU time per request in the same slices, when this server shared them with docport. */
  readonly pairedCpuUsPerRequest?: ReadonlyArray<number> | undefined
}

/** What the slices of load on one server add up to, until `result` reads it. */
class Tally {
  private readonly latencies = new Samples()
  private requests = 0
  private readonly statuses: Record<string, number> = {}
  private durationS = 0
  private failures = 0
  private cpuMs = 0
  private readonly turns: Array<number> = []

  /**
   * One slice of `durationS` seconds. Latencies are recorded here, with microsecond precision,
   * because autocannon's own histogram rounds them to whole milliseconds.
   */
  slice(url: string, requests: Array<Request>, options: LoadOptions): Effect.Effect<void, Error> {
    return Effect.async<void, Error>((resume) => {
      const cpuBefore = options.serverPid === undefined ? undefined : processCpuMs(options.serverPid)
      const requestsBefore = this.requests
      const instance = autocannon({ url, connections: options.connections, duration: options.durationS, timeout: 10, requests })
      instance.on("response", (_client, status, _bytes, ms) => {
        this.requests++
        this.latencies.push(ms)
        this.statuses[status] = (this.statuses[status] ?? 0) + 1
      })
      instance.then((result) => {
        const cpuAfter = options.serverPid === undefined ? undefined : processCpuMs(options.serverPid)
        const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore
        this.cpuMs += cpuMs
        this.turns.push((cpuMs * 1000) / (this.requests - requestsBefore))
        this.durationS += result.duration
        this.failures += result.errors + result.timeouts
        resume(Effect.void)
      }, (error: unknown) => resume(Effect.fail(error instanceof Error ? error : new Error(String(error)))))
    })
  }

  result(): LoadResult {
    const sorted = this.latencies.sorted()
    let errors = this.failures
    for (const [status, count] of Object.entries(this.statuses)) {
      if (!status.startsWith("2") && status !== "409") errors += count
    }
    return {
      requests: this.requests,
      durationS: this.durationS,
      rps: this.requests / this.durationS,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      errors,
      conflicts: this.statuses["409"] ?? 0,
      statuses: this.statuses,
      cpuUsPerRequest: (this.cpuMs * 1000) / this.requests,
      cpuShare: this.cpuMs / (this.durationS * 1000),
      turnCpuUsPerRequest: this.turns
    }
  }
}

/** Drives the server with autocannon for a fixed time. */
export const runLoad = (url: string, requests: Array<Request>, options: LoadOptions): Effect.Effect<LoadResult, Error> =>
  Effect.suspend(() => {
    const tally = new Tally()
    return Effect.map(tally.slice(url, requests, options), () => ({ ...tally.result(), turnCpuUsPerRequest: [] }))
  })

export interface LoadTarget {
  readonly url: string
  readonly requests: Array<Request>
  readonly serverPid: number
}

/**
 * The same load on several servers at once, in slices of `sliceS` seconds for `options.durationS`
 * seconds in all; one result per server, in the order given, with the CPU per request of each
 * slice. This machine slows memory-bound work on one CPU at a time for seconds on end
 * (bench/machine/cpuSpeed.ts; one server measured 191 to 353 µs of CPU per GET in consecutive
 * five-second runs). Servers measured one after the other, even in turns of a second, land in
 * slow and fast stretches unevenly: between two identical builds the median ratio of turns moved
 * by up to 16 %. Loaded together on one CPU (cpu.ts, pinningPlan), they meet every stretch
 * alike: a pair of identical builds measured 0.96 - 1.02 slice by slice, and 0.99 as a median.
 * Each runs slower than alone (they share the CPU and its caches), so these figures compare
 * servers; the µs of a server alone are its continuous run's. Two at a time: with four servers
 * at once docport's GET measured 1.12 x the bare HttpApi's CPU, with two 1.22, as in turns taken
 * one after the other (1.16 - 1.24): more servers sharing a CPU narrowed the ratios.
 * Latencies are not for these slices: the servers compete for one CPU.
 */
export const runTogether = (
  targets: ReadonlyArray<LoadTarget>,
  options: LoadOptions & { readonly sliceS: number }
): Effect.Effect<Array<LoadResult>, Error> =>
  Effect.gen(function*() {
    const tallies = targets.map(() => new Tally())
    const slices = Math.max(1, Math.round(options.durationS / options.sliceS))
    for (let slice = 0; slice < slices; slice++) {
      yield* Effect.all(
        targets.map((target, i) =>
          tallies[i]!.slice(target.url, target.requests, {
            connections: options.connections,
            durationS: options.durationS / slices,
            serverPid: target.serverPid
          })
        ),
        { concurrency: "unbounded", discard: true }
      )
    }
    return tallies.map((tally) => tally.result())
  })

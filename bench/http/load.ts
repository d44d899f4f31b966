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
  /** Server CPU time per request in each turn, when the load came in turns (runInTurns); empty otherwise. */
  readonly turnCpuUsPerRequest: ReadonlyArray<number>
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
 * The same load on several servers, `options.durationS` seconds each, in turns of
 * `sliceS` seconds, the order rotating turn by turn; one result per server, in the order given.
 * This machine slows memory-bound work on one CPU at a time for seconds on end
 * (bench/machine/cpuSpeed.ts; one server measured 191 to 353 µs of CPU per GET in consecutive
 * five-second runs): servers measured one after the other for whole runs land in slow and fast
 * stretches unevenly, while the turns of one cycle, on one CPU (cpu.ts, pinningPlan), mostly share
 * one. Comparing servers turn by turn (summary.ts) uses that.
 * Latencies are not for these turns: each turn opens its connections anew and finds its server
 * idle for seconds, which measured tails twice to four times those of a continuous run.
 */
export const runInTurns = (
  targets: ReadonlyArray<LoadTarget>,
  options: LoadOptions & { readonly sliceS: number }
): Effect.Effect<Array<LoadResult>, Error> =>
  Effect.gen(function*() {
    const tallies = targets.map(() => new Tally())
    const turns = Math.max(1, Math.round(options.durationS / options.sliceS))
    for (let turn = 0; turn < turns; turn++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (turn + k) % targets.length
        const target = targets[i]!
        yield* tallies[i]!.slice(target.url, target.requests, {
          connections: options.connections,
          durationS: options.durationS / turns,
          serverPid: target.serverPid
        })
      }
    }
    return tallies.map((tally) => tally.result())
  })

import type { Request } from "autocannon"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { processCpuMs } from "../support/cpu.js"
import { compiled } from "../support/processes.js"
import { quantile, Samples } from "../support/stats.js"
import type { LoadJob, LoadReply, LoadSpec } from "./loadWorker.js"
import type { Agents, ScenarioId } from "./scenarioRequests.js"
import { refreshRevisions } from "./scenarios.js"
import { answersDuringStalls } from "./stall.js"

/** What a run sends: a scenario over a server's agents (whose revisions it keeps current), or fixed requests. */
export type Load =
  | { readonly scenario: ScenarioId; readonly agents: Agents }
  | { readonly requests: Array<Pick<Request, "method" | "path" | "headers" | "body">> }

export const specOf = (load: Load): LoadSpec =>
  "scenario" in load ? { scenario: load.scenario, ids: load.agents.ids, revs: [...load.agents.revs] } : { requests: load.requests }

// Idle load workers (loadWorker.ts), each an isolate of its own, reused from job to job so that
// autocannon runs compiled from a run's first request. Threads of this process, they follow its
// pinning (cpu.ts, loadGeneratorPinned: taskset -a moves every thread). Unreferenced: an idle one
// never keeps the bench alive.
const idle: Array<Worker> = []

const workerFile = () => compiled(fileURLToPath(new URL("./loadWorker.ts", import.meta.url)))

/** One job on an idle worker (or a new one); the worker is dropped if it fails or the job is interrupted. */
export const onWorker = (job: LoadJob): Effect.Effect<LoadReply, Error> =>
  Effect.async<LoadReply, Error>((resume) => {
    const worker = idle.pop() ?? new Worker(workerFile())
    worker.ref()
    const done = () => {
      worker.off("message", onMessage)
      worker.off("error", onError)
      worker.unref()
    }
    const onMessage = (message: { reply?: LoadReply; error?: string }) => {
      done()
      idle.push(worker)
      resume(message.reply === undefined ? Effect.fail(new Error(`load worker: ${message.error}`)) : Effect.succeed(message.reply))
    }
    const onError = (error: Error) => {
      done()
      void worker.terminate()
      resume(Effect.fail(error))
    }
    worker.on("message", onMessage)
    worker.on("error", onError)
    worker.postMessage(job)
    return Effect.sync(() => {
      done()
      void worker.terminate()
    })
  })

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
  /** Where a run measured it (absent in results from before 3 December): the tail of the tail, which a run's p99 leaves out. */
  readonly p999?: number | undefined
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
  /** The load generator's own stalls (loadWorker.ts), to tell its pauses from the server's in the tail; undefined under wrk (wrkLoad.ts), which has none to watch. */
  readonly loadStalls?: LoadStalls | undefined
}

export interface LoadStalls {
  /** How often the load generator's event loop stood still for STALL_MS or more, and its longest stall. */
  readonly count: number
  readonly maxMs: number
  /**
   * Of the answers slower than their run's p99, the share in flight while the load generator stood
   * still; and the same share of every answer, what chance alone gives.
   */
  readonly slowShare: number
  readonly allShare: number
  /**
   * p50 and p99 of the answers no stall of the load generator met: the server's tail with the
   * load generator's pauses left out (a diagnosis; the tails judged are p50 and p99 above).
   */
  readonly untouchedP50: number
  readonly untouchedP99: number
}

/**
 * Any failure: socket errors and timeouts, and answers neither 2xx nor 409 (a 409 is a lost race,
 * expected); in the scenario of absent agents, answers other than 404.
 */
export const errorsOf = (failures: number, statuses: Record<string, number>, scenario?: ScenarioId): number => {
  let errors = failures
  for (const [status, count] of Object.entries(statuses)) {
    const expected = scenario === "missing" ? status === "404" : status.startsWith("2") || status === "409"
    if (!expected) errors += count
  }
  return errors
}

/** After a run that wrote: the agents' revisions read from the server again (scenarios.ts, refreshRevisions says why). */
export const settleRevisions = (url: string, load: Load): Effect.Effect<void, Error> =>
  "scenario" in load && (load.scenario === "put" || load.scenario === "mix") ? refreshRevisions(url, load.agents) : Effect.void

/** `effect`, and the CPU time (ms) the server process `pid` used meanwhile: NaN without a pid, or where there is no /proc. */
export const withServerCpuMs = <A, E>(pid: number | undefined, effect: Effect.Effect<A, E>): Effect.Effect<[A, number], E> =>
  Effect.suspend(() => {
    const before = pid === undefined ? undefined : processCpuMs(pid)
    return Effect.map(effect, (a): [A, number] => {
      const after = pid === undefined ? undefined : processCpuMs(pid)
      return [a, before === undefined || after === undefined ? Number.NaN : after - before]
    })
  })

/** What the slices of load on one server add up to, until `result` reads it. */
class Tally {
  private readonly latencies = new Samples()
  private requests = 0
  private readonly statuses: Record<string, number> = {}
  private durationS = 0
  private failures = 0
  private cpuMs = 0
  private readonly turns: Array<number> = []
  private stallCount = 0
  private stallMaxMs = 0
  private readonly answers = { all: 0, allStalled: 0, slow: 0, slowStalled: 0 }
  private readonly untouched = new Samples()
  private scenario: ScenarioId | undefined

  /**
   * One slice of `durationS` seconds, sent by a load worker. The server's CPU is read around the
   * whole job; while the worker starts and reports, the server is idle.
   */
  slice(url: string, load: Load, options: LoadOptions): Effect.Effect<void, Error> {
    return Effect.suspend(() => {
      const job: LoadJob = { url, connections: options.connections, durationS: options.durationS, spec: specOf(load) }
      this.scenario = "scenario" in load ? load.scenario : undefined
      return Effect.map(withServerCpuMs(options.serverPid, onWorker(job)), ([reply, cpuMs]) => {
        for (const ms of reply.latencies) this.latencies.push(ms)
        for (const [status, count] of Object.entries(reply.statuses)) this.statuses[status] = (this.statuses[status] ?? 0) + count
        if ("scenario" in load && reply.revs !== undefined) for (const [id, rev] of reply.revs) load.agents.revs.set(id, rev)
        this.requests += reply.latencies.length
        this.cpuMs += cpuMs
        this.turns.push((cpuMs * 1000) / reply.latencies.length)
        this.durationS += reply.durationS
        this.failures += reply.failures
        const answers = answersDuringStalls(reply, this.untouched)
        this.answers.all += answers.all
        this.answers.allStalled += answers.allStalled
        this.answers.slow += answers.slow
        this.answers.slowStalled += answers.slowStalled
        this.stallCount += reply.stalls.length / 2
        for (let s = 0; s < reply.stalls.length; s += 2) this.stallMaxMs = Math.max(this.stallMaxMs, reply.stalls[s + 1]! - reply.stalls[s]!)
      })
    })
  }

  result(): LoadResult {
    const sorted = this.latencies.sorted()
    const untouched = this.untouched.sorted()
    const errors = errorsOf(this.failures, this.statuses, this.scenario)
    return {
      requests: this.requests,
      durationS: this.durationS,
      rps: this.requests / this.durationS,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      errors,
      conflicts: this.statuses["409"] ?? 0,
      statuses: this.statuses,
      cpuUsPerRequest: (this.cpuMs * 1000) / this.requests,
      cpuShare: this.cpuMs / (this.durationS * 1000),
      turnCpuUsPerRequest: this.turns,
      loadStalls: {
        count: this.stallCount,
        maxMs: this.stallMaxMs,
        slowShare: this.answers.slow === 0 ? 0 : this.answers.slowStalled / this.answers.slow,
        allShare: this.answers.all === 0 ? 0 : this.answers.allStalled / this.answers.all,
        untouchedP50: quantile(untouched, 0.5),
        untouchedP99: quantile(untouched, 0.99)
      }
    }
  }
}

/** Drives the server with autocannon for a fixed time. */
export const runLoad = (url: string, load: Load, options: LoadOptions): Effect.Effect<LoadResult, Error> =>
  Effect.suspend(() => {
    const tally = new Tally()
    return tally.slice(url, load, options).pipe(
      Effect.zipRight(settleRevisions(url, load)),
      Effect.map(() => ({ ...tally.result(), turnCpuUsPerRequest: [] }))
    )
  })

export interface LoadTarget {
  readonly url: string
  readonly load: Load
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
          tallies[i]!.slice(target.url, target.load, {
            connections: options.connections,
            durationS: options.durationS / slices,
            serverPid: target.serverPid
          })
        ),
        { concurrency: "unbounded", discard: true }
      )
      // Between slices, when neither server is measured.
      yield* Effect.forEach(targets, (target) => settleRevisions(target.url, target.load), { discard: true })
    }
    return tallies.map((tally) => tally.result())
  })

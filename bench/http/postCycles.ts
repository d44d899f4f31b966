/**
 * POST on memory over a span long enough to hold V8's full collections, besides the scenario's
 * 6-s window. Every POST adds a live agent to the memory backend, so its heap grows by 4 - 6 MB/s
 * and V8 collects it whole each time it has doubled (npm start's --heap-growing-percent=100):
 * every 10 - 17 s at 60 - 100 MB (bench/HISTORY.md, 3 December), further apart as it grows, and
 * longer than the window the scenarios are judged on. A window's p99 then says whether a
 * collection fell into it: a store that grows with every request has no steady state a short
 * window could sample. Over a span that holds collections the tail is that of their cycle, as a
 * server taking writes for minutes meets it; its p99.9 shows what the collections cost, and the
 * report counts them (a span that held none says nothing of them).
 */
import { Effect } from "effect"
import { type Contestant, othersStopped } from "./contestants.js"
import { type FullGcs, withFullGcsOf } from "./fullGcs.js"
import type { LoadOptions, LoadResult } from "./load.js"
import type { Agents, ScenarioId } from "./scenarios.js"

/** One server's continuous run of POST over the span. */
export interface CycleRun {
  readonly target: string
  readonly round: number
  readonly result: LoadResult
  /** Where the server counts them (docport's /metrics); undefined elsewhere. */
  readonly fullGcs: FullGcs | undefined
}

type Run = (url: string, load: { readonly scenario: ScenarioId; readonly agents: Agents }, options: LoadOptions) => Effect.Effect<LoadResult, Error>

/**
 * POST for `spanS` seconds on each server in turn, the others stopped (contestants.ts), docport
 * first in the rounds it starts first and last in the others, as the scenarios' runs alternate.
 * Each has just served the POST scenario, so it runs on from there, warm.
 */
export const postOverCycles = (
  servers: ReadonlyArray<Contestant>,
  all: ReadonlyArray<Contestant>,
  round: { readonly number: number; readonly docportFirst: boolean },
  run: Run,
  options: LoadOptions & { readonly spanS: number }
) =>
  Effect.gen(function*() {
    const docportAt = (c: Contestant) => (c.target.name === "docport") === round.docportFirst ? 0 : 1
    const order = [...servers].sort((a, b) => docportAt(a) - docportAt(b))
    const runs: Array<CycleRun> = []
    for (const c of order) {
      const measured = run(c.target.url, { scenario: "post", agents: c.agents }, { ...options, durationS: options.spanS, serverPid: c.target.pid })
      const [result, fullGcs] = yield* Effect.scoped(Effect.zipRight(
        othersStopped(all.filter((other) => other !== c)),
        withFullGcsOf(c.target, measured)
      ))
      runs.push({ target: c.target.name, round: round.number, result, fullGcs })
    }
    return runs
  })

import { Effect } from "effect"
import type { HttpTarget } from "../support/processes.js"

/** V8's full collections in one measured run of a server that counts them (docport_gc_pause_seconds). */
export interface FullGcs {
  readonly count: number
  /** Their atomic pauses added up; the incremental marking before each is not in it. */
  readonly pauseMs: number
}

const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

/**
 * docport's count and pause time of full collections so far; undefined where /metrics does not
 * answer. No series is no collection yet: /metrics leaves out what has not moved since the warm-up.
 */
const scrape = (url: string): Effect.Effect<FullGcs | undefined> =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/metrics`)
    const text = await response.text()
    if (!response.ok) return undefined
    return {
      count: sample(text, "docport_gc_pause_seconds_count{kind=\"major\"}"),
      pauseMs: sample(text, "docport_gc_pause_seconds_sum{kind=\"major\"}") * 1000
    }
  }).pipe(Effect.orElseSucceed(() => undefined))

/**
 * The run, with the full collections docport (a build that counts them: GcMetrics.ts) made during it: a scrape of /metrics before and
 * after, outside the measured time. A window of a run that holds one reads its tail from it
 * (bench/HISTORY.md, "Heap growth"), so each tail can be told apart in the report.
 */
export const withFullGcs = <A, E, R>(url: string, run: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, FullGcs | undefined], E, R> =>
  Effect.gen(function*() {
    const before = yield* scrape(url)
    const result = yield* run
    if (before === undefined) return [result, undefined] as const
    const after = yield* scrape(url)
    return [result, after === undefined ? undefined : { count: after.count - before.count, pauseMs: after.pauseMs - before.pauseMs }] as const
  })

/**
 * withFullGcs where the server is this commit's docport, the only one known to count them (an
 * earlier build may not); the run alone, with no count, elsewhere.
 */
export const withFullGcsOf = <A, E, R>(target: HttpTarget, run: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, FullGcs | undefined], E, R> =>
  target.name === "docport" ? withFullGcs(target.url, run) : Effect.map(run, (r) => [r, undefined] as const)

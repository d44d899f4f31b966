import { Effect, type Scope } from "effect"
import { loadGeneratorPinned, type Pinning } from "../support/cpu.js"
import { buildDocport, type HttpTarget, startBuiltDocport, startHttpApiBaseline } from "../support/processes.js"
import { markdownTable } from "../report/table.js"
import { median, quantile, Samples } from "../support/stats.js"
import { onWorker, specOf } from "./load.js"
import { type Agents, newAgents, seedAgents } from "./scenarios.js"

/** One second of a fresh server's life under load. Latencies in milliseconds. */
export interface FreshSecond {
  readonly second: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
}

export interface FreshRun {
  readonly target: string
  readonly round: number
  /** From spawning the process to its port answering (what a warm-up delays). */
  readonly readyMs?: number | undefined
  readonly seconds: ReadonlyArray<FreshSecond>
}

/** docport as shipped (WARMUP on, its default) and with its start-up warm-up off: the climb the warm-up removes. */
export const DOCPORT = "docport"
export const DOCPORT_COLD = "docport WARMUP=off"

/** A handful of agents to GET: as few writes before the load as possible, since each warms the server. */
const SEEDED = 10

// Per second of the run, by when the answer came back. autocannon notices the end of its duration
// at its next one-second tick, so it may go on for most of a second more: answers after the last
// whole second are left out (they once made the tenth second look twice as fast as the ninth).
const loadBySecond = (url: string, agents: Agents, connections: number, seconds: number) =>
  Effect.map(onWorker({ url, connections, durationS: seconds, spec: specOf({ scenario: "get", agents }) }), (reply) => {
    const buckets = Array.from({ length: seconds }, () => new Samples())
    reply.endedMs.forEach((ended, i) => buckets[Math.floor(ended / 1000)]?.push(reply.latencies[i]!))
    return buckets.map((b, i): FreshSecond => {
      const sorted = b.sorted()
      return { second: i + 1, rps: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }
    })
  })

export interface FreshSettings {
  readonly rounds: number
  readonly seconds: number
  readonly connections: number
  readonly pinning?: Pinning | undefined
  readonly log: (line: string) => void
}

/** A server to start fresh for each run, under the name its runs carry. */
export type FreshStarter = readonly [name: string, start: () => Effect.Effect<HttpTarget, Error, Scope.Scope>]

/**
 * Each round a new process of every starter in turn, the order rotating from round to round,
 * loaded with GETs as soon as its port answers and it holds a few agents.
 */
export const freshRounds = (starters: ReadonlyArray<FreshStarter>, settings: FreshSettings) =>
  Effect.gen(function*() {
    const runs: Array<FreshRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      const shift = (round - 1) % starters.length
      const order = [...starters.slice(shift), ...starters.slice(0, shift)]
      for (const [name, start] of order) {
        const [readyMs, seconds] = yield* Effect.scoped(Effect.gen(function*() {
          yield* loadGeneratorPinned(settings.pinning)
          const spawned = performance.now()
          const target = yield* start()
          const readyMs = performance.now() - spawned
          const agents = newAgents()
          yield* seedAgents(target.url, agents, SEEDED)
          return [readyMs, yield* loadBySecond(target.url, agents, settings.connections, settings.seconds)] as const
        }))
        settings.log(
          `  round ${round} fresh ${name}: ready after ${readyMs.toFixed(0)} ms; ` +
            `${seconds.map((s) => `${s.rps}/${s.p99.toFixed(0)}`).join(" ")} (req/s / p99 ms per second)`
        )
        runs.push({ target: name, round, readyMs, seconds })
      }
    }
    return runs
  })

/**
 * A fresh process's first seconds: docport (as `npm start` runs it, warm-up on), docport with
 * WARMUP=off and the bare HttpApi, each round a new process of each.
 */
export const freshStart = (settings: FreshSettings) =>
  Effect.gen(function*() {
    yield* buildDocport
    const on = { cpu: settings.pinning?.server }
    return yield* freshRounds([
      [DOCPORT, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "on" }, on)],
      [DOCPORT_COLD, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "off" }, on)],
      ["httpapi", () => startHttpApiBaseline(on)]
    ], settings)
  })

/**
 * Median over rounds, second by second, of each server, and where both docports ran, warm-up on
 * against off as a ratio of their req/s; the last row is each one's time from spawn to its port answering.
 */
export const freshTable = (runs: ReadonlyArray<FreshRun>): string | undefined => {
  if (runs.length === 0) return undefined
  const targets = [...new Set(runs.map((r) => r.target))]
  const seconds = Math.max(...runs.map((r) => r.seconds.length))
  const secondOf = (target: string, i: number) => runs.filter((r) => r.target === target).map((r) => r.seconds[i]).filter((s) => s !== undefined)
  const cell = (target: string, i: number) => {
    const mine = secondOf(target, i)
    const rps = median(mine.map((s) => s.rps))
    return `${Math.round(rps)} (${median(mine.map((s) => s.p50)).toFixed(1)} / ${median(mine.map((s) => s.p99)).toFixed(1)})`
  }
  const ratio = targets.includes(DOCPORT) && targets.includes(DOCPORT_COLD)
  const rpsRatio = (i: number) => {
    const cold = median(secondOf(DOCPORT_COLD, i).map((s) => s.rps))
    return cold > 0 ? `${(median(secondOf(DOCPORT, i).map((s) => s.rps)) / cold).toFixed(2)}` : "–"
  }
  const ready = (target: string) => {
    const times = runs.filter((r) => r.target === target && r.readyMs !== undefined).map((r) => r.readyMs!)
    return times.length === 0 ? "–" : `ready after ${Math.round(median(times))} ms`
  }
  const header = ["second", ...targets.map((t) => `${t} req/s (p50 / p99 ms)`), ...(ratio ? ["warm-up on / off req/s"] : [])]
  const rows = [
    ...Array.from({ length: seconds }, (_, i) => [String(i + 1), ...targets.map((t) => cell(t, i)), ...(ratio ? [rpsRatio(i)] : [])]),
    ["start", ...targets.map(ready), ...(ratio ? [""] : [])]
  ]
  return markdownTable(header, rows)
}

/** Seconds of a fresh run after which both docports have left the climb the warm-up shortens. */
export const CLIMB_SECONDS = 3

/**
 * Round by round, `target`'s requests in seconds `from` (0-based) up to `to` (default: the end)
 * over the unwarmed docport's in the same seconds. Undefined where a round lacks either.
 */
export const roundRatios = (runs: ReadonlyArray<FreshRun>, target: string, from: number, to?: number): ReadonlyArray<number | undefined> => {
  const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b)
  const sum = (run: FreshRun | undefined) => run?.seconds.slice(from, to).reduce((total, s) => total + s.rps, 0)
  return rounds.map((round) => {
    const warm = sum(runs.find((r) => r.round === round && r.target === target))
    const cold = sum(runs.find((r) => r.round === round && r.target === DOCPORT_COLD))
    return warm === undefined || cold === undefined || cold === 0 ? undefined : warm / cold
  })
}

/**
 * Round by round, the warmed docport's requests after the climb over the unwarmed one's in the same
 * seconds: what per-second medians over rounds can hide (a warmed process below the other in every
 * round showed as even). Undefined where a round lacks either docport.
 */
export const afterClimbRatios = (runs: ReadonlyArray<FreshRun>): ReadonlyArray<number | undefined> =>
  roundRatios(runs, DOCPORT, CLIMB_SECONDS)

/**
 * Every run of every round, in the order they ran: requests answered in each second. A slow
 * stretch of the machine shows as several runs in a row at a fraction of their usual rate.
 */
export const freshRoundsTable = (runs: ReadonlyArray<FreshRun>): string | undefined => {
  if (runs.length === 0) return undefined
  const seconds = Math.max(...runs.map((r) => r.seconds.length))
  const header = ["round", "server", "ready ms", ...Array.from({ length: seconds }, (_, i) => `s${i + 1}`)]
  const rows = runs.map((r) => [String(r.round), r.target, r.readyMs === undefined ? "–" : String(Math.round(r.readyMs)), ...r.seconds.map((s) => String(s.rps))])
  return markdownTable(header, rows)
}

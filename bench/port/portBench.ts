import { Effect } from "effect"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { RawClient, RunningBackend } from "../backends/Backend.js"
import { profiled } from "../support/inspectorProfile.js"
import { type ProfileSummary, summarizeProfile } from "../support/profile.js"

export type PortOp = "get" | "save" | "find" | "getMany"
export const PORT_OPS: ReadonlyArray<PortOp> = ["get", "save", "find", "getMany"]

export interface PortSettings {
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** Calls in flight at once. */
  readonly concurrency: number
  /** Also profile this process while each client makes these calls. */
  readonly profileOps: ReadonlyArray<PortOp>
  readonly log: (line: string) => void
}

export interface PortProfile {
  readonly backend: string
  readonly op: PortOp
  readonly client: "adapter" | "raw"
  readonly summary: ProfileSummary
}

export interface PortRun {
  readonly backend: string
  readonly op: PortOp
  readonly client: "adapter" | "raw"
  readonly round: number
  readonly opsPerS: number
  /** CPU time of the bench process (the client side) per call, in microseconds. */
  readonly cpuUsPerOp: number
}

const COLLECTION = "bench"
const DOCUMENTS = 1_000
const TEAMS = 50
const MANY = 100
const FIND_LIMIT = 20

const document = (i: number) => ({
  name: `document ${i}`,
  team: `team-${i % TEAMS}`,
  score: i / 7,
  tags: ["alpha", "beta"],
  nested: { ok: true, depth: 1 }
})

const idOf = (i: number) => `doc-${String(i).padStart(5, "0")}`
const pick = (n: number) => Math.floor(Math.random() * n)
const someIds = () => {
  const ids = new Set<string>()
  while (ids.size < MANY) ids.add(idOf(pick(DOCUMENTS)))
  return [...ids]
}

/** What one call of each operation does, through the adapter and through the raw client. */
const operations = (db: DatabaseServiceShape, raw: RawClient | undefined) => {
  const revs = new Map<string, string>()
  let next = 0
  // Saves go round the documents in turn, each at the revision the last save of it returned.
  const nextId = () => idOf(next++ % DOCUMENTS)
  const adapter: Record<PortOp, () => Effect.Effect<unknown, unknown>> = {
    get: () => db.get(COLLECTION, idOf(pick(DOCUMENTS))),
    save: () => {
      const id = nextId()
      return Effect.map(
        db.save(COLLECTION, id, { ...document(next), score: next }, { expectedRev: revs.get(id) }),
        ({ rev }) => revs.set(id, rev)
      )
    },
    find: () => db.find(COLLECTION, { team: `team-${pick(TEAMS)}` }, { limit: FIND_LIMIT }),
    getMany: () => db.getMany(COLLECTION, someIds())
  }
  const direct: Record<PortOp, () => Promise<unknown>> | undefined = raw && {
    get: () => raw.get(COLLECTION, idOf(pick(DOCUMENTS))),
    save: () => {
      const id = nextId()
      return raw.save(COLLECTION, id, { ...document(next), score: next })
    },
    find: () => raw.find(COLLECTION, "team", `team-${pick(TEAMS)}`, FIND_LIMIT),
    getMany: () => raw.getMany(COLLECTION, someIds())
  }
  const ids = Array.from({ length: DOCUMENTS }, (_, i) => idOf(i))
  // Each client writes at the revisions it last saw; the other client's turn moved them on.
  const refresh = {
    adapter: Effect.map(db.getMany(COLLECTION, ids), (found) => {
      for (const [id, doc] of found) if (doc !== null) revs.set(id, doc._rev)
    }),
    raw: Effect.tryPromise(() => raw!.refresh(COLLECTION, ids))
  }
  return { adapter, direct, refresh }
}

interface Tally {
  readonly calls: number
  readonly seconds: number
  readonly cpuUs: number
}

const tally = (calls: number, started: number, cpu: NodeJS.CpuUsage): Tally => {
  const used = process.cpuUsage(cpu)
  return { calls, seconds: (performance.now() - started) / 1000, cpuUs: used.user + used.system }
}

const runAdapter = (call: () => Effect.Effect<unknown, unknown>, seconds: number, concurrency: number) =>
  Effect.suspend(() => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    const until = started + seconds * 1000
    let calls = 0
    const worker = Effect.whileLoop({
      while: () => performance.now() < until,
      body: () => Effect.tap(call(), () => calls++),
      step: () => {}
    })
    return Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true }).pipe(
      Effect.map(() => tally(calls, started, cpu))
    )
  })

const runRaw = (call: () => Promise<unknown>, seconds: number, concurrency: number) =>
  Effect.tryPromise({
    try: async () => {
      const started = performance.now()
      const cpu = process.cpuUsage()
      const until = started + seconds * 1000
      let calls = 0
      const worker = async () => {
        while (performance.now() < until) {
          await call()
          calls++
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      return tally(calls, started, cpu)
    },
    catch: (cause) => new Error(`raw client failed: ${String(cause)}`)
  })

/**
 * Each operation, through the adapter and through the raw client against the same collection
 * of the same server, taking turns; the order of the turns flips every round.
 */
export const portBench = (backend: RunningBackend, settings: PortSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const namespace = backend.namespace()
    const db = yield* backend.adapter(namespace)
    const raw = backend.raw === undefined ? undefined : yield* backend.raw(namespace)
    const loaded = yield* db.saveMany(COLLECTION, Array.from({ length: DOCUMENTS }, (_, i) => ({ _id: idOf(i), ...document(i) })))
    const failed = loaded.find((result) => !result.ok)
    if (failed !== undefined) return yield* Effect.fail(new Error(`could not load ${failed.id}: ${JSON.stringify(failed)}`))
    yield* db.ensureIndex(COLLECTION, ["team"])
    const { adapter, direct, refresh } = operations(db, raw)
    const runs: Array<PortRun> = []
    const run = (op: PortOp, client: "adapter" | "raw", seconds: number): Effect.Effect<Tally, unknown> => {
      const prepare: Effect.Effect<void, unknown> = op === "save" ? refresh[client] : Effect.void
      const measure: Effect.Effect<Tally, unknown> = client === "adapter"
        ? runAdapter(adapter[op], seconds, settings.concurrency)
        : runRaw(direct![op], seconds, settings.concurrency)
      return Effect.zipRight(prepare, measure)
    }
    for (const op of PORT_OPS) {
      const clients: Array<"adapter" | "raw"> = direct === undefined ? ["adapter"] : ["adapter", "raw"]
      if (settings.warmupS > 0) for (const client of clients) yield* run(op, client, settings.warmupS)
      for (let round = 1; round <= settings.rounds; round++) {
        for (const client of round % 2 === 1 ? clients : [...clients].reverse()) {
          const t = yield* run(op, client, settings.durationS)
          const result = { backend: backend.name, op, client, round, opsPerS: t.calls / t.seconds, cpuUsPerOp: t.cpuUs / t.calls }
          settings.log(
            `  round ${round} ${backend.name} ${op.padEnd(7)} ${client.padEnd(7)}: ${result.opsPerS.toFixed(0)} ops/s, ` +
              `${result.cpuUsPerOp.toFixed(0)} µs CPU/op`
          )
          runs.push(result)
        }
      }
    }
    const profiles: Array<PortProfile> = []
    for (const op of settings.profileOps) {
      for (const client of direct === undefined ? ["adapter" as const] : ["adapter" as const, "raw" as const]) {
        const [, profile] = yield* profiled(run(op, client, settings.durationS))
        profiles.push({ backend: backend.name, op, client, summary: summarizeProfile(profile) })
      }
    }
    return { runs, profiles }
  }))

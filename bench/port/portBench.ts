import { Effect } from "effect"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { RawDatabase } from "../../src/ports/RawDatabase.js"
import type { RawClient, RunningBackend } from "../backends/Backend.js"
import { profiled } from "../support/inspectorProfile.js"
import { type ProfileSummary, summarizeProfile } from "../support/profile.js"
import { type AdapterModules, currentAdapters } from "./adapterModules.js"

export type PortOp = "get" | "save" | "find" | "getMany"
export const PORT_OPS: ReadonlyArray<PortOp> = ["get", "save", "find", "getMany"]

/**
 * Who makes the calls: `adapter` is the full port (validation, limits, spans and metrics around
 * the backend's raw operations, as the service runs it); `rawdb` is the adapter's raw operations
 * alone (src/ports/RawDatabase.ts), which is what the adapter itself adds around the SDK;
 * `before` is the full port of another commit (--port-before); `raw` is the backend's own client;
 * `control` is a second raw client, made as the first and measured in the same turns: what two
 * identical clients differ by in one run (each has a connection of its own to the server).
 */
export type PortClient = "adapter" | "rawdb" | "before" | "raw" | "control"

export interface PortSettings {
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** Calls in flight at once. */
  readonly concurrency: number
  /** Also profile this process while each client makes these calls. */
  readonly profileOps: ReadonlyArray<PortOp>
  /** The adapters of another commit, measured as `before` beside the current ones. */
  readonly before: AdapterModules | undefined
  readonly log: (line: string) => void
}

export interface PortProfile {
  readonly backend: string
  readonly op: PortOp
  readonly client: PortClient
  readonly summary: ProfileSummary
}

export interface PortRun {
  readonly backend: string
  readonly op: PortOp
  readonly client: PortClient
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
/**
 * Clients take turns in slices this long, so that a change of the machine's load (other
 * processes share this box) falls on every client alike within a round.
 */
const SLICE_S = 0.5

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
const allIds = Array.from({ length: DOCUMENTS }, (_, i) => idOf(i))
const documents = Array.from({ length: DOCUMENTS }, (_, i) => ({ _id: idOf(i), ...document(i) }))

// Saves go round the documents in turn, each at the revision the last save of it returned.
let next = 0
const nextId = () => idOf(next++ % DOCUMENTS)

export interface Client {
  readonly load: Effect.Effect<void, unknown>
  /** Reads the current revisions: the other clients' turns moved them on. */
  readonly refresh: Effect.Effect<void, unknown>
  readonly calls: Record<PortOp, () => Effect.Effect<unknown, unknown>> | Record<PortOp, () => Promise<unknown>>
  readonly promises: boolean
}

const loaded = (results: ReadonlyArray<{ readonly ok: boolean; readonly id: string }>) => {
  const failed = results.find((result) => !result.ok)
  return failed === undefined ? Effect.void : Effect.fail(new Error(`could not load ${failed.id}: ${JSON.stringify(failed)}`))
}

export const portClient = (db: DatabaseServiceShape): Client => {
  const revs = new Map<string, string>()
  return {
    load: Effect.zipRight(
      Effect.flatMap(db.saveMany(COLLECTION, documents), loaded),
      db.ensureIndex(COLLECTION, ["team"])
    ),
    refresh: Effect.map(db.getMany(COLLECTION, allIds), (found) => {
      for (const [id, doc] of found) if (doc !== null) revs.set(id, doc._rev)
    }),
    promises: false,
    calls: {
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
  }
}

/** The same calls on the adapter's raw operations: what the port adds is not in them. */
const rawDatabaseClient = (raw: RawDatabase): Client => {
  const revs = new Map<string, string>()
  return {
    load: Effect.zipRight(
      Effect.flatMap(raw.saveMany(COLLECTION, documents.map(({ _id, ...body }) => ({ id: _id, body, expectedRev: undefined, create: false }))), loaded),
      raw.ensureIndex(COLLECTION, ["team"])
    ),
    refresh: Effect.map(raw.getMany(COLLECTION, allIds), (found) => {
      for (const [id, doc] of found) revs.set(id, doc._rev)
    }),
    promises: false,
    calls: {
      get: () => raw.get(COLLECTION, idOf(pick(DOCUMENTS))),
      save: () => {
        const id = nextId()
        return Effect.map(
          raw.save(COLLECTION, { id, body: { ...document(next), score: next }, expectedRev: revs.get(id), create: false }),
          (rev) => revs.set(id, rev)
        )
      },
      find: () => raw.find(COLLECTION, { team: `team-${pick(TEAMS)}` }, undefined, FIND_LIMIT, undefined),
      getMany: () => raw.getMany(COLLECTION, someIds())
    }
  }
}

export const rawClient = (raw: RawClient): Client => ({
  load: Effect.void,
  refresh: Effect.tryPromise(() => raw.refresh(COLLECTION, allIds)),
  promises: true,
  calls: {
    get: () => raw.get(COLLECTION, idOf(pick(DOCUMENTS))),
    save: () => {
      const id = nextId()
      return raw.save(COLLECTION, id, { ...document(next), score: next })
    },
    find: () => raw.find(COLLECTION, "team", `team-${pick(TEAMS)}`, FIND_LIMIT),
    getMany: () => raw.getMany(COLLECTION, someIds())
  }
})

interface Tally {
  calls: number
  seconds: number
  cpuUs: number
}

const add = (into: Tally, calls: number, started: number, cpu: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(cpu)
  into.calls += calls
  into.seconds += (performance.now() - started) / 1000
  into.cpuUs += used.user + used.system
}

const runEffects = (call: () => Effect.Effect<unknown, unknown>, seconds: number, concurrency: number, into: Tally) =>
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
      Effect.map(() => add(into, calls, started, cpu))
    )
  })

// A plain async loop: no Effect runtime around the raw client's calls.
const runPromises = (call: () => Promise<unknown>, seconds: number, concurrency: number, into: Tally) =>
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
      add(into, calls, started, cpu)
    },
    catch: (cause) => new Error(`raw client failed: ${String(cause)}`)
  })

/**
 * Each operation through every client against the same collection of the same server. In each
 * round the clients take turns in short slices, the order of the turns rotating slice by slice.
 */
export const portBench = (backend: RunningBackend, settings: PortSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const namespace = backend.namespace()
    const clients = new Map<PortClient, Client>()
    clients.set("adapter", portClient(yield* currentAdapters.make(backend, namespace)))
    clients.set("rawdb", rawDatabaseClient(yield* currentAdapters.makeRaw(backend, namespace)))
    if (settings.before !== undefined) clients.set("before", portClient(yield* settings.before.make(backend, namespace)))
    if (backend.raw !== undefined) {
      clients.set("raw", rawClient(yield* backend.raw(namespace)))
      clients.set("control", rawClient(yield* backend.raw(namespace)))
    }
    // The in-memory backend keeps a store per adapter: each client loads its own.
    for (const client of clients.values()) yield* client.load
    const names = [...clients.keys()]

    const run = (op: PortOp, name: PortClient, seconds: number, into: Tally): Effect.Effect<void, unknown> => {
      const client = clients.get(name)!
      const prepare = op === "save" ? client.refresh : Effect.void
      const measure = client.promises
        ? runPromises((client.calls as Record<PortOp, () => Promise<unknown>>)[op], seconds, settings.concurrency, into)
        : runEffects((client.calls as Record<PortOp, () => Effect.Effect<unknown, unknown>>)[op], seconds, settings.concurrency, into)
      return Effect.zipRight(prepare, measure)
    }
    const fresh = (): Tally => ({ calls: 0, seconds: 0, cpuUs: 0 })

    const runs: Array<PortRun> = []
    for (const op of PORT_OPS) {
      if (settings.warmupS > 0) for (const name of names) yield* run(op, name, settings.warmupS, fresh())
      const slices = Math.max(1, Math.round(settings.durationS / SLICE_S))
      for (let round = 1; round <= settings.rounds; round++) {
        const tallies = new Map(names.map((name) => [name, fresh()] as const))
        for (let slice = 0; slice < slices; slice++) {
          const shift = (slice + round) % names.length
          for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
            yield* run(op, name, settings.durationS / slices, tallies.get(name)!)
          }
        }
        for (const [client, t] of tallies) {
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
      for (const name of names.filter((name) => name === "adapter" || name === "raw")) {
        const [, profile] = yield* profiled(run(op, name, settings.durationS, fresh()))
        profiles.push({ backend: backend.name, op, client: name, summary: summarizeProfile(profile) })
      }
    }
    return { runs, profiles }
  }))

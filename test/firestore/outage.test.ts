import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule, Stream } from "effect"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { type ChildServer, freePort, stopChildServer } from "../support/ChildServer.js"
import { emulatorFound, emulatorSource, freshProjectId, startOwnEmulator } from "../support/firestoreEmulator.js"

const REQUEST_TIMEOUT_MS = 1_000

/** The adapter on a fresh project of `host`'s emulator, giving up on a call after REQUEST_TIMEOUT_MS. */
const adapterOn = (host: string) =>
  FirestoreDatabase.make({ projectId: freshProjectId(), emulatorHost: host, requestTimeout: `${REQUEST_TIMEOUT_MS} millis` })

/** Every operation that reaches Firestore (ensureIndex does not: it is a no-op). */
type Failing = Effect.Effect<unknown, { readonly _tag: string; readonly message: string; readonly unavailable?: boolean }>

const everyOperation = (db: DatabaseServiceShape, c: string, rev: string): Record<string, Failing> => ({
  ping: db.ping,
  get: db.get(c, "a"),
  save: db.save(c, "a", { n: 2 }),
  saveWithRev: db.save(c, "a", { n: 2 }, { expectedRev: rev }),
  create: db.save(c, "new", { n: 2 }, { mode: "create" }),
  delete: db.delete(c, "a"),
  deleteWithRev: db.delete(c, "a", { expectedRev: rev }),
  listAll: db.listAll(c),
  stream: Stream.runCollect(db.stream(c)),
  pages: db.pages(c),
  find: db.find(c, { n: 1 }),
  getMany: db.getMany(c, ["a", "b"]),
  saveMany: db.saveMany(c, [{ _id: "b" }, { _id: "a", _rev: rev }]),
  deleteMany: db.deleteMany(c, ["a"])
})

/** Runs every operation at once; each must fail as unavailable, naming the emulator's variable and never its address, within about one request timeout. */
const expectAllUnavailable = (db: DatabaseServiceShape, c: string, rev: string, host: string) =>
  Effect.gen(function*() {
    const [elapsed] = yield* Effect.timed(Effect.forEach(Object.entries(everyOperation(db, c, rev)), ([name, operation]) =>
      Effect.map(Effect.flip(operation), (error) => {
        // Plain values only: a failed match would print the error's cause, a gRPC object graph.
        const unavailable = error.unavailable
        expect({ name, tag: error._tag, unavailable, message: error.message })
          .toMatchObject({ name, tag: "DatabaseError", unavailable: true, message: expect.stringContaining("FIRESTORE_EMULATOR_HOST") })
        expect(error.message, name).not.toContain(host.split(":")[1])
      }), { discard: true, concurrency: "unbounded" }))
    expect(Duration.toMillis(elapsed)).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500)
  })

const signal = (server: ChildServer, name: NodeJS.Signals) =>
  Effect.sync(() => {
    if (server.process.exitCode === null && server.process.signalCode === null) process.kill(-server.process.pid!, name)
  })

/** Freezes the emulator (SIGSTOP) until the scope closes: the kernel still accepts connections, nothing answers. */
const freeze = (server: ChildServer) => Effect.acquireRelease(signal(server, "SIGSTOP"), () => signal(server, "SIGCONT"))

// These tests stop and freeze an emulator of their own, so FIRESTORE_EMULATOR_HOST's cannot serve.
describe.skipIf(!emulatorFound || emulatorSource.kind === "external")("Firestore outages", () => {
  it.live("an emulator that dies: every operation fails unavailable within the request timeout, then works once it is back", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const first = yield* startOwnEmulator(port)
      const db = yield* adapterOn(first.host)
      const c = "outage"
      const { rev } = yield* db.save(c, "a", { n: 1 })

      yield* stopChildServer(first.server!)
      yield* expectAllUnavailable(db, c, rev, first.host)

      // Same port; the emulator keeps data in memory, so the document is gone.
      yield* startOwnEmulator(port)
      // gRPC reconnects with its own backoff, so the first calls may still find the channel down.
      yield* Effect.retry(db.ping, Schedule.intersect(Schedule.spaced("200 millis"), Schedule.recurs(50)))
      const saved = yield* db.save(c, "b", { n: 2 })
      expect(yield* db.get(c, "b")).toEqual({ _id: "b", _rev: saved.rev, n: 2 })
      expect((yield* Effect.flip(db.get(c, "a")))._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.live("a frozen emulator: operations time out as unavailable instead of waiting, and recover when it thaws", () =>
    Effect.gen(function*() {
      const emulator = yield* startOwnEmulator()
      const db = yield* adapterOn(emulator.host)
      const c = "frozen"
      const { rev } = yield* db.save(c, "a", { n: 1 })
      const untouched = yield* db.save(c, "untouched", { n: 1 })
      yield* Effect.scoped(Effect.zipRight(freeze(emulator.server!), expectAllUnavailable(db, c, rev, emulator.host)))
      // The timed-out writes reached the emulator's socket and may still be applied once it
      // thaws (their outcome is unknown, as with any remote database), so look at another document.
      expect(yield* Effect.retry(db.get(c, "untouched"), Schedule.recurs(3))).toEqual({ _id: "untouched", _rev: untouched.rev, n: 1 })
      const after = yield* db.save(c, "after", { n: 2 })
      expect((yield* db.get(c, "after"))._rev).toBe(after.rev)
    }).pipe(Effect.scoped))

  const closingAfter = (failing: (db: DatabaseServiceShape) => ReadonlyArray<Effect.Effect<unknown, unknown>>) =>
    Effect.gen(function*() {
      const emulator = yield* startOwnEmulator()
      const db = yield* adapterOn(emulator.host)
      yield* stopChildServer(emulator.server!)
      yield* Effect.forEach(failing(db), Effect.flip, { concurrency: "unbounded" })
      // Closing terminates the SDK client, which first waits for every call still running.
      return Date.now()
    }).pipe(Effect.scoped, Effect.map((closingStarted) => Date.now() - closingStarted))

  it.live("after failed writes, closing the layer waits for nothing: the SDK stopped retrying at the deadline", () =>
    Effect.gen(function*() {
      const closingMs = yield* closingAfter((db) => [
        db.ping,
        db.save("closing", "a", { n: 1 }),
        db.save("closing", "b", { n: 1 }, { mode: "create" }),
        db.saveMany("closing", [{ _id: "c" }]),
        db.deleteMany("closing", ["a"])
      ])
      // About 300 ms alone, 1,025 once under the whole suite on two cores; with the SDK still
      // retrying past the deadline, closing waits for those attempts (about 5 s).
      expect(closingMs).toBeLessThan(2_500)
    }))

  // A read's stream wrapper spaces two more (cancelled) attempts over up to ~8 seconds, longer
  // than closing waits: closing gives up on them after 5 seconds and the client closes after them.
  it.live("after failed reads, closing the layer is still bounded", () =>
    Effect.gen(function*() {
      const closingMs = yield* closingAfter((db) => [db.get("closing", "a"), db.find("closing", { n: 1 }), db.listAll("closing")])
      expect(closingMs).toBeLessThan(5_000 + 1_000)
    }))
})

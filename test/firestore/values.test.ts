import { describe, expect, layer } from "@effect/vitest"
import { Chunk, ConfigProvider, Context, Effect, Layer, Stream } from "effect"
import { deleteApp, initializeApp } from "firebase-admin/app"
import { type Firestore, GeoPoint, initializeFirestore, setLogFunction, Timestamp } from "firebase-admin/firestore"
import { randomUUID } from "node:crypto"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { MAX_DEPTH } from "../../src/ports/DocumentLimits.js"
import { heaviestAllowed } from "../support/limits.js"
import { type Emulator, emulatorFound, freshProjectId, startEmulator, testOptions } from "../support/firestoreEmulator.js"

class TestEmulator extends Context.Tag("test/FirestoreEmulator")<TestEmulator, Emulator>() {}

/** The adapter on a fresh project of the file's one emulator, with the project id for raw access. */
const adapter = Effect.gen(function*() {
  const options = yield* testOptions(yield* TestEmulator)
  return { db: yield* FirestoreDatabase.make(options), projectId: options.projectId }
})

/** A plain firebase-admin client on the same project, to see and write what the adapter does not. */
const rawFirestore = (projectId: string) =>
  Effect.gen(function*() {
    const { host } = yield* TestEmulator
    const app = yield* Effect.acquireRelease(
      Effect.sync(() => initializeApp({ projectId }, `raw-${randomUUID()}`)),
      (app) => Effect.promise(() => deleteApp(app))
    )
    const firestore = initializeFirestore(app)
    firestore.settings({ host, ssl: false })
    return firestore
  })

const raw = <A>(firestore: Firestore, run: (db: Firestore) => Promise<A>) => Effect.promise(() => run(firestore))

/** How many requests the SDK sends while `effect` runs (it logs each one before sending it). */
const countRequests = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const counter = { requests: 0 }
      setLogFunction((line) => {
        if (/\[Firestore\.request(Stream)?\]: Sending request/.test(line)) counter.requests += 1
      })
      return counter
    }),
    (counter) => Effect.map(effect, (result) => ({ result, requests: counter.requests })),
    () => Effect.sync(() => setLogFunction(null))
  )

// Keys built from JSON so that "__proto__" is an own key, as it is in a parsed request body.
const awkwardKeys = JSON.parse(
  `{"": "empty", "~": "tilde", "~[]": "marker-like", "[]": "brackets", "__name__": "reserved", "__x__": "dunder",
    "a.b": "dot", "\`x\`": "backticks", "with space": 1, "ünï": "code"}`
)
const awkward = {
  matrix: [[1, 2], [3, [4, [5]]], []],
  deep: [[[[]]]],
  mixed: [1, [2], { inner: [[3]] }, null, [null, true]],
  keys: awkwardKeys,
  markerLike: { "~[]": [1, 2] },
  "~top": "a top-level key starting with '~'",
  "a.b": "a dotted top-level key",
  text: "~not a key"
}

const nest = (levels: number): unknown => (levels === 0 ? "bottom" : { level: nest(levels - 1) })

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () =>
  layer(Layer.scoped(TestEmulator, startEmulator), { timeout: "120 seconds", excludeTestServices: true })(
    "Firestore values and writes",
    (it) => {
      it.effect("JSON that Firestore refuses natively round-trips: arrays in arrays, empty, '~' and '__x__' keys", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "awkward"
          const { rev } = yield* db.save(c, "one", awkward)
          expect(yield* db.get(c, "one")).toEqual({ ...awkward, _id: "one", _rev: rev })
          yield* db.saveMany(c, [{ _id: "two", ...awkward }])
          expect((yield* db.getMany(c, ["two"])).get("two")).toMatchObject(awkward)
          const listed = yield* db.listAll(c)
          expect(listed.map(({ _id, _rev, ...body }) => body)).toEqual([awkward, awkward])
          const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(db.stream(c, { pageSize: 1 })))
          expect(streamed.map((d) => d._id)).toEqual(["one", "two"])
          const projected = yield* db.find(c, { text: "~not a key" }, { fields: ["keys", "matrix"] })
          expect(projected.map(({ _id, _rev, ...body }) => body)).toEqual([
            { keys: awkwardKeys, matrix: awkward.matrix },
            { keys: awkwardKeys, matrix: awkward.matrix }
          ])
        }).pipe(Effect.scoped))

      it.effect("the stored form: an inner array is a map under '~[]', an escaped key gains a '~'", () =>
        Effect.gen(function*() {
          const { db, projectId } = yield* adapter
          yield* db.save("stored", "doc", { grid: [[1], []], keys: JSON.parse(`{"": 1, "~a": 2, "__x__": 3, "b": 4}`) })
          const firestore = yield* rawFirestore(projectId)
          const snapshot = yield* raw(firestore, (f) => f.collection("stored").doc("doc").get())
          expect(snapshot.data()).toEqual({ grid: [{ "~[]": [1] }, { "~[]": [] }], keys: { "~": 1, "~~a": 2, "~__x__": 3, b: 4 } })
        }).pipe(Effect.scoped))

      it.effect("values only other writers store come back as JSON", () =>
        Effect.gen(function*() {
          const { db, projectId } = yield* adapter
          const firestore = yield* rawFirestore(projectId)
          yield* raw(firestore, (f) =>
            f.collection("foreign").doc("doc").set({
              when: Timestamp.fromDate(new Date("2024-01-02T03:04:05.678Z")),
              where: new GeoPoint(1.5, -2),
              ref: f.collection("agents").doc("a1"),
              bytes: Buffer.from("hi"),
              plain: [1, "two"]
            }))
          const { _id, _rev, ...body } = yield* db.get("foreign", "doc")
          expect(body).toEqual({
            when: "2024-01-02T03:04:05.678Z",
            where: { latitude: 1.5, longitude: -2 },
            ref: "agents/a1",
            bytes: "aGk=",
            plain: [1, "two"]
          })
        }).pipe(Effect.scoped))

      it.effect("the deepest and the heaviest documents the shared limit allows fit Firestore's 20 levels and 1 MiB", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "limits"
          yield* db.save(c, "deepest-allowed", { v: nest(MAX_DEPTH) })
          expect((yield* db.get(c, "deepest-allowed")).v).toEqual(nest(MAX_DEPTH))
          // Stored as a map holding an array at every inner level: 1 + 2 * 9 levels.
          const arrays = (levels: number): unknown => (levels === 0 ? "bottom" : [arrays(levels - 1)])
          yield* db.save(c, "arrays", { v: arrays(10) })
          expect((yield* db.get(c, "arrays")).v).toEqual(arrays(10))
          const heaviest = heaviestAllowed()
          yield* db.save(c, "heaviest", heaviest)
          expect(((yield* db.get(c, "heaviest")).v as Array<number>).length).toBe(heaviest.v.length)
          const error = yield* Effect.flip(db.save(c, "too-deep", { v: nest(MAX_DEPTH + 1) }))
          expect(error).toMatchObject({ _tag: "InvalidDocument", limit: "depth" })
        }).pipe(Effect.scoped))

      it.effect("a write at the expected revision replaces the whole document: absent fields disappear", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "replace"
          const v1 = yield* db.save(c, "d", { keep: 1, drop: 2, nested: { a: 1, b: 2 } })
          const v2 = yield* db.save(c, "d", { keep: 2, nested: { a: 1 } }, { expectedRev: v1.rev })
          expect(yield* db.get(c, "d")).toEqual({ _id: "d", _rev: v2.rev, keep: 2, nested: { a: 1 } })
          const [bulk] = yield* db.saveMany(c, [{ _id: "d", _rev: v2.rev, only: true }])
          expect(bulk).toMatchObject({ ok: true })
          expect(yield* db.get(c, "d")).toEqual({ _id: "d", _rev: bulk!.ok ? bulk!.rev : "", only: true })
        }).pipe(Effect.scoped))

      it.effect("revisions are update times; a string that never was one matches nothing", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "revisions"
          const { rev } = yield* db.save(c, "d", { n: 1 })
          expect(rev).toMatch(/^\d+\.\d{9}$/)
          const tag = <A, E extends { _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
            Effect.map(Effect.flip(effect), (error) => error._tag)
          expect(yield* tag(db.save(c, "d", { n: 2 }, { expectedRev: "1-abc" }))).toBe("Conflict")
          expect(yield* tag(db.delete(c, "d", { expectedRev: "1-abc" }))).toBe("Conflict")
          expect(yield* tag(db.delete(c, "missing", { expectedRev: "1-abc" }))).toBe("NotFound")
          expect(yield* tag(db.delete(c, "missing", { expectedRev: rev }))).toBe("NotFound")
          expect(yield* tag(db.save(c, "missing", { n: 1 }, { mode: "create", expectedRev: rev }))).toBe("Conflict")
          const [bogus] = yield* db.saveMany(c, [{ _id: "d", _rev: "1-abc", n: 3 }])
          expect(bogus).toMatchObject({ ok: false, error: "conflict" })
          expect(yield* db.get(c, "d")).toEqual({ _id: "d", _rev: rev, n: 1 })
        }).pipe(Effect.scoped))

      it.effect("bulk calls beyond one commit of 500 writes, and repeated ids applied in order", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "bulk"
          const ids = Array.from({ length: 300 }, (_, i) => `d${String(i).padStart(3, "0")}`)
          const created = yield* db.saveMany(c, ids.map((id) => ({ _id: id, v: 0 })))
          expect(created.every((r) => r.ok)).toBe(true)
          // 300 conditional replaces are 600 writes: two commits.
          const replaced = yield* db.saveMany(c, created.map((r) => ({ _id: r.id, _rev: r.ok ? r.rev : "", v: 1 })))
          expect(replaced.every((r) => r.ok)).toBe(true)
          expect((yield* db.find(c, { v: 1 })).length).toBe(300)

          const { rev } = yield* db.save(c, "twice", { v: 0 })
          const repeated = yield* db.saveMany(c, [
            { _id: "twice", v: 1 },
            { _id: "twice", _rev: rev, v: 2 },
            { _id: "again", v: 1 },
            { _id: "again", v: 2 }
          ])
          expect(repeated.map((r) => r.ok)).toEqual([true, false, true, true])
          expect((yield* db.get(c, "twice")).v).toBe(1)
          expect((yield* db.get(c, "again")).v).toBe(2)

          const deleted = yield* db.deleteMany(c, [...ids, ...ids.slice(0, 250).map((id) => `${id}-missing`)])
          expect(deleted.length).toBe(550)
          expect(deleted.every((r) => r.ok)).toBe(true)
          expect((yield* db.listAll(c)).map((d) => d._id)).toEqual(["again", "twice"])
        }).pipe(Effect.scoped))

      it.effect("round trips: one per single-document call, one per 500 writes in bulk, one per 1,000 documents read", () =>
        Effect.gen(function*() {
          const { db } = yield* adapter
          const c = "trips"
          const created = yield* countRequests(db.save(c, "d", { n: 1 }))
          expect(created.requests).toBe(1)
          const replaced = yield* countRequests(db.save(c, "d", { n: 2 }, { expectedRev: created.result.rev }))
          expect(replaced.requests).toBe(1)
          expect((yield* countRequests(db.get(c, "d"))).requests).toBe(1)
          expect((yield* countRequests(db.getMany(c, ["d", "e", "f"]))).requests).toBe(1)
          expect((yield* countRequests(db.find(c, { n: 2 }))).requests).toBe(1)
          // A stale revision on delete takes a second read to tell Conflict from NotFound.
          expect((yield* countRequests(Effect.flip(db.delete(c, "d", { expectedRev: created.result.rev })))).requests).toBe(2)
          expect((yield* countRequests(db.delete(c, "d", { expectedRev: replaced.result.rev }))).requests).toBe(1)
          const many = Array.from({ length: 1100 }, (_, i) => ({ _id: `m${String(i).padStart(4, "0")}`, kind: "m", i }))
          expect((yield* countRequests(db.saveMany(c, many))).requests).toBe(3)
          // Reads come in pages of 1,000.
          const found = yield* countRequests(db.find(c, { kind: "m" }))
          expect([found.requests, found.result.length]).toEqual([2, 1100])
          expect(found.result.map((d) => d._id)).toEqual(many.map((d) => d._id))
          const limited = yield* countRequests(db.find(c, { kind: "m" }, { limit: 1050 }))
          expect([limited.requests, limited.result.length]).toEqual([2, 1050])
          expect((yield* countRequests(db.find(c, { kind: "m" }, { limit: 5 }))).requests).toBe(1)
          expect((yield* countRequests(db.listAll(c))).requests).toBe(2)
          expect((yield* countRequests(db.deleteMany(c, many.map((d) => d._id)))).requests).toBe(3)
        }).pipe(Effect.scoped))

      it.effect("DATABASE_PROVIDER=firestore runs on FIRESTORE_PROJECT_ID (or GOOGLE_CLOUD_PROJECT) and FIRESTORE_EMULATOR_HOST", () =>
        Effect.gen(function*() {
          const { host } = yield* TestEmulator
          for (const projectVariable of ["FIRESTORE_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"]) {
            const config = ConfigProvider.fromMap(
              new Map([["DATABASE_PROVIDER", "firestore"], [projectVariable, freshProjectId()], ["FIRESTORE_EMULATOR_HOST", host]])
            )
            yield* Effect.gen(function*() {
              const db = yield* DatabaseService
              expect(db.provider).toBe("firestore")
              const { rev } = yield* db.save("agents", "a1", { name: "n" })
              expect(yield* db.get("agents", "a1")).toEqual({ _id: "a1", _rev: rev, name: "n" })
            }).pipe(Effect.provide(layerFromConfig), Effect.provide(Layer.setConfigProvider(config)))
          }
        }))
    }
  ))

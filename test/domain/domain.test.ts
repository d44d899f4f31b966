import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { agentFromStored } from "../../src/domain/Agent.js"
import * as Agents from "../../src/domain/Agents.js"
import * as Demos from "../../src/domain/Demos.js"
import * as Deployments from "../../src/domain/Deployments.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { makeEntityStore } from "../../src/domain/EntityStore.js"
import { makeKeyedLock } from "../../src/domain/keyedLock.js"
import { Conflict, DatabaseError } from "../../src/ports/Errors.js"

const DomainLive = Layer.mergeAll(Agents.layer, Demos.layer).pipe(Layer.provideMerge(Deployments.layer))
const demoBody = (name: string, userPrompt = "make a page") => ({
  name,
  selectedApis: [],
  modelConfig: { provider: "openai", model: "gpt-4o", parameters: {} },
  userPrompt,
  generatedCode: { html: "<p>", css: "", js: "" }
})
const agent = (friendlyName?: string) => ({ name: "n", description: "d", code: "c", ...(friendlyName ? { friendlyName } : {}) })

layer(DomainLive.pipe(Layer.provideMerge(MemoryDatabase.layer)), { excludeTestServices: true })("domain on memory", (it) => {
  it.effect("ten agents racing for one friendly name: exactly one deploys, the others get FriendlyNameTaken", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const created = yield* Effect.forEach(Array.from({ length: 10 }), () => agents.create(agent("contested")))
      const outcomes = yield* Effect.forEach(created, (a) => Effect.either(deployments.deploy(a._id)), {
        concurrency: "unbounded"
      })
      const winners = outcomes.filter(Either.isRight)
      expect(winners.length).toBe(1)
      const losers = outcomes.filter(Either.isLeft).map((o) => o.left)
      expect(losers.every((e) => e._tag === "FriendlyNameTaken")).toBe(true)
      expect(winners[0]!.right).toEqual({ message: "Agent deployed successfully", endpoint: "/rest/contested" })
      const listed = (yield* deployments.list).filter((d) => d.friendlyName === "contested")
      expect(listed.length).toBe(1)
      const holder = listed[0]!.agentId
      expect(created.map((a) => a._id)).toContain(holder)
      expect(losers.every((e) => e._tag === "FriendlyNameTaken" && e.agentId === holder)).toBe(true)
      expect(listed[0]).toEqual({ friendlyName: "contested", agentId: holder, description: "d", inputSchema: {}, outputSchema: {} })
    }))

  it.effect("removing an agent removes every deployment of it, and only those", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const db = yield* DatabaseService
      const doomed = yield* agents.create(agent("doomed"))
      const other = yield* agents.create(agent("survivor"))
      yield* deployments.deploy(doomed._id)
      yield* deployments.deploy(other._id)
      // a stray second deployment of the same agent, as an older version could leave behind
      yield* db.save("deployments", "doomed-old", { friendlyName: "doomed-old", agentId: doomed._id })
      yield* agents.remove(doomed._id)
      const names = (yield* deployments.list).map((d) => d.friendlyName)
      expect(names).toContain("survivor")
      expect(names).not.toContain("doomed")
      expect(names).not.toContain("doomed-old")
      expect((yield* Effect.flip(agents.get(doomed._id)))._tag).toBe("NotFound")
      expect((yield* Effect.flip(agents.remove(doomed._id)))._tag).toBe("NotFound")
    }))

  it.effect("deploy fails typed: NotFound, NoFriendlyName; redeploying a renamed agent moves its deployment", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      expect((yield* Effect.flip(deployments.deploy("no-such-agent")))._tag).toBe("NotFound")
      const nameless = yield* agents.create(agent())
      const error = yield* Effect.flip(deployments.deploy(nameless._id))
      expect(error._tag).toBe("NoFriendlyName")
      expect(error.message).toContain("friendlyName")
      const a = yield* agents.create(agent("first-name"))
      yield* deployments.deploy(a._id)
      yield* agents.update(a._id, { friendlyName: "second-name" })
      yield* deployments.deploy(a._id)
      const mine = (yield* deployments.list).filter((d) => d.agentId === a._id).map((d) => d.friendlyName)
      expect(mine).toEqual(["second-name"])
      expect(yield* deployments.status(a._id)).toEqual({ is_deployed: true, friendly_name: "second-name" })
      expect((yield* Effect.flip(deployments.status("no-such-agent")))._tag).toBe("NotFound")
    }))

  it.effect("replace keeps only createdAt, a stale _rev is a Conflict, a missing entity NotFound", () =>
    Effect.gen(function*() {
      const demos = yield* Demos.Demos
      const demo = yield* demos.create({ ...demoBody("demo"), description: "first", composerThoughts: ["t"] })
      const replaced = yield* demos.replace(demo._id, { ...demoBody("demo", "p"), _rev: demo._rev })
      expect(replaced).toMatchObject({ name: "demo", userPrompt: "p", createdAt: demo.createdAt })
      expect(replaced).not.toHaveProperty("description")
      expect(replaced).not.toHaveProperty("composerThoughts")
      expect((yield* Effect.flip(demos.replace(demo._id, { ...demoBody("x"), _rev: demo._rev })))._tag).toBe("Conflict")
      expect((yield* Effect.flip(demos.replace("missing", demoBody("x"))))._tag).toBe("NotFound")
      expect((yield* demos.get(demo._id))._rev).toBe(replaced._rev)
    }))

  it.effect("twenty concurrent read-modify-writes at a revision lose nothing", () =>
    Effect.gen(function*() {
      const demos = yield* Demos.Demos
      const demo = yield* demos.create({ ...demoBody("counter"), composerThoughts: {} })
      // each write reads composerThoughts and adds its key: a lost update would drop a key
      const addKey = (i: number) =>
        Effect.flatMap(demos.get(demo._id), (current) =>
          demos.replace(demo._id, {
            ...demoBody("counter"),
            composerThoughts: { ...(current.composerThoughts as object), [`k${i}`]: i },
            _rev: current._rev
          })).pipe(Effect.retry({ while: (e) => e._tag === "Conflict", times: 200 }))
      yield* Effect.all(Array.from({ length: 20 }, (_, i) => addKey(i)), { concurrency: "unbounded" })
      expect(Object.keys((yield* demos.get(demo._id)).composerThoughts as object).length).toBe(20)
    }))
})

describe("domain over a failing database", () => {
  const failing = new DatabaseError({ operation: "get", message: "connection refused", unavailable: true })
  const broken = Layer.effect(
    DatabaseService,
    Effect.map(MemoryDatabase.make, (memory) => ({
      ...memory,
      get: () => Effect.fail(failing),
      listAll: () => Effect.fail(failing)
    }))
  )
  layer(DomainLive.pipe(Layer.provide(broken)), { excludeTestServices: true })((it) => {
    it.effect("port failures reach the caller as typed DatabaseErrors, not defects", () =>
      Effect.gen(function*() {
        const agents = yield* Agents.Agents
        const deployments = yield* Deployments.Deployments
        const calls: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>> = [
          agents.list,
          agents.get("x"),
          deployments.deploy("x"),
          agents.update("x", { name: "y" })
        ]
        for (const effect of calls) {
          const exit = yield* Effect.exit(effect)
          expect(exit._tag).toBe("Failure")
          const error = yield* Effect.flip(effect)
          expect(error._tag).toBe("DatabaseError")
          expect(error.message).toBe("connection refused")
        }
      }))
  })
})

describe("a merge without _rev against a document that never stops changing", () => {
  layer(MemoryDatabase.layer, { excludeTestServices: true })((it) => {
    it.effect("retries for its time budget, then fails as unavailable, never as a Conflict; with a _rev it is the caller's Conflict", () =>
      Effect.gen(function*() {
        const memory = yield* DatabaseService
        let saves = 0
        // Every conditional write loses, as against writers that always get in first.
        const contested = {
          ...memory,
          save: (collection: string, id: string, doc: any, options?: any) =>
            options?.expectedRev === undefined
              ? memory.save(collection, id, doc, options)
              : Effect.sync(() => saves++).pipe(Effect.zipRight(Effect.fail(new Conflict({ collection, id }))))
        }
        const store = makeEntityStore<{ name: string }, { name?: string; _rev?: string }>(contested, "demos", {
          mergeBudget: "400 millis"
        })
        const created = yield* store.create({ name: "a" })
        const started = Date.now()
        const error = yield* Effect.flip(store.update(created._id, { name: "b" }))
        expect(error).toMatchObject({ _tag: "DatabaseError", unavailable: true })
        expect(error.message).toContain("kept changing")
        expect(Date.now() - started).toBeGreaterThanOrEqual(300)
        expect(saves).toBeGreaterThan(3)
        expect((yield* Effect.flip(store.update(created._id, { name: "b", _rev: created._rev })))._tag).toBe("Conflict")
      }))
  })
})

describe("writers of one document taking turns while the backend hangs", () => {
  layer(MemoryDatabase.layer, { excludeTestServices: true })((it) => {
    it.scoped("every writer answers within the merge budget, however many are queued for their turn", () =>
      Effect.gen(function*() {
        const memory = yield* DatabaseService
        let conflicts = 10
        // Each writer's first write loses a race; then the backend hangs, each write ending in
        // its 300-ms timeout, as a stopped CouchDB's did after DATABASE_TIMEOUT.
        const hanging = {
          ...memory,
          save: (collection: string, id: string, doc: any, options?: any) =>
            options?.expectedRev === undefined
              ? memory.save(collection, id, doc, options)
              : conflicts-- > 0
              ? Effect.fail(new Conflict({ collection, id }))
              : Effect.zipRight(
                Effect.sleep("300 millis"),
                Effect.fail(new DatabaseError({ operation: "save", message: "timed out", unavailable: true }))
              )
        }
        const store = makeEntityStore<{ name: string }, { name?: string; _rev?: string }>(hanging, "demos", {
          mergeBudget: "500 millis",
          inTurn: yield* makeKeyedLock
        })
        const created = yield* store.create({ name: "a" })
        const started = Date.now()
        const answered = yield* Effect.all(
          Array.from({ length: 10 }, (_, i) => Effect.map(Effect.either(store.update(created._id, { name: `w${i}` })), () => Date.now() - started)),
          { concurrency: "unbounded" }
        )
        // Queued one after another, the tenth would answer after 10 × 300 ms.
        expect(Math.max(...answered)).toBeLessThan(1_500)
      }))
  })
})

describe("agents as stored", () => {
  it("a null tools, envVars or list, as docport once stored them, reads as Gofannon's empty defaults", () => {
    const stored = {
      _id: "a",
      _rev: "1",
      name: "n",
      description: "d",
      code: "c",
      tools: null,
      envVars: null,
      swaggerSpecs: null,
      gofannonAgents: null,
      dataStoreConfig: null,
      docstring: null,
      invokableModels: null
    }
    expect(agentFromStored(stored)).toMatchObject({
      tools: {},
      envVars: [],
      swaggerSpecs: [],
      gofannonAgents: [],
      dataStoreConfig: [],
      // Fields Gofannon itself leaves null stay as stored.
      docstring: null,
      invokableModels: null
    })
  })
})

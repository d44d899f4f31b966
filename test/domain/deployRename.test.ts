import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import * as Agents from "../../src/domain/Agents.js"
import * as Deployments from "../../src/domain/Deployments.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"

// The memory database, with the next save or look-up in the deployments collection held until
// released: a deploy paused before its claim or before its clean-up, a delete paused after
// listing the deployments it removes, as a slower backend's round trip leaves them.
type Held = "save" | "find" | "found"
const held = { armed: undefined as Held | undefined, reached: undefined as Deferred.Deferred<void> | undefined, release: undefined as Deferred.Deferred<void> | undefined }
const holding = <A, E>(operation: "save" | "find", collection: string, run: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const after = held.armed === "found" && operation === "find"
    if ((held.armed !== operation && !after) || collection !== "deployments") return run
    held.armed = undefined
    const wait = Effect.zipRight(Deferred.succeed(held.reached!, undefined), Deferred.await(held.release!))
    return after ? Effect.tap(run, () => wait) : Effect.zipRight(wait, run)
  })
const HeldDatabase = Layer.effect(
  DatabaseService,
  Effect.map(MemoryDatabase.make, (memory): DatabaseServiceShape => ({
    ...memory,
    save: (collection, id, doc, options) => holding("save", collection, memory.save(collection, id, doc, options)),
    find: (collection, selector, options) => holding("find", collection, memory.find(collection, selector, options))
  }))
)

const hold = (operation: Held) =>
  Effect.gen(function*() {
    held.reached = yield* Deferred.make<void>()
    held.release = yield* Deferred.make<void>()
    held.armed = operation
    return { reached: Deferred.await(held.reached), release: Deferred.succeed(held.release, undefined) }
  })

const DomainLive = Agents.layer.pipe(Layer.provideMerge(Deployments.layer), Layer.provideMerge(HeldDatabase))

const deployedNames = (agentId: string) =>
  Effect.map(Effect.flatMap(Deployments.Deployments, (d) => d.list), (list) => list.filter((d) => d.agentId === agentId).map((d) => d.friendlyName))

layer(DomainLive, { excludeTestServices: true })("deploys around a rename or a delete", (it) => {
  it.effect("the agent keeps the deployment under its name as it is now, whatever order two deploys finish in", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "before-rename" })
      const paused = yield* hold("find")
      // The first deploy claims the old name, then waits before its clean-up.
      const first = yield* Effect.fork(deployments.deploy(agent._id))
      yield* paused.reached
      yield* agents.update(agent._id, { friendlyName: "after-rename" })
      expect((yield* deployments.deploy(agent._id)).endpoint).toBe("/rest/after-rename")
      yield* paused.release
      yield* Fiber.join(first)
      expect(yield* deployedNames(agent._id)).toEqual(["after-rename"])
    }))

  it.effect("a deploy that read the agent before a rename deploys it under the new name", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "old-name" })
      const paused = yield* hold("save")
      // The deploy has read the agent as "old-name" and waits before claiming it.
      const deploy = yield* Effect.fork(deployments.deploy(agent._id))
      yield* paused.reached
      yield* agents.update(agent._id, { friendlyName: "new-name" })
      yield* paused.release
      expect((yield* Fiber.join(deploy)).endpoint).toBe("/rest/new-name")
      expect(yield* deployedNames(agent._id)).toEqual(["new-name"])
      expect(yield* deployments.status(agent._id)).toEqual({ is_deployed: true, friendly_name: "new-name" })
    }))

  it.effect("a deploy racing the agent's delete leaves no deployment holding the name", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      for (const operation of ["save", "find"] as const) {
        const name = `raced-${operation}`
        const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: name })
        const paused = yield* hold(operation)
        const deploy = yield* Effect.fork(deployments.deploy(agent._id))
        yield* paused.reached
        yield* agents.remove(agent._id)
        yield* paused.release
        const outcome = yield* Effect.flip(Fiber.join(deploy))
        expect(outcome._tag).toBe("NotFound")
        // Another agent deploys under the name at once, with no list run to heal anything first.
        const next = yield* agents.create({ name: "m", description: "d", code: "c", friendlyName: name })
        expect((yield* deployments.deploy(next._id)).message).toBe("Agent deployed successfully")
      }
    }))

  it.effect("a deploy run whole while a delete is between listing the deployments and finishing leaves none behind", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "deleted-meanwhile" })
      const paused = yield* hold("found")
      const remove = yield* Effect.fork(agents.remove(agent._id))
      yield* paused.reached
      yield* Effect.either(deployments.deploy(agent._id))
      yield* paused.release
      yield* Fiber.join(remove)
      // Read directly: a list or another deploy would heal an orphan, hiding that one was left.
      const left = yield* Effect.flatMap(DatabaseService, (db) => Effect.either(db.get("deployments", "deleted-meanwhile")))
      expect(left._tag).toBe("Left")
      const next = yield* agents.create({ name: "m", description: "d", code: "c", friendlyName: "deleted-meanwhile" })
      expect((yield* deployments.deploy(next._id)).endpoint).toBe("/rest/deleted-meanwhile")
    }))

  it.effect("a deployment left by a deleted agent does not keep its name from another agent", () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      yield* db.save("deployments", "orphaned", { friendlyName: "orphaned", agentId: "gone-agent", createdAt: "2026-01-01T00:00:00Z" })
      const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "orphaned" })
      expect((yield* deployments.deploy(agent._id)).endpoint).toBe("/rest/orphaned")
      expect(yield* deployments.status(agent._id)).toEqual({ is_deployed: true, friendly_name: "orphaned" })
    }))

  it.effect("a name held by an existing agent is still refused", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const holder = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "held-name" })
      yield* deployments.deploy(holder._id)
      const other = yield* agents.create({ name: "m", description: "d", code: "c", friendlyName: "held-name" })
      expect((yield* Effect.flip(deployments.deploy(other._id)))._tag).toBe("FriendlyNameTaken")
    }))
})

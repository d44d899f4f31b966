import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import * as Agents from "../../src/domain/Agents.js"
import * as Deployments from "../../src/domain/Deployments.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"

// The memory database, with the next look-up of an agent's deployments held until released:
// a deploy paused between its claim and its clean-up, as a slower backend's round trip leaves it.
const held = { armed: false, reached: undefined as Deferred.Deferred<void> | undefined, release: undefined as Deferred.Deferred<void> | undefined }
const HeldDatabase = Layer.effect(
  DatabaseService,
  Effect.map(MemoryDatabase.make, (memory): DatabaseServiceShape => ({
    ...memory,
    find: (collection, selector, options) =>
      Effect.suspend(() => {
        if (!held.armed || collection !== "deployments") return memory.find(collection, selector, options)
        held.armed = false
        return Effect.zipRight(
          Effect.zipRight(Deferred.succeed(held.reached!, undefined), Deferred.await(held.release!)),
          memory.find(collection, selector, options)
        )
      })
  }))
)

const DomainLive = Agents.layer.pipe(Layer.provideMerge(Deployments.layer), Layer.provideMerge(HeldDatabase))

layer(DomainLive, { excludeTestServices: true })("deploys around a rename", (it) => {
  it.effect("the agent keeps the deployment under its name as it is now, whatever order two deploys finish in", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const agent = yield* agents.create({ name: "n", description: "d", code: "c", friendlyName: "before-rename" })
      held.reached = yield* Deferred.make<void>()
      held.release = yield* Deferred.make<void>()
      held.armed = true
      // The first deploy claims the old name, then waits before its clean-up.
      const first = yield* Effect.fork(deployments.deploy(agent._id))
      yield* Deferred.await(held.reached)
      yield* agents.update(agent._id, { friendlyName: "after-rename" })
      expect((yield* deployments.deploy(agent._id)).endpoint).toBe("/rest/after-rename")
      yield* Deferred.succeed(held.release, undefined)
      yield* Fiber.join(first)
      const names = (yield* deployments.list).filter((d) => d.agentId === agent._id).map((d) => d.friendlyName)
      expect(names).toEqual(["after-rename"])
    }))
})

import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import * as Agents from "../../src/domain/Agents.js"
import { MAX_CHAIN_DEPTH } from "../../src/domain/AgentChain.js"
import * as Demos from "../../src/domain/Demos.js"
import * as Deployments from "../../src/domain/Deployments.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"

// Counts the port calls the domain makes, to show how many round trips an answer costs.
const calls = new Map<string, number>()
const counted = Layer.effect(
  DatabaseService,
  Effect.map(MemoryDatabase.make, (memory): DatabaseServiceShape => {
    const count = <F extends (...args: Array<any>) => any>(name: string, f: F): F =>
      ((...args: Array<any>) => {
        calls.set(name, (calls.get(name) ?? 0) + 1)
        return f(...args)
      }) as F
    // A stream counts one call per page it reads.
    const stream: DatabaseServiceShape["stream"] = (collection, options) =>
      Stream.mapChunks(memory.stream(collection, options), (page) => {
        calls.set("stream page", (calls.get("stream page") ?? 0) + 1)
        return page
      })
    return { ...memory, get: count("get", memory.get), getMany: count("getMany", memory.getMany), listAll: count("listAll", memory.listAll), stream }
  })
)

const DomainLive = Layer.mergeAll(Agents.layer, Demos.layer).pipe(Layer.provideMerge(Deployments.layer), Layer.provideMerge(counted))
const agent = (extra: Record<string, unknown> = {}) => ({ name: "n", description: "d", code: "c", ...extra })

layer(DomainLive, { excludeTestServices: true })("reads that cost a fixed number of round trips", (it) => {
  it.effect("listing 30 deployments reads one page of deployments and their agents with one getMany; orphans are removed", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const deployments = yield* Deployments.Deployments
      const db = yield* DatabaseService
      const created = yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i), (i) =>
        agents.create(agent({ friendlyName: `api-${i}`, description: `d${i}`, inputSchema: { q: "string" } })))
      yield* Effect.forEach(created, (a) => deployments.deploy(a._id))
      // the agent of api-0 disappears behind docport's back
      yield* db.delete("agents", created[0]!._id)
      yield* db.save("deployments", "no-agent-id", { friendlyName: "no-agent-id" })
      calls.clear()
      const listed = yield* deployments.list
      expect(Object.fromEntries(calls)).toEqual({ "stream page": 1, getMany: 1 })
      expect(listed.length).toBe(29)
      expect(listed.find((d) => d.friendlyName === "api-7")).toEqual({
        friendlyName: "api-7",
        agentId: created[7]!._id,
        description: "d7",
        inputSchema: { q: "string" },
        outputSchema: {}
      })
      expect((yield* Effect.flip(db.get("deployments", "api-0")))._tag).toBe("NotFound")
      expect((yield* Effect.flip(db.get("deployments", "no-agent-id")))._tag).toBe("NotFound")
    }))

  it.effect("listing 250 deployments joins a page at a time: three pages, three getMany of at most 100 agents", () =>
    Effect.gen(function*() {
      const deployments = yield* Deployments.Deployments
      const db = yield* DatabaseService
      yield* db.deleteMany("deployments", (yield* db.listAll("deployments")).map((d) => d._id))
      const created = yield* Effect.forEach(Array.from({ length: 250 }, (_, i) => i), (i) =>
        Effect.as(db.save("agents", `paged-${i}`, agent({ description: `p${i}` })), `paged-${i}`))
      yield* Effect.forEach(created, (id, i) => db.save("deployments", `paged-api-${i}`, { friendlyName: `paged-api-${i}`, agentId: id }))
      calls.clear()
      const listed = yield* deployments.list
      expect(Object.fromEntries(calls)).toEqual({ "stream page": 3, getMany: 3 })
      // Each deployment joined to its own agent, in the order of the deployments' ids.
      expect(listed.map((d) => [d.friendlyName, d.description])).toEqual(
        created.map((_, i) => [`paged-api-${i}`, `p${i}`]).sort(([a], [b]) => (a! < b! ? -1 : 1))
      )
    }))

  it.effect("a chain deeper than the bound ends in truncated agents, read with one getMany per level", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      // a line of 14 agents, each calling the next, and a diamond at the top: 0 -> 1 -> 3, 0 -> 2 -> 3
      let next: string | undefined
      const line: Array<string> = []
      for (let i = 13; i >= 3; i--) {
        const a = yield* agents.create(agent({ name: `a${i}`, gofannonAgents: next === undefined ? [] : [next] }))
        next = a._id
        line.unshift(a._id)
      }
      const one = yield* agents.create(agent({ name: "a1", gofannonAgents: [line[0]] }))
      const two = yield* agents.create(agent({ name: "a2", gofannonAgents: [line[0]] }))
      const root = yield* agents.create(agent({ name: "a0", gofannonAgents: [one._id, two._id] }))
      calls.clear()
      const chain = yield* agents.chain(root._id)
      expect(calls.get("get")).toBe(1)
      expect(calls.get("getMany")).toBeLessThanOrEqual(MAX_CHAIN_DEPTH + 1)
      // a0 is at depth 0 and a3 at depth 2, so a9 is at the bound (8), a10 its truncated leaf and a11 never reached
      const byName = new Map(Object.values(chain.nodes).map((n) => [n.type === "agent" ? n.name : n.id, n]))
      expect(byName.get("a9")).toMatchObject({ truncated: false })
      expect(byName.get("a10")).toMatchObject({ truncated: true, missing: false })
      expect(byName.has("a11")).toBe(false)
      // the diamond's shared agent is one node, its calls listed once
      expect(chain.edges.filter((e) => e.from === line[0]).length).toBe(1)
      expect(chain.edges.filter((e) => e.to === line[0]).length).toBe(2)
    }))

  it.effect("agents named like an object's own properties are nodes like any other", () =>
    Effect.gen(function*() {
      const agents = yield* Agents.Agents
      const names = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]
      const root = yield* agents.create(agent({ name: "root", gofannonAgents: names }))
      const chain = yield* agents.chain(root._id)
      for (const id of names) {
        expect(Object.prototype.hasOwnProperty.call(chain.nodes, id), id).toBe(true)
        expect(chain.nodes[id], id).toMatchObject({ id, type: "agent", missing: true })
      }
      expect(Object.getPrototypeOf(chain.nodes)).toBe(Object.prototype)
      expect(Object.keys(chain.nodes).sort()).toEqual([root._id, ...names].sort())
    }))
})

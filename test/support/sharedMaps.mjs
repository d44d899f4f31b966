// Run by test/domain/sharedMaps.test.ts under `node --allow-natives-syntax`, over docport's build:
// how many V8 maps (hidden classes) the agents docport stores and answers with take. Documents
// of one shape should share one; a map per document makes every read of their fields miss V8's
// caches and leaves a map behind per write for the old generation to collect.
import { Effect, Layer, Schema } from "effect"
import { AgentCreate, AgentUpdate } from "../../dist/domain/Agent.js"
import * as MemoryDatabase from "../../dist/adapters/MemoryDatabase.js"
import * as Agents from "../../dist/domain/Agents.js"
import * as Deployments from "../../dist/domain/Deployments.js"
import { DatabaseService } from "../../dist/ports/DatabaseService.js"

const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)")
const mapsOf = (objects) => {
  const kinds = []
  for (const object of objects) if (!kinds.some((kind) => sameMap(kind, object))) kinds.push(object)
  return kinds.length
}

const COUNT = Number(process.argv[2] ?? 300)
// What the HTTP API hands the domain: JSON text, parsed and decoded through the payload's schema.
const decoded = (schema, value) => Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(value)))
const input = (n) => decoded(AgentCreate, { name: `Agent ${n}`, description: "answers", code: "def run(): pass", tools: { web: ["search"] }, gofannonAgents: [] })
// A field the agents do not have yet, so that the update adds one.
const change = () => decoded(AgentUpdate, { description: "changed", docstring: "added by the update" })

const program = Effect.gen(function*() {
  const agents = yield* Agents.Agents
  const db = yield* DatabaseService
  const created = yield* Effect.forEach(Array.from({ length: COUNT }, (_, n) => n), (n) => agents.create(input(n), "local:local"))
  const stored = yield* Effect.forEach(created, (agent) => db.get("agents", agent._id))
  yield* Effect.forEach(created, (agent) => agents.update(agent._id, change(), "local:local"), { discard: true })
  const restored = yield* Effect.forEach(created, (agent) => db.get("agents", agent._id))
  return { created: mapsOf(created), stored: mapsOf(stored), restored: mapsOf(restored) }
})

const layer = Agents.layer.pipe(Layer.provide(Deployments.layer), Layer.provideMerge(MemoryDatabase.layer))
Effect.runPromise(Effect.provide(program, layer)).then(
  (maps) => process.stdout.write(JSON.stringify(maps)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

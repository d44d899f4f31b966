/**
 * `npx tsx bench/port/couchGetCost.ts`: where the CouchDB adapter's `get` spends the client CPU
 * that nano's own `get` does not (the port bench's cell closest to its 1.10 target). In one process
 * against a pouchdb-server of its own, in rotating bursts of 300 calls one at a time: nano's
 * `db.get`; nano's `relax` with an abort signal and a timer (what the adapter sends); that call
 * inside an Effect (`Effect.promise`, the calls of a burst in one fiber, as the port bench makes
 * them); and the adapter's raw `get`. Prints the median client CPU per call of each.
 */
import { Effect, Redacted } from "effect"
import type nano from "nano"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { startPouchdbServer } from "../../test/support/pouchdbServer.js"
import { nanoClient } from "../backends/couchdb.js"
import { median } from "../support/stats.js"

const BURST = 300
const ROUNDS = 24
const UNCOUNTED = 4
const DOCUMENTS = 100

const program = Effect.gen(function*() {
  const server = yield* startPouchdbServer()
  const raw = yield* CouchDbDatabase.makeRaw({
    url: server.url,
    username: server.username,
    password: Redacted.make(server.password),
    databasePrefix: "cost_",
    requestTimeout: "10 seconds"
  })
  for (let i = 0; i < DOCUMENTS; i++) {
    yield* raw.save("things", { id: `d${i}`, body: { n: i, text: "y".repeat(300) }, create: false, expectedRev: undefined })
  }
  const client = yield* nanoClient(server.url, server.username, server.password)
  const db = client.use("cost_things")
  const relaxWithSignal = (id: string): Promise<unknown> => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), 10_000)
    const options = { db: "cost_things", doc: id, signal: controller.signal } as nano.RequestOptions
    return (client.relax(options) as Promise<unknown>).finally(() => clearTimeout(timer))
  }
  const promises = (call: (id: string) => Promise<unknown>) => () =>
    Effect.promise(async () => {
      for (let i = 0; i < BURST; i++) await call(`d${i % DOCUMENTS}`)
    })
  const effects = (call: (id: string) => Effect.Effect<unknown, unknown>) => () => {
    let i = 0
    return Effect.ignore(Effect.repeatN(Effect.suspend(() => call(`d${i++ % DOCUMENTS}`)), BURST - 1))
  }
  const variants: Record<string, () => Effect.Effect<unknown>> = {
    "nano db.get": promises((id) => db.get(id)),
    "nano relax, signal and timer": promises(relaxWithSignal),
    "the same in an Effect": effects((id) => Effect.promise(() => relaxWithSignal(id))),
    "the adapter's raw get": effects((id) => raw.get("things", id))
  }
  const perCall: Record<string, Array<number>> = {}
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(variants)
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!
      const cpu = process.cpuUsage()
      yield* variants[name]!()
      const used = process.cpuUsage(cpu)
      if (round >= UNCOUNTED) (perCall[name] ??= []).push((used.user + used.system) / BURST)
    }
  }
  for (const [name, values] of Object.entries(perCall)) console.log(`${name}: ${median(values).toFixed(0)} µs of client CPU a call`)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)

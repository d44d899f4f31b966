/**
 * saveMany and getMany of 10,000 documents on the DynamoDB backend against dynalite (or
 * DYNAMODB_ENDPOINT_URL), counting the HTTP requests with a pass-through proxy.
 * Run: npx tsx bench/dynamodb-bulk.ts [count]
 */
import { Effect } from "effect"
import { request } from "node:http"
import * as DynamoDbDatabase from "../src/adapters/dynamodb/DynamoDbDatabase.js"
import { dynamoTestOptions, serveLocally } from "../test/support/dynalite.js"

const COUNT = Number(process.argv[2] ?? 10_000)

// Counts requests per DynamoDB operation on their way to the real endpoint.
const countingProxy = (target: string) =>
  Effect.gen(function*() {
    const counts = new Map<string, number>()
    const upstream = new URL(target)
    const { endpoint } = yield* serveLocally((req, res) => {
      const operation = String(req.headers["x-amz-target"]).split(".")[1] ?? "?"
      counts.set(operation, (counts.get(operation) ?? 0) + 1)
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      forward.on("error", () => res.destroy())
      req.pipe(forward)
    })
    return { endpoint, counts }
  })

const measure = <A, E>(label: string, counts: Map<string, number>, effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    counts.clear()
    const started = performance.now()
    const result = yield* effect
    const ms = performance.now() - started
    const requests = [...counts.entries()].map(([op, n]) => `${op} ${n}`).join(", ")
    console.log(`${label}: ${ms.toFixed(0)} ms, ${[...counts.values()].reduce((a, b) => a + b, 0)} requests (${requests})`)
    return result
  })

const program = Effect.gen(function*() {
  const options = yield* dynamoTestOptions
  const proxy = yield* countingProxy(options.endpoint)
  const db = yield* DynamoDbDatabase.make({ ...options, endpoint: proxy.endpoint })
  const docs = Array.from({ length: COUNT }, (_, i) => ({
    _id: `doc-${i}`,
    name: `document ${i}`,
    score: i / 7,
    tags: ["a", "b"],
    nested: { ok: true }
  }))
  const ids = docs.map((d) => d._id)
  // The table is created by the first write; keep that out of the figures.
  yield* db.save("bench", "warm-up", {})
  const saved = yield* measure(`saveMany ${COUNT}`, proxy.counts, db.saveMany("bench", docs))
  if (!saved.every((r) => r.ok)) throw new Error("saveMany reported failures")
  const got = yield* measure(`getMany ${COUNT}`, proxy.counts, db.getMany("bench", ids))
  if ([...got.values()].some((d) => d === null)) throw new Error("getMany missed documents")
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exitCode = 1
})

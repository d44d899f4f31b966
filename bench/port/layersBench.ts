// `npx tsx bench/port/layersBench.ts` (or bundled with esbuild, as appCostBench's header shows):
// where a DynamoDB call's time goes between the SDK and the port, layer by layer, on dynalite:
// the document client alone, the same with an abort signal and a timer, the adapter's raw
// operation (one Effect fiber, boundedCall), the port without its metrics, and the full port.
// Calls are one at a time and the variants take turns call by call, the order rotating, so a
// neighbour's load falls on all alike; medians and means of each variant's latencies over the
// raw client's. The turn-by-turn order also spreads each variant's garbage over the others, so
// it understates what allocation costs; `npm run bench` (half-second slices) is the judge.
// BENCH_CALLS (default 3000 per variant and operation). Writes bench/results/layers-<date>.md.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { makeDatabaseService } from "../../src/ports/makeDatabaseService.js"
import { DUMMY_CREDENTIALS, startDynalite } from "../../test/support/dynalite.js"
import { ROOT } from "../support/processes.js"
import { median } from "../support/stats.js"

const COLLECTION = "bench"
const PREFIX = "layers-"
const IDS = 100
const CALLS = Number(process.env.BENCH_CALLS ?? 3000)
const WARMUP_CALLS = 300

const document = (i: number) => ({ name: `document ${i}`, team: `team-${i % 50}`, score: i / 7, tags: ["alpha", "beta"], nested: { ok: true, depth: 1 } })
const idOf = (i: number) => `doc-${i % IDS}`

type Variant = () => Promise<unknown>

const main = Effect.gen(function*() {
  const dynalite = yield* startDynalite()
  const options = { endpoint: dynalite.endpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS, tablePrefix: PREFIX }
  const raw = yield* DynamoDbDatabase.makeRaw(options)
  const port = makeDatabaseService(raw)
  const uninstrumented = makeDatabaseService(raw, { instrument: false })
  // The adapter's client settings (DynamoDbClient.ts), as bench/backends/dynamodb.ts's raw client has them.
  const client = yield* Effect.acquireRelease(
    Effect.sync(() =>
      new DynamoDBClient({
        ...options,
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 2_000, requestTimeout: 2_000, throwOnRequestTimeout: true }
      })
    ),
    (c) => Effect.sync(() => c.destroy())
  )
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { convertEmptyValues: false, removeUndefinedValues: true, allowImpreciseNumbers: true, convertClassInstanceToMap: true },
    unmarshallOptions: { wrapNumbers: (digits: string) => Number(digits) }
  })
  const table = PREFIX + COLLECTION
  const revs = new Map<string, string>()
  for (let i = 0; i < IDS; i++) revs.set(idOf(i), yield* raw.save(COLLECTION, { id: idOf(i), body: document(i), expectedRev: undefined, create: false }))

  let n = 0
  const bounded = <A>(run: (signal: AbortSignal) => Promise<A>) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), 2_000)
    return run(controller.signal).finally(() => clearTimeout(timer))
  }
  const sdkGet = (signal?: AbortSignal) =>
    documents.send(new GetCommand({ TableName: table, Key: { _id: idOf(n++) }, ConsistentRead: true }), { abortSignal: signal })
  const sdkSave = async (signal?: AbortSignal) => {
    const id = idOf(n++)
    const rev = randomUUID()
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: { ...document(n), score: n, _id: id, _rev: rev },
        ConditionExpression: "#r = :r",
        ExpressionAttributeNames: { "#r": "_rev" },
        ExpressionAttributeValues: { ":r": revs.get(id) }
      }),
      { abortSignal: signal }
    )
    revs.set(id, rev)
  }
  const saveThrough = (save: (id: string) => Effect.Effect<string, unknown>): Variant => () => {
    const id = idOf(n++)
    return Effect.runPromise(Effect.map(save(id), (rev) => void revs.set(id, rev)))
  }
  const body = () => ({ ...document(n), score: n })

  const operations: Record<"get" | "save", Record<string, Variant>> = {
    get: {
      "document client": () => sdkGet(),
      "+ abort signal and timer": () => bounded(sdkGet),
      "adapter's raw operation": () => Effect.runPromise(raw.get(COLLECTION, idOf(n++))),
      "port, metrics off": () => Effect.runPromise(uninstrumented.get(COLLECTION, idOf(n++))),
      "port": () => Effect.runPromise(port.get(COLLECTION, idOf(n++)))
    },
    save: {
      "document client": () => sdkSave(),
      "+ abort signal and timer": () => bounded(sdkSave),
      "adapter's raw operation": saveThrough((id) => raw.save(COLLECTION, { id, body: body(), expectedRev: revs.get(id), create: false })),
      "port, metrics off": saveThrough((id) => Effect.map(uninstrumented.save(COLLECTION, id, body(), { expectedRev: revs.get(id) }), (r) => r.rev)),
      "port": saveThrough((id) => Effect.map(port.save(COLLECTION, id, body(), { expectedRev: revs.get(id) }), (r) => r.rev))
    }
  }

  const lines = [
    `# DynamoDB calls layer by layer (dynalite), ${new Date().toISOString()}`,
    "",
    `${CALLS} calls per variant after ${WARMUP_CALLS} of warm-up, one at a time, the variants taking turns call by call (bench/port/layersBench.ts).`,
    "",
    "| operation | variant | median µs | × client | mean µs | × client |",
    "| --- | --- | --- | --- | --- | --- |"
  ]
  for (const [operation, variants] of Object.entries(operations)) {
    const names = Object.keys(variants)
    const samples = new Map(names.map((name) => [name, [] as Array<number>]))
    yield* Effect.promise(async () => {
      for (let i = 0; i < CALLS + WARMUP_CALLS; i++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(k + i) % names.length]!
          const started = performance.now()
          await variants[name]!()
          if (i >= WARMUP_CALLS) samples.get(name)!.push((performance.now() - started) * 1000)
        }
      }
    })
    const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
    const base = samples.get(names[0]!)!
    for (const name of names) {
      const xs = samples.get(name)!
      const row = `| ${operation} | ${name} | ${median(xs).toFixed(0)} | ${(median(xs) / median(base)).toFixed(3)} | ${mean(xs).toFixed(0)} | ${(mean(xs) / mean(base)).toFixed(3)} |`
      lines.push(row)
      console.log(row)
    }
  }
  const file = join(ROOT, "bench", "results", `layers-${new Date().toISOString().replace(/[:.]/g, "-")}.md`)
  writeFileSync(file, `${lines.join("\n")}\n`)
  console.log(`written: ${file}`)
})

Effect.runPromise(Effect.scoped(main)).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})

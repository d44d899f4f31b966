/**
 * Run by the stream bench in a process of its own (node --expose-gc), so that its memory is the
 * stream's alone: loads N documents through docport's own layer (chosen from DATABASE_PROVIDER
 * and the backend's variables, as in `npm start`), then streams them and measures time and the
 * peak of memory above what the process held before the stream. Prints one JSON line.
 */
import { Effect, Stream } from "effect"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { bulkDocument } from "./bulkBench.js"
import { collect, MB, settle } from "../support/heap.js"

const documents = Number(process.argv[2] ?? 100_000)
const pageSize = Number(process.argv[3] ?? 100)
const COLLECTION = "stream"
const LOAD_BATCH = 5_000

const program = Effect.gen(function*() {
  const db = yield* DatabaseService
  for (let from = 0; from < documents; from += LOAD_BATCH) {
    const batch = Array.from({ length: Math.min(LOAD_BATCH, documents - from) }, (_, i) => bulkDocument(from + i))
    const results = yield* db.saveMany(COLLECTION, batch)
    if (results.some((r) => !r.ok)) return yield* Effect.fail(new Error(`loading failed: ${JSON.stringify(results.find((r) => !r.ok))}`))
  }

  const before = settle()
  let seen = 0
  let pages = 0
  let peakHeap = before.heapUsed
  let peakLiveHeap = before.heapUsed
  let peakRss = before.rss
  const started = performance.now()
  yield* Stream.runForEachChunk(db.stream(COLLECTION, { pageSize }), (chunk) =>
    Effect.sync(() => {
      seen += chunk.length
      pages += 1
      const now = process.memoryUsage()
      peakHeap = Math.max(peakHeap, now.heapUsed)
      peakRss = Math.max(peakRss, now.rss)
      // Now and then what is still reachable, garbage collected, with the stream in full flow.
      if (pages % 100 === 0) {
        collect()
        peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed)
      }
    }))
  const ms = performance.now() - started
  if (seen !== documents) return yield* Effect.fail(new Error(`streamed ${seen} documents, expected ${documents}`))

  // For contrast: the same collection read whole, held in memory at once.
  const beforeList = settle()
  const all = yield* db.listAll(COLLECTION)
  const holdingList = settle()
  if (all.length !== documents) return yield* Effect.fail(new Error(`listAll answered ${all.length} documents`))

  return {
    documents,
    pageSize,
    ms,
    extraHeapMB: (peakHeap - before.heapUsed) / MB,
    extraLiveHeapMB: (peakLiveHeap - before.heapUsed) / MB,
    extraRssMB: (peakRss - before.rss) / MB,
    listAllHeapMB: (holdingList.heapUsed - beforeList.heapUsed) / MB
  }
})

Effect.runPromise(Effect.scoped(Effect.provide(program, layerFromConfig))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error))
    process.exitCode = 1
  }
)

/**
 * Run by dataStoreBench.ts in a process of its own (node --expose-gc): loads N records into one
 * namespace through docport's own layer (DATABASE_PROVIDER and the backend's variables), then
 * lists them page by page and measures the peak live heap above what the process held before;
 * for contrast, the heap of the same records collected whole. Prints one JSON line.
 */
import { Chunk, Effect, Layer, Stream } from "effect"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import * as DataStore from "../../src/domain/DataStore.js"
import { MB, settle } from "../support/heap.js"

const count = Number(process.argv[2] ?? 100_000)
const liveHeap = () => settle().heapUsed

const program = Effect.gen(function*() {
  const store = yield* DataStore.DataStore
  for (let from = 0; from < count; from += 1000) {
    const items = Array.from({ length: Math.min(1000, count - from) }, (_, i) => ({
      key: `files/src/module-${String(from + i).padStart(6, "0")}.py`,
      value: { lines: (from + i) % 400, summary: `module ${from + i}`, tags: ["py", "src"] }
    }))
    const results = yield* store.setMany("bench", "big", items)
    if (results.some((r) => !r.ok)) return yield* Effect.fail(new Error("loading failed"))
  }
  const before = liveHeap()
  let peak = before
  let pages = 0
  let seen = 0
  const started = performance.now()
  yield* Stream.runForEachChunk(store.records("bench", "big"), (chunk) =>
    Effect.sync(() => {
      seen += chunk.length
      if (++pages % 10 === 0) peak = Math.max(peak, liveHeap())
    }))
  const ms = performance.now() - started
  if (seen !== count) return yield* Effect.fail(new Error(`listed ${seen} records, expected ${count}`))
  const beforeWhole = liveHeap()
  const whole = yield* Stream.runCollect(store.records("bench", "big"))
  const holding = liveHeap()
  if (Chunk.size(whole) !== count) return yield* Effect.fail(new Error("collected the wrong count"))
  return { ms, streamLiveMB: (peak - before) / MB, wholeMB: (holding - beforeWhole) / MB }
})

Effect.runPromise(Effect.scoped(Effect.provide(program, DataStore.layerWith({ delay: "1 hour" }).pipe(Layer.provideMerge(layerFromConfig))))).then(
  (result) => {
    console.log(JSON.stringify(result))
    process.exit(0)
  },
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)

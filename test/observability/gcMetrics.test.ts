import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Metric, MetricLabel } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { GcMetricsLive, gcPauses } from "../../src/app/observability/GcMetrics.js"
import { fullCollection } from "../support/fullCollection.js"
import { BaseUrl, testServer } from "../support/TestServer.js"


// PerformanceObserver hands its entries over after the collection, not during it.
const delivered = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))

const majors = Effect.map(Metric.value(Metric.taggedWithLabels(gcPauses, [MetricLabel.make("kind", "major")])), (state) => state.count)

const scrapedMajors = Effect.flatMap(BaseUrl, (base) =>
  Effect.promise(async () => {
    const text = await (await fetch(`${base}/metrics`)).text()
    const line = text.split("\n").find((l) => l.startsWith("docport_gc_pause_seconds_count{kind=\"major\"}"))
    return line === undefined ? 0 : Number(line.split(" ")[1])
  }))

describe("the garbage collector's pauses", () => {
  layer(testServer(MemoryDatabase.layer), { timeout: "60 seconds" })("over HTTP", (it) => {
    it.effect("GET /metrics counts each full collection under docport_gc_pause_seconds{kind=\"major\"}", () =>
      Effect.gen(function*() {
        const before = yield* scrapedMajors
        fullCollection()
        fullCollection()
        yield* delivered
        expect((yield* scrapedMajors) - before).toBe(2)
      }))
  })

  it.effect("two servers in one process count a collection once", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* Layer.build(Layer.merge(GcMetricsLive, GcMetricsLive.pipe(Layer.fresh)))
      const before = yield* majors
      fullCollection()
      yield* delivered
      expect((yield* majors) - before).toBe(1)
    })))

  it.effect("nothing is recorded once every server is gone", () =>
    Effect.gen(function*() {
      yield* Effect.scoped(Layer.build(GcMetricsLive))
      const before = yield* majors
      fullCollection()
      yield* delivered
      expect((yield* majors) - before).toBe(0)
    }))
})

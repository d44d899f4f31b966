import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, Option, Tracer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { makeDatabaseService } from "../../src/ports/makeDatabaseService.js"
import type { RawDatabase } from "../../src/ports/RawDatabase.js"

// A backend whose reads never answer: the only way a port call ends is by being interrupted.
const stalling = (provider: string) => makeDatabaseService({ provider, get: () => Effect.never } as unknown as RawDatabase)

const seriesOf = (provider: string) =>
  Metric.unsafeSnapshot().filter((pair) => pair.metricKey.tags.some((tag) => tag.key === "provider" && tag.value === provider))

// Port spans are not made under Effect's own tracer (nothing could read them); any other tracer,
// OTLP's or one of an operator's own, gets one per call, beneath the caller's span.
const recordingTracer = () => {
  const spans: Array<Tracer.Span> = []
  const native = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { tracer, spans }
}

describe("port spans", () => {
  it.effect("under a tracer of one's own: DatabaseService.<op> beneath the caller's span, with its attributes and outcome", () =>
    Effect.gen(function*() {
      const { tracer, spans } = recordingTracer()
      const db = yield* MemoryDatabase.makeWith({ instrument: true })
      yield* Effect.gen(function*() {
        yield* db.save("agents", "a1", { name: "x" })
        yield* Effect.either(db.get("agents", "missing"))
      }).pipe(Effect.withSpan("caller"), Effect.withTracer(tracer))
      const caller = spans.find((s) => s.name === "caller")!
      const save = spans.find((s) => s.name === "DatabaseService.save")!
      const get = spans.find((s) => s.name === "DatabaseService.get")!
      expect(Option.getOrUndefined(save.parent)?.spanId).toBe(caller.spanId)
      expect(Object.fromEntries(save.attributes)).toMatchObject({ "db.provider": "memory", "db.collection": "agents", "db.document.id": "a1", "db.outcome": "ok" })
      expect(get.attributes.get("db.outcome")).toBe("not_found")
      expect(get.status._tag).toBe("Ended")
    }))

  it.live("an interrupted call ends its span as interrupted under a tracer, and is not counted as an outcome with or without one", () =>
    Effect.gen(function*() {
      const { tracer, spans } = recordingTracer()
      const traced = yield* Effect.timeout(stalling("stall-traced").get("agents", "a1"), "5 millis").pipe(Effect.withTracer(tracer), Effect.either)
      const untraced = yield* Effect.either(Effect.timeout(stalling("stall-untraced").get("agents", "a1"), "5 millis"))
      expect([traced._tag, untraced._tag]).toEqual(["Left", "Left"])
      const get = spans.find((s) => s.name === "DatabaseService.get")!
      expect(get.status._tag).toBe("Ended")
      expect(get.attributes.get("db.outcome")).toBe("interrupted")
      expect(seriesOf("stall-traced")).toEqual([])
      expect(seriesOf("stall-untraced")).toEqual([])
    }), { timeout: 10_000 })
})

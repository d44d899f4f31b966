import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, FiberRef, HashMap, Logger, LogLevel } from "effect"
import { type AccessEntry, type AccessWriter, fiberLabel, isoTimestamp, jsonAccess, logfmtAccess } from "../../src/app/observability/AccessLog.js"
import { flushLogs, setLogWriter } from "../../src/app/observability/LogSink.js"

const firstEntry: AccessEntry = { requestId: "r-1", method: "GET", route: "/agents/:id", status: 404, durationMs: 1.3, provider: "memory" }

/** The access line a writer writes, and what Effect's logger writes for logInfo of the same entry, on one fiber. */
const bothLines = (writer: AccessWriter, logger: Logger.Logger<unknown, string>, entry: AccessEntry = firstEntry) =>
  Effect.withFiberRuntime<{ readonly ours: string; readonly effects: string }>((fiber) => {
    const written: Array<string> = []
    const previous = setLogWriter((text) => void written.push(text))
    writer(fiber, entry)
    flushLogs()
    setLogWriter(previous)
    const effects = logger.log({
      fiberId: fiber.id(),
      logLevel: LogLevel.Info,
      message: `${entry.method} ${entry.route} ${entry.status}`,
      cause: Cause.empty,
      context: fiber.getFiberRefs(),
      spans: fiber.getFiberRef(FiberRef.currentLogSpan),
      annotations: HashMap.union(fiber.getFiberRef(FiberRef.currentLogAnnotations), HashMap.fromIterable(Object.entries(entry))),
      date: new Date()
    })
    return Effect.succeed({ ours: written.join("").trimEnd(), effects })
  }).pipe(
    Effect.annotateLogs({ worker: "2", note: "two words" }),
    Effect.withLogSpan("drain")
  )

const LOGFMT_PAIR = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g
const logfmtFields = (line: string) => {
  const fields = new Map<string, string>()
  for (const [, key, value] of line.matchAll(LOGFMT_PAIR)) fields.set(key!, value!)
  return fields
}

describe("access lines", () => {
  it.live("logfmt: the fields, values and quoting of Effect's logfmt logger for the same entry", () =>
    Effect.gen(function*() {
      const { effects, ours } = yield* bothLines(logfmtAccess, Logger.logfmtLogger)
      expect(ours).not.toContain("\n")
      const [mine, theirs] = [logfmtFields(ours), logfmtFields(effects)]
      for (const fields of [mine, theirs]) {
        expect(fields.get("drain")).toMatch(/^\d{1,3}ms$/)
        fields.delete("drain")
        fields.delete("timestamp")
      }
      expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(theirs))
      expect(mine.get("note")).toBe('"two words"')
      expect(mine.get("message")).toBe('"GET /agents/:id 404"')
      expect(mine.get("status")).toBe("404")
      expect(ours).toMatch(/^timestamp=\d{4}-\d\d-\d\dT\S+Z level=INFO fiber=#\d+ message=/)
    }))

  it.live("logfmt: lines that share a method, route or provider with an earlier one still say their own", () =>
    Effect.gen(function*() {
      // The parts a method, route and status share are formatted once: each line must still be its own.
      const entries: Array<AccessEntry> = [
        firstEntry,
        { ...firstEntry, status: 200 },
        { ...firstEntry, route: "/agents", status: 200 },
        { ...firstEntry, method: "PUT", status: 200 },
        { ...firstEntry, route: "a route with spaces", provider: "couchdb" },
        { ...firstEntry, requestId: "id=with=equals" },
        firstEntry
      ]
      for (const entry of entries) {
        const { effects, ours } = yield* bothLines(logfmtAccess, Logger.logfmtLogger, entry)
        const [mine, theirs] = [logfmtFields(ours), logfmtFields(effects)]
        for (const fields of [mine, theirs]) {
          fields.delete("drain")
          fields.delete("timestamp")
        }
        expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(theirs))
      }
    }))

  it.live("json: the object Effect's JSON logger writes for the same entry", () =>
    Effect.gen(function*() {
      const { effects, ours } = yield* bothLines(jsonAccess, Logger.jsonLogger)
      const [mine, theirs] = [JSON.parse(ours), JSON.parse(effects)]
      for (const line of [mine, theirs]) {
        expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/)
        delete line.timestamp
        expect(line.spans.drain).toBeLessThan(1000)
        delete line.spans.drain
      }
      expect(mine).toEqual(theirs)
      expect(mine.annotations).toEqual({ worker: "2", note: "two words", ...firstEntry })
    }))

  it("fiber ids read as Effect writes them (#id), whatever their size", () => {
    // A long-running process's fiber ids grow past every small number the formatting might treat apart.
    const ids = [0, 1, 9, 10, 99_999, 1_000_000, 2 ** 31, 2 ** 32 + 7, 123_456_789_012, Number.MAX_SAFE_INTEGER]
    for (const id of ids) expect(fiberLabel(id)).toBe(`#${id}`)
  })

  it("timestamps read as Date#toISOString writes them, within a second and across seconds", () => {
    const start = Date.parse("2026-11-29T23:59:58.990Z")
    // Every millisecond over two second boundaries and a day's, then times out of order.
    const times = [...Array.from({ length: 2_100 }, (_, i) => start + i), start + 5, Date.parse("1999-01-01T00:00:00.000Z"), start + 1_007]
    for (const t of times) expect(isoTimestamp(t)).toBe(new Date(t).toISOString())
  })
})

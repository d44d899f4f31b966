import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import parsePrometheus from "parse-prometheus-text-format"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`
/** A sample line of the text exposition format: name, optional labels, a float value. */
const SAMPLE = new RegExp(`^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{${LABEL}(?:,${LABEL})*\\})? (?:NaN|[+-]Inf|-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)$`)

const get = (path: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(BaseUrl, (base) => Effect.promise(() => fetch(`${base}${path}`, { headers })))

const send = (method: string, path: string, body: unknown) =>
  Effect.flatMap(BaseUrl, (base) =>
    Effect.promise(() => fetch(`${base}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })))

const scrape = Effect.flatMap(get("/metrics"), (response) =>
  Effect.promise(async () => ({ contentType: response.headers.get("content-type"), text: await response.text() })))

describe("observability over HTTP", () => {
  layer(testServer(MemoryDatabase.layer), { timeout: "60 seconds" })("metrics and request ids", (it) => {
    it.effect("GET /metrics is Prometheus text with per-operation histograms and counters, and per-route HTTP histograms", () =>
      Effect.gen(function*() {
        const created = yield* send("POST", "/agents", { name: "W", description: "d", code: "x" })
        expect(created.status).toBe(201)
        const { _id } = (yield* Effect.promise(() => created.json())) as { _id: string }
        expect((yield* get(`/agents/${_id}`)).status).toBe(200)
        expect((yield* get("/agents/missing")).status).toBe(404)
        expect((yield* send("PUT", `/agents/${_id}`, { description: "y".repeat(300_000) })).status).toBe(413)
        // A list longer than one page (100) is a streamed body, written after the application
        // returns: it is recorded when it ends.
        yield* Effect.forEach(Array.from({ length: 120 }, (_, i) => i), (i) => send("POST", "/agents", { name: `L${i}`, description: "d", code: "x" }), { concurrency: 8 })
        const list = yield* get("/agents")
        expect(list.status).toBe(200)
        expect(list.headers.get("content-length"), "streamed, so no length").toBeNull()
        expect((yield* Effect.promise(() => list.json())) as Array<unknown>).toHaveLength(121)
        // HEAD of the same list: the server never runs the stream, and the request still ends.
        const head = yield* Effect.flatMap(BaseUrl, (base) => Effect.promise(() => fetch(`${base}/agents`, { method: "HEAD" })))
        expect(head.status).toBe(200)

        const { contentType, text } = yield* scrape
        expect(contentType).toContain("text/plain")
        expect(contentType).toContain("version=0.0.4")
        const families = new Map(parsePrometheus(text).map((family) => [family.name, family]))

        // The parser checks families (HELP, TYPE); it flattens labelled histograms, so their
        // samples are checked line by line against the exposition grammar.
        expect(families.get("docport_db_operation_duration_seconds")?.type).toBe("HISTOGRAM")
        const samples = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"))
        for (const line of samples) expect(line).toMatch(SAMPLE)
        const series = (operation: string, outcome: string) => {
          const labels = `provider="memory",operation="${operation}",outcome="${outcome}"`
          const buckets = samples.filter((line) => line.startsWith(`docport_db_operation_duration_seconds_bucket{${labels},le=`))
            .map((line) => Number(line.split(" ")[1]))
          const count = samples.find((line) => line.startsWith(`docport_db_operation_duration_seconds_count{${labels}}`))
          return { buckets, count: count === undefined ? undefined : Number(count.split(" ")[1]) }
        }
        for (const [operation, outcome] of [["save", "ok"], ["get", "ok"], ["get", "not_found"], ["save", "invalid"]] as const) {
          const { buckets, count } = series(operation, outcome)
          expect(count, `${operation} ${outcome}`).toBeGreaterThanOrEqual(1)
          // Cumulative buckets, the last one (+Inf) equal to the count.
          expect([...buckets].sort((a, b) => a - b)).toEqual(buckets)
          expect(buckets.at(-1)).toBe(count)
        }
        const calls = families.get("docport_db_operations_total")!
        expect(calls.type).toBe("COUNTER")
        expect(calls.metrics.find((m) => m.labels?.operation === "get" && m.labels.outcome === "not_found")?.value).toBe("1")

        expect(families.get("docport_http_request_duration_seconds")?.type).toBe("HISTOGRAM")
        const routes = samples.filter((line) => line.startsWith("docport_http_request_duration_seconds_count"))
          .map((line) => line.slice(line.indexOf("{"), line.indexOf("}") + 1))
        for (const [method, route, status] of [["POST", "/agents", 201], ["GET", "/agents/:id", 200], ["GET", "/agents/:id", 404], ["PUT", "/agents/:id", 413], ["GET", "/agents", 200], ["HEAD", "/agents", 200]]) {
          expect(routes).toContain(`{method="${method}",route="${route}",status="${status}"}`)
        }
        // Route patterns, never raw paths: an id does not make a series of its own.
        expect(text).not.toContain(_id)
        // Only the scrape itself is in flight: every request before it, the streamed list included, has ended.
        expect(families.get("docport_http_requests_in_flight")?.type).toBe("GAUGE")
        expect(families.get("docport_http_requests_in_flight")?.metrics[0]?.value).toBe("1")
      }))

    it.effect("x-request-id: a sane one is echoed, anything else is replaced by a fresh id", () =>
      Effect.gen(function*() {
        expect((yield* get("/health", { "x-request-id": "req-42.a_b:c" })).headers.get("x-request-id")).toBe("req-42.a_b:c")
        const fresh = (yield* get("/agents/nope", { "x-request-id": "bad id<script>" })).headers.get("x-request-id")
        expect(fresh).toMatch(/^[0-9a-f-]{36}$/)
        const none = (yield* get("/no/such/route")).headers.get("x-request-id")
        expect(none).toMatch(/^[0-9a-f-]{36}$/)
        expect(none).not.toBe(fresh)
      }))
  })
})

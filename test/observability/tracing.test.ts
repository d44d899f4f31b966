import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer, Schedule } from "effect"
import { createServer, type Server } from "node:http"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { TracingLive } from "../../src/app/observability/Tracing.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

interface Received {
  readonly serviceName: unknown
  readonly span: OtlpSpan
}

/** A small OTLP/HTTP receiver (JSON encoding, as the OpenTelemetry exporter sends it) on a loopback port. */
const receiver = Effect.acquireRelease(
  Effect.async<{ readonly server: Server; readonly url: string; readonly received: Array<Received> }>((resume) => {
    const received: Array<Received> = []
    const server = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/v1/traces" || !String(request.headers["content-type"]).includes("json")) {
          response.writeHead(404).end()
          return
        }
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const serviceName = resourceSpans.resource?.attributes?.find((a: { key: string }) => a.key === "service.name")?.value?.stringValue
          for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) received.push({ serviceName, span })
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed({ server, url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`, received }))
    })
  }),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}

describe("trace export over OTLP/HTTP", () => {
  it.live("one HTTP request exports its request span with the DatabaseService spans beneath it", () =>
    Effect.gen(function*() {
      const otlp = yield* receiver
      const config = ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", `${otlp.url}/`], ["OTEL_SERVICE_NAME", "docport-under-test"]]))
      // The server and the exporter close at the end of the inner scope, which flushes the spans.
      const id = yield* Effect.gen(function*() {
        const base = Context.get(yield* Layer.build(testServer(MemoryDatabase.layer)), BaseUrl)
        const created = yield* Effect.promise(() =>
          fetch(`${base}/agents`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"T","description":"d","code":"x"}' })
            .then((r) => r.json() as Promise<{ _id: string }>))
        const read = yield* Effect.promise(() => fetch(`${base}/agents/${created._id}`))
        expect(read.status).toBe(200)
        return created._id
      }).pipe(Effect.scoped, Effect.provide(TracingLive), Effect.withConfigProvider(config))

      const spans = yield* Effect.suspend(() => otlp.received.length > 0 ? Effect.succeed(otlp.received) : Effect.fail("none yet"))
        .pipe(Effect.retry(Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(50))))
      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(["docport-under-test"]))
      const request = spans.find((s) => s.span.name === "http.server GET" && attribute(s.span, "http.route") === "/agents/:id")?.span
      expect(request).toBeDefined()
      const dbGet = spans.find((s) => s.span.name === "DatabaseService.get" && s.span.parentSpanId === request!.spanId)?.span
      expect(dbGet, "DatabaseService.get beneath the request span").toBeDefined()
      expect(dbGet!.traceId).toBe(request!.traceId)
      expect(attribute(dbGet!, "db.provider")).toBe("memory")
      expect(attribute(dbGet!, "db.collection")).toBe("agents")
      expect(attribute(dbGet!, "db.document.id")).toBe(id)
      expect(attribute(dbGet!, "db.outcome")).toBe("ok")
      const post = spans.find((s) => s.span.name === "http.server POST")?.span
      expect(spans.some((s) => s.span.name === "DatabaseService.save" && s.span.parentSpanId === post?.spanId)).toBe(true)
    }).pipe(Effect.scoped), 30_000)
})

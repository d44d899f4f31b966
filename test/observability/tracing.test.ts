import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, FiberRef, Layer, Schedule } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { TracingLive } from "../../src/app/observability/Tracing.js"
import { warmupTracer } from "../../src/app/observability/WarmupTracer.js"
import { NATIVE_TRACER } from "../../src/ports/DatabaseMetrics.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { otlpReceiver, spanAttribute } from "../support/OtlpReceiver.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

describe("trace export over OTLP/HTTP", () => {
  it.live("one HTTP request exports its request span with the DatabaseService spans beneath it", () =>
    Effect.gen(function*() {
      const otlp = yield* otlpReceiver
      const config = ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", `${otlp.url}/`], ["OTEL_SERVICE_NAME", "docport-under-test"]]))
      // The server and the exporter close at the end of the inner scope, which flushes the spans.
      const id = yield* Effect.gen(function*() {
        const base = Context.get(yield* Layer.build(testServer(MemoryDatabase.layer)), BaseUrl)
        const created = yield* Effect.promise(() =>
          fetch(`${base}/agents`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"T","description":"d","code":"x"}' })
            .then((r) => r.json() as Promise<{ _id: string }>))
        const read = yield* Effect.promise(() => fetch(`${base}/agents/${created._id}`))
        expect(read.status).toBe(200)
        // What a sign-in's callback or a careless client puts in a URL, and the admin password's header.
        const secrets = yield* Effect.promise(() =>
          fetch(`${base}/health?code=CODE-SECRET&state=STATE-SECRET&dpt_BARE-SECRET`, { headers: { "x-admin-password": "ADMIN-SECRET", "proxy-authorization": "Basic PROXY-SECRET" } }))
        expect(secrets.status).toBe(200)
        return created._id
      }).pipe(Effect.scoped, Effect.provide(TracingLive), Effect.withConfigProvider(config))

      const spans = yield* Effect.suspend(() => otlp.received.length > 0 ? Effect.succeed(otlp.received) : Effect.fail("none yet"))
        .pipe(Effect.retry(Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(50))))
      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(["docport-under-test"]))
      const request = spans.find((s) => s.span.name === "http.server GET" && spanAttribute(s.span, "http.route") === "/agents/:id")?.span
      expect(request).toBeDefined()
      const dbGet = spans.find((s) => s.span.name === "DatabaseService.get" && s.span.parentSpanId === request!.spanId)?.span
      expect(dbGet, "DatabaseService.get beneath the request span").toBeDefined()
      expect(dbGet!.traceId).toBe(request!.traceId)
      expect(spanAttribute(dbGet!, "db.provider")).toBe("memory")
      expect(spanAttribute(dbGet!, "db.collection")).toBe("agents")
      expect(spanAttribute(dbGet!, "db.document.id")).toBe(id)
      expect(spanAttribute(dbGet!, "db.outcome")).toBe("ok")
      const health = spans.find((s) => s.span.name === "http.server GET" && spanAttribute(s.span, "http.route") === "/health")?.span
      expect(spanAttribute(health!, "url.query")).toBe("code=<redacted>&state=<redacted>&<redacted>")
      expect(spanAttribute(health!, "url.full")).toMatch(/\/health\?code=<redacted>&state=<redacted>&<redacted>$/)
      expect(spanAttribute(health!, "http.request.header.x-admin-password")).toBe("<redacted>")
      expect(JSON.stringify(otlp.received)).not.toMatch(/CODE-SECRET|STATE-SECRET|BARE-SECRET|ADMIN-SECRET|PROXY-SECRET/)
      const post = spans.find((s) => s.span.name === "http.server POST")?.span
      expect(spans.some((s) => s.span.name === "DatabaseService.save" && s.span.parentSpanId === post?.spanId)).toBe(true)
    }).pipe(Effect.scoped), 30_000)

  it.live("a sign-in's redirect exports no Location: it carries the login's state (and nonce) to the provider", () =>
    Effect.gen(function*() {
      const otlp = yield* otlpReceiver
      const config = ConfigProvider.fromMap(new Map([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", otlp.url],
        ["AUTH_PROVIDERS", "dev_stub"],
        ["APP_ENV", "test"]
      ]))
      const state = yield* Effect.gen(function*() {
        const base = Context.get(yield* Layer.build(testServer(MemoryDatabase.layer)), BaseUrl)
        const login = yield* Effect.promise(() => fetch(`${base}/auth/login/dev_stub`, { redirect: "manual" }))
        expect(login.status).toBe(302)
        return new URL(login.headers.get("location")!, base).searchParams.get("state")!
      }).pipe(Effect.scoped, Effect.provide(TracingLive), Effect.withConfigProvider(config))
      expect(state.length).toBeGreaterThan(20)
      const spans = yield* Effect.suspend(() => otlp.received.length > 0 ? Effect.succeed(otlp.received) : Effect.fail("none yet"))
        .pipe(Effect.retry(Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(50))))
      const login = spans.find((s) => spanAttribute(s.span, "http.route") === "/auth/login/:type")!.span
      expect(spanAttribute(login, "http.response.header.location")).toBe("<redacted>")
      expect(JSON.stringify(otlp.received)).not.toContain(state)
    }).pipe(Effect.scoped), 30_000)

  it.live("a failure's cause reaches the trace without the backend's address or credentials, as it reaches the log", () =>
    Effect.gen(function*() {
      const otlp = yield* otlpReceiver
      const config = ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", otlp.url]]))
      // An SDK's error as the adapters keep it: its text and stack name where the call went.
      const sdkError = new Error("connect ECONNREFUSED 10.9.8.7:5984 (http://admin:hunter2@couch.internal:5984/agents)")
      yield* Effect.fail(new DatabaseError({ operation: "get", message: "CouchDB did not answer", unavailable: true, cause: sdkError })).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("database get failed", cause)),
        Effect.withSpan("DatabaseService.get"),
        Effect.ignore,
        Effect.provide(TracingLive),
        Effect.withConfigProvider(config)
      )
      const spans = yield* Effect.suspend(() => otlp.received.length > 0 ? Effect.succeed(otlp.received) : Effect.fail("none yet"))
        .pipe(Effect.retry(Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(50))))
      const span = spans.find((s) => s.span.name === "DatabaseService.get")!.span
      const exported = JSON.stringify(span)
      expect(exported).toContain("ECONNREFUSED <address>") // the failure is still told
      expect(exported).not.toMatch(/10\.9\.8\.7|couch\.internal|hunter2/)
    }).pipe(Effect.scoped), 30_000)

  it.live("the warm-up's tracer: Effect's own without export; with export, OpenTelemetry spans, as real requests make, that are never exported", () =>
    Effect.gen(function*() {
      yield* Effect.acquireRelease(
        Effect.sync(() => void (process.env.OTEL_BSP_SCHEDULE_DELAY = "50")),
        () => Effect.sync(() => void delete process.env.OTEL_BSP_SCHEDULE_DELAY)
      )
      const otlp = yield* otlpReceiver
      const config = ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", otlp.url]]))
      const noExport = ConfigProvider.fromMap(new Map())
      expect(yield* FiberRef.get(warmupTracer).pipe(Effect.provide(TracingLive), Effect.withConfigProvider(noExport))).toBe(NATIVE_TRACER)

      // The exporter closes with the inner scope, which flushes whatever reached it.
      const [inWarmup, real] = yield* Effect.gen(function*() {
        const tracer = yield* FiberRef.get(warmupTracer)
        // An OpenTelemetry span made through Effect keeps the SDK's span, which names its tracer.
        const otelTracerIn = (name: string) =>
          Effect.map(Effect.currentSpan, (span) => (span as { span?: { instrumentationScope?: { name?: string } } }).span?.instrumentationScope?.name)
            .pipe(Effect.withSpan(name))
        return [yield* otelTracerIn("warm-up span").pipe(Effect.withTracer(tracer)), yield* otelTracerIn("real span")] as const
      }).pipe(Effect.scoped, Effect.provide(TracingLive), Effect.withConfigProvider(config))
      expect(inWarmup, "the warm-up's span is made by an OpenTelemetry tracer of its own").toBe("docport warm-up")
      expect(real).toBe("docport")

      yield* Effect.suspend(() => otlp.received.length > 0 ? Effect.void : Effect.fail("none yet"))
        .pipe(Effect.retry(Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(50))))
      // Any batch exporter made in this test sends within 50 ms of a span's end (OTEL_BSP_SCHEDULE_DELAY above).
      yield* Effect.sleep("500 millis")
      expect(otlp.received.map((r) => r.span.name)).toEqual(["real span"])
    }).pipe(Effect.scoped), 30_000)
})

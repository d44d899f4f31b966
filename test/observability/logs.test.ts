import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { LoggingLive } from "../../src/app/observability/Logging.js"
import { setLogWriter, writeLogLine } from "../../src/app/observability/LogSink.js"
import { freePort } from "../support/ChildServer.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

interface Run {
  readonly child: ChildProcess
  readonly output: () => string
}

/** The real entry point in a child process, so that the logger set-up of main.ts is what runs. */
const start = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<Run & { readonly base: string }> => {
      const port = await Effect.runPromise(freePort)
      let output = ""
      const child = spawn("node_modules/.bin/tsx", ["src/app/main.ts"], {
        env: { ...process.env, DATABASE_PROVIDER: "memory", HOST: "127.0.0.1", PORT: String(port), WARMUP: "off", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      child.stdout!.on("data", (d) => (output += d))
      child.stderr!.on("data", (d) => (output += d))
      const base = `http://127.0.0.1:${port}`
      const until = Date.now() + 30_000
      for (;;) {
        const up = await fetch(`${base}/health`).then((r) => r.ok, () => false)
        if (up) break
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`)
        if (Date.now() > until) throw new Error(`not up within 30 s:\n${output}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      return { child, output: () => output, base }
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  )

const SECRET_BODY = "body-text-that-must-not-be-logged"

describe("logs", () => {
  it.live("LOG_FORMAT=json: one JSON access line per request, with the request id on every line of that request", () =>
    Effect.gen(function*() {
      const run = yield* start({ LOG_FORMAT: "json" })
      yield* Effect.promise(() => fetch(`${run.base}/agents/missing`, { headers: { "x-request-id": "trace-me-1" } }))
      yield* Effect.promise(() =>
        fetch(`${run.base}/agents`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "too-big-2" },
          body: JSON.stringify({ name: "n", description: SECRET_BODY, code: "x".repeat(300_000) })
        }))
      yield* Effect.sleep("300 millis")
      const lines = run.output().split("\n").filter((line) => line.trim() !== "")
      const entries = lines.map((line) => JSON.parse(line) as { message: unknown; annotations: Record<string, unknown>; logLevel: string })
      const access = entries.filter((e) => e.annotations.route !== undefined)
      const missing = access.filter((e) => e.annotations.requestId === "trace-me-1")
      expect(missing).toHaveLength(1)
      expect(missing[0]!.annotations).toMatchObject({ method: "GET", route: "/agents/:id", status: 404, provider: "memory" })
      expect(typeof missing[0]!.annotations.durationMs).toBe("number")
      expect(access.filter((e) => e.annotations.requestId === "too-big-2")[0]?.annotations).toMatchObject({ status: 413 })
      // One line per request: the health polls and the two requests above, nothing twice.
      const ids = access.map((e) => e.annotations.requestId)
      expect(new Set(ids).size).toBe(ids.length)
      expect(run.output()).not.toContain(SECRET_BODY)
    }).pipe(Effect.scoped), 60_000)

  it.live("LOG_LEVEL=warning drops the access lines; text format is one logfmt line an entry", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const previous = setLogWriter((text) => void lines.push(...text.split("\n").filter((l) => l !== "")))
      const request = (level: string, id: string) =>
        Effect.gen(function*() {
          const base = Context.get(yield* Layer.build(testServer(MemoryDatabase.layer)), BaseUrl)
          yield* Effect.promise(() => fetch(`${base}/agents/missing`, { headers: { "x-request-id": id } }))
        }).pipe(Effect.scoped, Effect.provide(LoggingLive), Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LOG_LEVEL", level]]))))
      yield* request("Warning", "quiet-3").pipe(Effect.zipRight(request("info", "loud-4")), Effect.ensuring(Effect.sync(() => setLogWriter(previous))))
      expect(lines.some((l) => l.includes("quiet-3"))).toBe(false)
      const line = lines.find((l) => l.includes("loud-4"))
      expect(line).toMatch(/level=INFO .*message="GET \/agents\/:id 404"/)
      expect(line).toMatch(/ status=404( |$)/)
      expect(line).toMatch(/ requestId=loud-4( |$)/)
      expect(line).not.toContain("\n")
    }), 60_000)

  // One test per format: each provides LoggingLive once, as main.ts does.
  for (const format of ["text", "json"] as const) {
    it.live(`every line a request logs carries its request id, not only its access line (LOG_FORMAT=${format})`, () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        const previous = setLogWriter((text) => void lines.push(...text.split("\n").filter((l) => l !== "")))
        // A port whose reads are a bug: the request logs an error line besides its access line.
        const buggy = Layer.effect(
          DatabaseService,
          Effect.map(MemoryDatabase.make, (memory) => ({ ...memory, get: () => Effect.die(new Error("a bug in the port")) }))
        )
        yield* Effect.gen(function*() {
          const base = Context.get(yield* Layer.build(testServer(buggy)), BaseUrl)
          const response = yield* Effect.promise(() => fetch(`${base}/agents/a1`, { headers: { "x-request-id": `bug-${format}` } }))
          expect(response.status).toBe(500)
          yield* Effect.sleep("50 millis")
        }).pipe(
          Effect.scoped,
          Effect.provide(LoggingLive),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LOG_FORMAT", format]]))),
          Effect.ensuring(Effect.sync(() => setLogWriter(previous)))
        )
        const mine = lines.filter((l) => l.includes(`bug-${format}`))
        const error = mine.find((l) => l.includes("unexpected failure"))
        expect(error, lines.join("\n")).toBeDefined()
        if (format === "json") expect(JSON.parse(error!).annotations.requestId).toBe("bug-json")
        else expect(error).toMatch(/ requestId=bug-text( |$)/)
        expect(mine.filter((l) => l.includes("GET /agents/:id 500"))).toHaveLength(1)
      }), 60_000)
  }

  it.live("a database failure is one logfmt line with one message, its cause told without the backend's address", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const previous = setLogWriter((text) => void lines.push(...text.split("\n").filter((l) => l !== "")))
      const down = Layer.effect(
        DatabaseService,
        Effect.map(MemoryDatabase.make, (memory) => ({
          ...memory,
          get: () =>
            Effect.fail(new DatabaseError({ operation: "get", message: "CouchDB did not answer", unavailable: true, cause: new Error("connect ECONNREFUSED 10.1.1.1:5984") }))
        }))
      )
      yield* Effect.gen(function*() {
        const base = Context.get(yield* Layer.build(testServer(down)), BaseUrl)
        const response = yield* Effect.promise(() => fetch(`${base}/agents/a1`, { headers: { "x-request-id": "down-1" } }))
        expect(response.status).toBe(503)
        yield* Effect.sleep("50 millis")
      }).pipe(Effect.scoped, Effect.provide(LoggingLive), Effect.ensuring(Effect.sync(() => setLogWriter(previous))))
      const line = lines.find((l) => l.includes("requestId=down-1") && l.includes("level=ERROR"))
      expect(line, lines.join("\n")).toBeDefined()
      expect(line!.match(/ message=/g)).toHaveLength(1)
      expect(line).toContain(`message="database get failed: CouchDB did not answer (Error: connect ECONNREFUSED <address>)"`)
      expect(line).not.toContain("10.1.1.1")
    }), 60_000)

  it.live("lines logged within 25 ms leave in one write, in order, once the 25 ms have passed, not after each turn of the event loop", () =>
    Effect.gen(function*() {
      const writes: Array<string> = []
      const previous = setLogWriter((text) => void writes.push(text))
      yield* Effect.gen(function*() {
        const started = performance.now()
        yield* Effect.logInfo("first")
        yield* Effect.logWarning("second")
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        yield* Effect.logError("third")
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        // Unless a busy machine stalled this test for the 25 ms (then the batch may rightly be out).
        if (performance.now() - started < 20) expect(writes).toEqual([])
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 60)))
        expect(writes).toHaveLength(1)
      }).pipe(Effect.provide(LoggingLive), Effect.ensuring(Effect.sync(() => setLogWriter(previous))))
      expect(writes[0]!.split("\n").filter((l) => l !== "").map((l) => /message=(\w+)/.exec(l)?.[1])).toEqual(["first", "second", "third"])
    }))

  it("a batch that reaches 64 KB is written at once, without waiting for the 25 ms", () => {
    const writes: Array<string> = []
    const previous = setLogWriter((text) => void writes.push(text))
    try {
      const line = "x".repeat(1023)
      for (let i = 0; i < 63; i++) writeLogLine(line)
      expect(writes).toEqual([])
      writeLogLine(line)
      expect(writes).toHaveLength(1)
      expect(writes[0]).toHaveLength(64 * 1024)
    } finally {
      setLogWriter(previous)
    }
  })

  it("lines still pending when the process exits are written to stdout", () => {
    const script = [
      `import { writeLogLine } from ${JSON.stringify(fileURLToPath(new URL("../../src/app/observability/LogSink.ts", import.meta.url)))}`,
      `writeLogLine("the last line")`,
      `process.exit(0)`
    ].join("\n")
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(out).toBe("the last line\n")
  })

  it.live("providing the logging layer again leaves one logger: a line is written once, in the format chosen last", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const previous = setLogWriter((text) => void lines.push(...text.split("\n").filter((l) => l !== "")))
      const logAs = (format: string, message: string) =>
        Effect.log(message).pipe(
          Effect.provide(LoggingLive),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LOG_FORMAT", format]])))
        )
      yield* Effect.gen(function*() {
        yield* logAs("text", "first")
        yield* logAs("json", "second")
        // Nested, as a test's layer inside an application's would be.
        yield* logAs("text", "third").pipe(Effect.provide(LoggingLive))
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }).pipe(Effect.ensuring(Effect.sync(() => setLogWriter(previous))))
      expect(lines).toHaveLength(3)
      expect(lines[0]).toMatch(/^timestamp=.* message=first$/)
      expect(JSON.parse(lines[1]!)).toMatchObject({ message: "second" })
      expect(lines[2]).toMatch(/^timestamp=.* message=third$/)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AddressInfo, createServer } from "node:net"
import { freePort } from "../support/ChildServer.js"
import { getRequest, nextAnswer, openConnection } from "../support/rawHttp.js"
import { startServerProcess, timed } from "../support/ServerProcess.js"

const agentJson = JSON.stringify({ name: "In flight", description: "d", code: "c" })
const postHead = (length: number) =>
  `POST /agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

// Generous: the machine is shared and busy; the point is "bounded", not "fast".
const START_MS = 90_000

// Each test has a process and a port of its own: they run side by side.
describe.concurrent("docport as a process (dist/server/main.js, as npm start runs it)", () => {
  it.live("an unknown DATABASE_PROVIDER stops start-up on stderr, listing the valid ones, with exit code 1", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { DATABASE_PROVIDER: "nonsense" })
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toContain("docport could not start")
      expect(run.stderr()).toMatch(/memory, couchdb, firestore, dynamodb/)
      expect(run.stderr()).toContain("nonsense")
    }), START_MS)

  it.live("a bad PORT stops start-up on stderr naming the variable", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { PORT: "eighty" })
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toContain("PORT")
    }), START_MS)

  it.live("a wrong setting of the HTTP layer stops start-up before the warm-up, on one line naming the variable", () =>
    Effect.promise(async () => {
      const wrongs: ReadonlyArray<Record<string, string>> = [
        { AUTH_PROVIDERS: "Not A Type" },
        { ADMIN_PANEL_PASSWORD: "short" },
        { MAX_BODY_BYTES: "0" },
        { SHUTDOWN_TIMEOUT: "soon" },
        { SESSION_TTL_HOURS: "-1" },
        { AUTH_MAX_FAILURES: "0" },
        { OTEL_EXPORTER_OTLP_ENDPOINT: "::" },
        { AUTH_PROVIDERS: "google", AUTH_GOOGLE_CLIENT_ID: "x", AUTH_GOOGLE_ALLOWED_DOMAINS: "a.example", AUTH_GOOGLE_ISSUER: "http://a.example" }
      ]
      await Promise.all(wrongs.map(async (wrong) => {
        const named = Object.keys(wrong).at(-1)!
        const run = startServerProcess("node", { ...wrong, WARMUP: "5 seconds" })
        expect(await run.exit, named).toBe(1)
        expect(run.stderr(), named).toContain(`Invalid data at ${named}:`)
        expect(run.output(), named).not.toContain("warmed up")
      }))
    }), START_MS)

  it.live("a port already taken stops start-up on stderr saying so", () =>
    Effect.promise(async () => {
      const taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
      const port = (taken.address() as AddressInfo).port
      try {
        const run = startServerProcess("node", { PORT: String(port) })
        expect(await run.exit).toBe(1)
        expect(run.stderr()).toContain("docport could not start")
        expect(run.stderr()).toContain("EADDRINUSE")
      } finally {
        taken.close()
      }
    }), START_MS)

  it.live(
    "npm start signalled like a supervisor (SIGTERM to its process group): idle and keep-alive connections close, the request in flight finishes with Connection: close, exit 0",
    () =>
      Effect.gen(function*() {
        const port = yield* freePort
        yield* Effect.promise(async () => {
          const run = startServerProcess("npm", { PORT: String(port) })
          await run.waitFor("Listening on", START_MS)
          // npm has handed over to node itself: no shell or tsx in between to swallow the signal.
          const health = await fetch(`http://127.0.0.1:${port}/health`)
          expect(health.status).toBe(200)

          const idle = await openConnection(port)
          const keepAlive = await openConnection(port)
          keepAlive.write(getRequest("/health"))
          const first = await nextAnswer(keepAlive)
          expect(first).toMatchObject({ status: 200 })
          expect(typeof first === "object" && first.headers.connection).not.toBe("close")
          const inFlight = await openConnection(port)
          inFlight.write(postHead(Buffer.byteLength(agentJson)) + agentJson.slice(0, 10))
          await new Promise((r) => setTimeout(r, 300))

          run.signalGroup("SIGTERM")
          await run.waitFor("stopping: no new connections")
          // The idle connections are closed at once; a request sent on one afterwards finds it closed.
          keepAlive.write(getRequest("/health"))
          expect(await nextAnswer(keepAlive, 5_000)).toBe("closed")
          expect(await nextAnswer(idle, 5_000)).toBe("closed")
          await expect(openConnection(port)).rejects.toThrow()
          // The request in flight is answered, and told the connection ends.
          const answer = nextAnswer(inFlight)
          inFlight.write(agentJson.slice(10))
          const created = await answer
          expect(created).toMatchObject({ status: 201, headers: { connection: "close" } })
          const [code, ms] = await timed(run.exit)
          expect(code).toBe(0)
          expect(ms).toBeLessThan(9_000)
          expect(run.output()).toContain("docport stopped")
          expect(run.output()).not.toContain("cut off")
        })
      }),
    START_MS + 30_000
  )

  it.live("SIGTERM to npm alone (as Docker sends it) also stops the server and npm exits 0", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      yield* Effect.promise(async () => {
        const run = startServerProcess("npm", { PORT: String(port) })
        await run.waitFor("Listening on", START_MS)
        run.child.kill("SIGTERM")
        expect(await run.exit).toBe(0)
        expect(run.output()).toContain("docport stopped")
        await expect(openConnection(port)).rejects.toThrow()
      })
    }), START_MS + 30_000)

  it.live("a half-sent request cannot hold the stop: cut off at SHUTDOWN_TIMEOUT, named in the log, exit 0", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      yield* Effect.promise(async () => {
        const run = startServerProcess("node", { PORT: String(port), SHUTDOWN_TIMEOUT: "2" })
        await run.waitFor("Listening on", START_MS)
        const halfBody = await openConnection(port)
        halfBody.write(postHead(1000) + "{\"name\":")
        const otherHalfBody = await openConnection(port)
        otherHalfBody.write(postHead(1000) + "{")
        const halfHeaders = await openConnection(port)
        halfHeaders.write("POST /agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
        await new Promise((r) => setTimeout(r, 300))
        run.signalGroup("SIGTERM")
        // A second signal, as npm passing it on would send, must not kill the drain.
        await run.waitFor("stopping: no new connections")
        expect(run.output()).toContain("2 request(s) in flight, 3 connection(s) open")
        run.signalGroup("SIGTERM")
        const [code, ms] = await timed(run.exit)
        expect(code).toBe(0)
        expect(ms).toBeLessThan(8_000)
        expect(run.output()).toMatch(/cut off after 1s: 2 request\(s\) \[POST \/agents \(request still arriving\), POST \/agents \(request still arriving\)\]/)
        expect(run.output()).toContain("1 connection(s) that never sent a whole request")
        expect(await nextAnswer(halfBody, 1_000)).toBe("closed")
        expect(run.output()).toContain("docport stopped")
      })
    }), START_MS + 30_000)
})

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { freePort, portAccepts } from "../support/ChildServer.js"
import { otlpReceiver, spanAttribute } from "../support/OtlpReceiver.js"
import { pouchdbPerFile } from "../support/pouchdbPerFile.js"
import { freshDatabasePrefix } from "../support/pouchdbServer.js"
import { type ServerProcess, startServerProcess } from "../support/ServerProcess.js"

// Generous: the machine is shared and busy; the warm-up itself is bounded by its own budget.
const START_MS = 90_000

const WARMED = /timestamp=(\S+) [^\n]*message="warmed up in (\d+) ms, (\d+) requests"/

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const stop = async (run: ServerProcess) => {
  if (run.child.exitCode !== null) return
  run.signalGroup("SIGTERM")
  await run.exit
}

const pouchdb = pouchdbPerFile(START_MS)
const couchEnv = pouchdb.env

const couch = async (path: string) => {
  const response = await fetch(`${pouchdb.server().url}${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${pouchdb.server().username}:${pouchdb.server().password}`).toString("base64")}` }
  })
  expect(response.status, path).toBe(200)
  return response.json() as Promise<any>
}

/** Every database of the server, with the ids of the documents it holds. */
const couchContents = async () => {
  const contents = new Map<string, Array<string>>()
  for (const db of (await couch("/_all_dbs")) as Array<string>) {
    contents.set(db, ((await couch(`/${encodeURIComponent(db)}/_all_docs`)).rows as Array<{ id: string }>).map((row) => row.id).sort())
  }
  return contents
}

/** What docport created in CouchDB from starting with this WARMUP until serving, with its prefix taken off. */
const startOnCouch = async (warmup: string) => {
  const prefix = freshDatabasePrefix()
  const port = await Effect.runPromise(freePort)
  const run = startServerProcess("node", { ...couchEnv(prefix), PORT: String(port), WARMUP: warmup })
  try {
    await run.waitFor("Listening on", START_MS)
    const created = [...(await couchContents()).entries()].filter(([db]) => db.startsWith(prefix))
    return { output: run.output(), created: created.map(([db, ids]) => [db.slice(prefix.length), ids] as const).sort() }
  } finally {
    await stop(run)
  }
}

// One after another: warm-ups running side by side would take each other's core.
describe("WARMUP: a fresh process warms its hot paths before its port opens", () => {
  it.live("by default: the port stays closed while the warm-up runs; once open, /metrics, the memory backend and the log show nothing of it", () =>
    Effect.promise(async () => {
      const port = await Effect.runPromise(freePort)
      // WARMUP unset: the default is on.
      const run = startServerProcess("node", { PORT: String(port), WARMUP: undefined })
      try {
        let refused = 0
        let firstRefusedAt = 0
        let openedAt = 0
        while (run.child.exitCode === null) {
          const tried = Date.now()
          if (await portAccepts(port)) {
            openedAt = tried
            break
          }
          if (refused++ === 0) firstRefusedAt = tried
          await sleep(20)
        }
        await run.waitFor("Listening on", START_MS)
        const warmed = WARMED.exec(run.output())
        expect(warmed, run.output()).not.toBeNull()
        const [, at, ms, requests] = warmed!
        // Polled every 20 ms from the spawn on: refused from before the warm-up began until it had ended
        // (50 ms for the clocks' millisecond steps), so the port was closed for the whole warm-up.
        const warmedAt = Date.parse(at!)
        expect(Number(requests)).toBeGreaterThanOrEqual(50)
        expect(Number(ms)).toBeLessThan(2_000 + 5_000)
        expect(refused).toBeGreaterThanOrEqual(3)
        expect(firstRefusedAt).toBeLessThan(warmedAt - Number(ms))
        expect(openedAt).toBeGreaterThanOrEqual(warmedAt - 50)

        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        const httpCounts = [...metrics.matchAll(/^docport_http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)]
        // Only the scrape's own predecessor, the /health above: none of the warm-up's hundreds of requests.
        expect(httpCounts.map(([, labels, n]) => `${labels} ${n}`)).toEqual(['method="GET",route="/health",status="200" 1'])
        expect(metrics).not.toMatch(/operation="(save|delete|saveMany|deleteMany|getMany|find)"/)
        const dbCalls = [...metrics.matchAll(/^docport_db_operations_total\{[^}]*\} (\d+)$/gm)].reduce((sum, [, n]) => sum + Number(n), 0)
        expect(dbCalls).toBeLessThan(10)

        // The memory backend this server serves is not the warm-up's.
        expect(await (await fetch(`http://127.0.0.1:${port}/agents`)).json()).toEqual([])
        expect(await (await fetch(`http://127.0.0.1:${port}/deployments`)).json()).toEqual([])
        expect(await (await fetch(`http://127.0.0.1:${port}/data-store/namespaces`)).json()).toMatchObject({ namespaces: [], totalRecordCount: 0 })

        // Not one line of the warm-up's own: no access line, no second local-mode warning, no document.
        const output = run.output()
        // Its access lines are formatted by the process's own writer and dropped: none at all.
        const beforeListening = output.slice(0, output.indexOf("Listening on"))
        expect(beforeListening).not.toMatch(/message="(GET|POST|PUT|DELETE) /)
        expect(output).not.toContain("POST /agents")
        expect(output).not.toContain("warm-up ")
        expect(output.match(/LOCAL MODE/g)).toHaveLength(1)
        expect(output.match(/Listening on/g)).toHaveLength(1)
      } finally {
        await stop(run)
      }
    }), START_MS)

  it.live("with trace export configured, the warm-up's requests make spans that are never exported: the receiver sees only the real request's", () =>
    Effect.scoped(Effect.gen(function*() {
      const otlp = yield* otlpReceiver
      const port = yield* freePort
      const run = startServerProcess("node", { PORT: String(port), WARMUP: "on", OTEL_EXPORTER_OTLP_ENDPOINT: `${otlp.url}/` })
      yield* Effect.promise(async () => {
        try {
          await run.waitFor("Listening on", START_MS)
          expect(run.output()).toMatch(WARMED)
          expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
        } finally {
          // The exporter flushes what it holds when the process stops.
          await stop(run)
        }
      })
      const received = otlp.received.map(({ span }) => `${span.name} ${spanAttribute(span, "http.route") ?? ""}`.trim())
      // Hundreds of warm-up requests (POST /agents, deploys, the data store...), each with its port
      // calls, and of requests only /health exported; of port calls only the real start's own
      // (its indexes and its ping), none of the warm-up's reads and writes.
      expect(received.filter((name) => name.startsWith("http.server")), received.join("\n")).toEqual(["http.server GET /health"])
      expect(received.filter((name) => /^DatabaseService\.(get|save|delete|find|listAll|stream|getMany|saveMany|deleteMany)/.test(name)))
        .toEqual([])
    })), START_MS)

  it.live("WARMUP=off: no warm-up, the port opens at once", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { PORT: String(await Effect.runPromise(freePort)), WARMUP: "off" })
      try {
        await run.waitFor("Listening on", START_MS)
        expect(run.output()).not.toContain("warmed up")
      } finally {
        await stop(run)
      }
    }), START_MS)

  it.live("SIGTERM during the warm-up stops the process at once, exit 0, the port never opened", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { PORT: String(await Effect.runPromise(freePort)), WARMUP: "30", LOG_LEVEL: "debug" })
      await run.waitFor("warming up for at most 30s", START_MS)
      await sleep(300)
      run.signalGroup("SIGTERM")
      const started = Date.now()
      expect(await run.exit).toBe(0)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(run.output()).not.toContain("Listening on")
      expect(run.output()).not.toContain("warmed up")
    }), START_MS)

  it.live("a WARMUP that is not off, on or a time up to 60 s stops start-up with one line naming it", () =>
    Effect.promise(async () => {
      for (const bad of ["lukewarm", "2 hours", "-1"]) {
        const run = startServerProcess("node", { PORT: String(await Effect.runPromise(freePort)), WARMUP: bad })
        expect(await run.exit).toBe(1)
        const lines = run.stderr().trim().split("\n")
        expect(lines, run.stderr()).toHaveLength(1)
        expect(lines[0]).toContain("docport could not start")
        expect(lines[0]).toContain("WARMUP")
        expect(lines[0]).toContain(`expected off, on, or a time up to 60 seconds`)
        expect(lines[0]).toContain(bad)
        expect(run.output()).not.toContain("Listening on")
      }
    }), START_MS)

  it.live("on CouchDB (pouchdb-server): the warm-up creates no database and no document; docport creates the same ones as with WARMUP=off", () =>
    Effect.promise(async () => {
      const before = await couchContents()
      const warm = await startOnCouch("1.5")
      expect(warm.output).toMatch(WARMED)
      const cold = await startOnCouch("off")
      expect(cold.output).not.toContain("warmed up")
      expect(warm.created).toEqual(cold.created)
      const after = await couchContents()
      for (const [db, ids] of after) {
        if (before.has(db)) expect(ids).toEqual(before.get(db))
        expect(ids.filter((id) => id.includes("warm-up"))).toEqual([])
      }
    }), START_MS)

  it.live("WORKERS=2 on CouchDB: each worker warms on its own private instance before the primary counts it as serving", () =>
    Effect.promise(async () => {
      const port = await Effect.runPromise(freePort)
      const run = startServerProcess("node", { ...couchEnv(freshDatabasePrefix()), PORT: String(port), WORKERS: "2", WARMUP: "3" })
      try {
        await run.waitFor("2 workers serving", START_MS)
        const output = run.output()
        const serving = output.indexOf("2 workers serving")
        for (const worker of ["1", "2"]) {
          const line = new RegExp(`message="warmed up in \\d+ ms, (\\d+) requests"[^\\n]*worker=${worker}`).exec(output)
          expect(line, output).not.toBeNull()
          expect(line!.index).toBeLessThan(serving)
          expect(Number(line![1])).toBeGreaterThan(0)
        }
        expect(output).not.toContain("warm-up stopped")
        expect((await fetch(`http://127.0.0.1:${port}/agents`)).status).toBe(200)
      } finally {
        await stop(run)
      }
    }), START_MS)
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import { readFileSync } from "node:fs"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { DATA_STORE_ACCESS } from "../../src/domain/AccessStats.js"
import { DATA_STORE } from "../../src/domain/DataRecord.js"
import { freePort } from "../support/ChildServer.js"
import { pouchdbPerFile } from "../support/pouchdbPerFile.js"
import { freshDatabasePrefix } from "../support/pouchdbServer.js"
import { type ServerProcess, startServerProcess, timed } from "../support/ServerProcess.js"

// Generous: the machine is shared and busy, and a cluster starts three node processes.
const START_MS = 120_000

interface Answer {
  readonly status: number
  /** The pid in x-docport-worker: which worker answered. */
  readonly worker: number
  readonly body: any
}

// A connection of its own for every request (no keep-alive agent): the cluster hands each new
// connection to the next worker, so consecutive requests reach different workers.
const send = (port: number, method: string, path: string, body?: unknown) =>
  new Promise<Answer>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method,
      path,
      agent: false,
      headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
    }, (res) => {
      let text = ""
      res.on("data", (chunk) => (text += chunk))
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          worker: Number(res.headers["x-docport-worker"]),
          body: text === "" ? undefined : String(res.headers["content-type"]).includes("json") ? JSON.parse(text) : text
        }))
    })
    req.on("error", reject)
    req.end(payload)
  })

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
}

/** Whether any process is left in the group the server process leads (cluster workers inherit it). */
const groupAlive = (leader: number) => alive(-leader)

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const pouchdb = pouchdbPerFile(START_MS)
const couchEnv = pouchdb.env

/**
 * The test on a cluster of 2 workers, serving. Whatever the test leaves running (it failed before
 * its stop) is killed with the whole process group, workers included.
 */
const onCluster = async (env: Record<string, string>, test: (run: ServerProcess, port: number) => Promise<void>) => {
  const port = await Effect.runPromise(freePort)
  const run = startServerProcess("node", { ...env, WORKERS: "2", PORT: String(port) })
  try {
    await run.waitFor("2 workers serving", START_MS)
    await test(run, port)
  } finally {
    if (groupAlive(run.child.pid!)) run.signalGroup("SIGKILL")
  }
}

/** Requests on fresh connections until one is answered by a worker `accept`s, at most `tries`. */
const untilWorker = async (next: () => Promise<Answer>, accept: (pid: number) => boolean, tries = 20) => {
  for (let i = 0; i < tries; i++) {
    const answer = await next()
    if (accept(answer.worker)) return answer
  }
  throw new Error(`no answer from the wanted worker in ${tries} requests`)
}

describe.concurrent("WORKERS: docport on every core with node:cluster", () => {
  it.live("WORKERS=2 on couchdb: two worker processes answer, each scrape of /metrics counts both, each sees the other's writes, each flushes its data-store access counts at SIGTERM, and all exit 0", () =>
    Effect.promise(async () => {
      const prefix = freshDatabasePrefix()
      // Counts are written only at shutdown, so what the database holds afterwards is what each worker flushed then.
      await onCluster({ ...couchEnv(prefix), DATA_STORE_FLUSH_DELAY: "1 hour" }, async (run, port) => {
        const primary = run.child.pid!

        const health = await Promise.all(Array.from({ length: 8 }, () => send(port, "GET", "/health")))
        expect(health.map((a) => a.status)).toEqual(Array(8).fill(200))
        const workers = [...new Set(health.map((a) => a.worker))]
        expect(workers).toHaveLength(2)
        for (const pid of workers) expect(parentOf(pid)).toBe(primary)
        expect(workers).not.toContain(primary)

        // /metrics answers for the whole cluster, whichever worker a scrape reaches: each worker's
        // series labelled with its slot, and between them every request counted once.
        const healthCount = (text: string, slot: number) =>
          Number(new RegExp(`^docport_http_request_duration_seconds_count\\{method="GET",route="/health",status="200",worker="${slot}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0)
        const firstScrape = await send(port, "GET", "/metrics")
        const secondScrape = await untilWorker(() => send(port, "GET", "/metrics"), (pid) => pid !== firstScrape.worker)
        for (const scrape of [firstScrape, secondScrape]) {
          expect(scrape.status).toBe(200)
          expect(scrape.body.match(/^# TYPE docport_http_request_duration_seconds histogram$/gm)).toHaveLength(1)
          expect(healthCount(scrape.body, 1)).toBeGreaterThan(0)
          expect(healthCount(scrape.body, 2)).toBeGreaterThan(0)
          expect(healthCount(scrape.body, 1) + healthCount(scrape.body, 2)).toBe(8)
        }
        // Scrapes at once share the primary's gathering: every one of them still gets both workers.
        const together = await Promise.all(Array.from({ length: 12 }, () => send(port, "GET", "/metrics")))
        expect(new Set(together.map((a) => a.worker)).size).toBe(2)
        for (const scrape of together) expect(healthCount(scrape.body, 1) + healthCount(scrape.body, 2)).toBe(8)

        const created = await send(port, "POST", "/agents", { name: "Shared", description: "d", code: "print(1)" })
        expect(created.status).toBe(201)
        const read = await untilWorker(() => send(port, "GET", `/agents/${created.body._id}`), (pid) => pid !== created.worker)
        expect(read.status).toBe(200)
        expect(read.body).toEqual(created.body)

        const record = { namespace: "cluster", key: "k" }
        expect((await send(port, "POST", "/data-store/ops/set", { ...record, value: 1, agent: "writer" })).status).toBe(200)
        const reads = await Promise.all(Array.from({ length: 10 }, () => send(port, "POST", "/data-store/ops/get", { ...record, agent: "reader" })))
        expect(reads.map((a) => a.status)).toEqual(Array(10).fill(200))
        expect(new Set(reads.map((a) => a.worker)).size).toBe(2)

        run.signalGroup("SIGTERM")
        const [code, ms] = await timed(run.exit)
        expect(code).toBe(0)
        expect(ms).toBeLessThan(20_000)
        for (const pid of workers) expect(alive(pid)).toBe(false)
        expect(groupAlive(primary)).toBe(false)
        expect(run.output()).toMatch(/message="docport stopped"[^\n]*worker=1/)
        expect(run.output()).toMatch(/message="docport stopped"[^\n]*worker=2/)
        expect(run.output()).toContain("docport stopped: every worker has exited")
      })

      const stored = await Effect.runPromise(Effect.scoped(Effect.flatMap(
        CouchDbDatabase.make({ url: pouchdb.server().url, username: pouchdb.server().username, password: Redacted.make(pouchdb.server().password), databasePrefix: prefix }),
        (db) => Effect.all([db.listAll(DATA_STORE), db.listAll(DATA_STORE_ACCESS)])
      )))
      // The record, and its access statistics apart from it (AccessStats.ts).
      expect(stored[0]).toHaveLength(1)
      expect(stored[1]).toHaveLength(1)
      expect(stored[1][0]).toMatchObject({ _id: stored[0][0]!._id, accessCount: 10, lastAccessedByAgent: "reader" })
    }), START_MS + 60_000)

  it.live("a worker killed with SIGKILL is replaced, and the server keeps answering meanwhile, /metrics too", () =>
    Effect.promise(async () => {
      await onCluster(couchEnv(freshDatabasePrefix()), async (run, port) => {
        const victim = (await send(port, "GET", "/health")).worker
        const survivor = (await untilWorker(() => send(port, "GET", "/health"), (pid) => pid !== victim)).worker
        process.kill(victim, "SIGKILL")
        await run.waitFor(`(pid ${victim}) was killed by SIGKILL`, 30_000)
        // Before the replacement serves, the other worker takes every connection.
        const meanwhile = await Promise.all(Array.from({ length: 6 }, () => send(port, "GET", "/health")))
        expect(meanwhile.map((a) => a.status)).toEqual(Array(6).fill(200))
        expect(meanwhile.map((a) => a.worker)).not.toContain(victim)
        // A scrape still answers, with the survivor's series alone.
        const slotsIn = (text: string) => new Set([...text.matchAll(/worker="(\d+)"/g)].map((m) => m[1]))
        const scrapeMeanwhile = await send(port, "GET", "/metrics")
        expect(scrapeMeanwhile.status).toBe(200)
        expect(slotsIn(scrapeMeanwhile.body).size).toBe(1)

        await run.waitFor("replaced: pid", START_MS)
        const replacement = Number(/replaced: pid (\d+)/.exec(run.output())![1])
        expect(parentOf(replacement)).toBe(run.child.pid)
        const after = await Promise.all(Array.from({ length: 8 }, () => send(port, "GET", "/health")))
        expect(after.map((a) => a.status)).toEqual(Array(8).fill(200))
        expect(new Set(after.map((a) => a.worker))).toEqual(new Set([survivor, replacement]))
        expect(slotsIn((await send(port, "GET", "/metrics")).body)).toEqual(new Set(["1", "2"]))

        // The primary alone, as Docker signals its main process: the primary stops the workers.
        run.child.kill("SIGTERM")
        expect(await run.exit).toBe(0)
        for (const slot of [1, 2]) expect(run.output()).toMatch(new RegExp(`message="docport stopped"[^\\n]*worker=${slot}`))
        expect(alive(replacement)).toBe(false)
        expect(alive(survivor)).toBe(false)
        expect(groupAlive(run.child.pid!)).toBe(false)
      })
    }), START_MS * 2 + 60_000)

  it.live("WORKERS=2 on memory stops start-up with exit 1 and says why", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { DATABASE_PROVIDER: "memory", WORKERS: "2" })
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toContain("docport could not start: WORKERS=2 cannot be used with DATABASE_PROVIDER=memory")
    }), START_MS)

  it.live("WORKERS=abc stops start-up with exit 1 naming the variable and the value", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { WORKERS: "abc" })
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toMatch(/docport could not start: .*WORKERS.*auto.*"abc"/)
    }), START_MS)

  it.live("a worker that cannot start fails the whole start with exit 1, and the primary leaves no worker behind", () =>
    Effect.promise(async () => {
      const run = startServerProcess("node", { ...couchEnv(freshDatabasePrefix()), COUCHDB_PASSWORD: "wrong", WORKERS: "2" })
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toContain("authentication failed")
      expect(run.stderr()).toMatch(/docport could not start: worker \d exited with code 1 before it was serving/)
      expect(groupAlive(run.child.pid!)).toBe(false)
    }), START_MS)
})

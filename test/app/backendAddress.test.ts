import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { freePort, stopChildServer } from "../support/ChildServer.js"
import { startPouchdbServer } from "../support/pouchdbServer.js"
import { startServerProcess } from "../support/ServerProcess.js"

// Generous: a docport process and a pouchdb-server start on a shared, busy machine.
const START_MS = 90_000

const couchEnv = (url: string, username: string, password: string) => ({
  DATABASE_PROVIDER: "couchdb",
  COUCHDB_URL: url,
  COUCHDB_USER: username,
  COUCHDB_PASSWORD: password,
  LOG_LEVEL: "debug"
})

describe("where the database lives, in docport's own output", () => {
  it.live("a CouchDB that dies under a running docport: 503s, and the log names COUCHDB_URL, never its address or user", () =>
    Effect.gen(function*() {
      const couch = yield* startPouchdbServer()
      const port = yield* freePort
      const run = startServerProcess("node", { ...couchEnv(couch.url, couch.username, couch.password), PORT: String(port) })
      yield* Effect.addFinalizer(() => Effect.promise(async () => {
        if (run.child.exitCode === null) run.signalGroup("SIGKILL")
        await run.exit
      }))
      yield* Effect.promise(() => run.waitFor("Listening on", START_MS))
      yield* stopChildServer(couch.server)
      const statuses = yield* Effect.promise(() =>
        Promise.all([
          fetch(`http://127.0.0.1:${port}/agents`),
          fetch(`http://127.0.0.1:${port}/agents`, { method: "POST", headers: { "content-type": "application/json" }, body: "{\"name\":\"a\",\"description\":\"d\",\"code\":\"c\"}" }),
          fetch(`http://127.0.0.1:${port}/health`)
        ].map(async (answer) => (await answer).status))
      )
      expect(statuses).toEqual([503, 503, 503])
      yield* Effect.promise(() => run.waitFor("could not be reached"))
      expect(run.output()).toContain("CouchDB (COUCHDB_URL) could not be reached")
      expect(run.output()).not.toContain(`:${couch.port}`)
      expect(run.output()).not.toContain(couch.username)
      expect(run.output()).not.toContain(couch.password)
    }).pipe(Effect.scoped), START_MS)

  it.live("a CouchDB nobody listens on stops start-up on one line naming COUCHDB_URL, not the URL", () =>
    Effect.promise(async () => {
      const dead = await Effect.runPromise(freePort)
      const run = startServerProcess("node", couchEnv(`http://127.0.0.1:${dead}`, "someone", "a password"))
      expect(await run.exit).toBe(1)
      expect(run.stderr()).toContain("docport could not start: cannot start the couchdb backend: CouchDB (COUCHDB_URL) could not be reached")
      expect(run.output()).not.toContain(String(dead))
    }), START_MS)
})

import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Redacted } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { freePort } from "../support/ChildServer.js"
import { freezeServer, startPouchdbServer, TEST_ADMIN } from "../support/pouchdbServer.js"

const SECRET = "s3cret-not-to-be-logged"

const withConfig = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

const startupError = (options: CouchDbDatabase.CouchDbOptions) =>
  Effect.map(Effect.timed(Effect.flip(Effect.scoped(CouchDbDatabase.make(options)))), ([elapsed, error]) => ({
    ms: Duration.toMillis(elapsed),
    error
  }))

describe("CouchDB start-up", () => {
  it.live("a server nobody listens on stops start-up with a DatabaseError naming COUCHDB_URL, never the URL, its port or the password", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const url = `http://127.0.0.1:${port}`
      const { error, ms } = yield* startupError({ url, username: "admin", password: Redacted.make(SECRET) })
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(error.message).toContain("COUCHDB_URL")
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain("127.0.0.1")
      expect(error.message).not.toContain(String(port))
      expect(error.message).not.toContain(SECRET)
      expect(ms).toBeLessThan(5_000)
      // Credentials written into the URL itself are not shown either.
      const inUrl = yield* startupError({
        url: `http://admin:${SECRET}@127.0.0.1:${port}/`,
        username: "admin",
        password: Redacted.make(SECRET)
      })
      expect(inUrl.error.message).toContain("COUCHDB_URL")
      expect(inUrl.error.message).not.toContain(String(port))
      expect(inUrl.error.message).not.toContain(SECRET)
      expect(JSON.stringify(inUrl.error)).not.toContain(SECRET)
    }))

  it.live("a wrong password stops start-up saying authentication failed; the right one works until it is changed", () =>
    Effect.gen(function*() {
      const pouchdb = yield* startPouchdbServer()
      const { error } = yield* startupError({ url: pouchdb.url, username: TEST_ADMIN, password: Redacted.make(SECRET) })
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: false })
      expect(error.message).toContain("authentication failed")
      expect(error.message).toContain("COUCHDB_URL")
      expect(error.message).not.toContain(String(pouchdb.port))
      expect(error.message).not.toContain(TEST_ADMIN)
      expect(error.message).not.toContain(SECRET)
      expect(error.message).not.toContain(pouchdb.password)
      const unknownUser = yield* startupError({ url: pouchdb.url, username: "nobody", password: Redacted.make(pouchdb.password) })
      expect(unknownUser.error.message).toContain("authentication failed")

      const db = yield* CouchDbDatabase.make({ url: pouchdb.url, username: TEST_ADMIN, password: Redacted.make(pouchdb.password) })
      yield* db.ping
      expect(db.provider).toBe("couchdb")
      yield* db.save("creds", "a", { n: 1 })

      // The password changes under a running service: its requests fail as authentication errors.
      const changed = yield* Effect.promise(() =>
        fetch(`${pouchdb.url}/_config/admins/${TEST_ADMIN}`, {
          method: "PUT",
          headers: {
            authorization: `Basic ${Buffer.from(`${TEST_ADMIN}:${pouchdb.password}`).toString("base64")}`,
            "content-type": "application/json"
          },
          body: JSON.stringify(SECRET)
        }).then((res) => res.status)
      )
      expect(changed).toBe(200)
      for (const failed of [yield* Effect.flip(db.get("creds", "a")), yield* Effect.flip(db.ping)]) {
        expect(failed).toMatchObject({ _tag: "DatabaseError", unavailable: false })
        expect(failed.message).toContain("authentication failed")
        expect(failed.message).not.toContain(pouchdb.password)
      }
    }).pipe(Effect.scoped))

  it.live("a server that accepts and never answers fails by the request timeout, or else the start-up timeout", () =>
    Effect.gen(function*() {
      const pouchdb = yield* startPouchdbServer()
      yield* freezeServer(pouchdb.server)
      const password = Redacted.make(pouchdb.password)
      const byRequest = yield* startupError({ url: pouchdb.url, username: TEST_ADMIN, password, requestTimeout: "300 millis" })
      expect(byRequest.error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(byRequest.error.message).toContain("COUCHDB_URL")
      expect(byRequest.error.message).not.toContain(String(pouchdb.port))
      expect(byRequest.error.message).toContain("did not answer within")
      expect(byRequest.ms).toBeLessThan(3_000)

      const byStartup = yield* startupError({
        url: pouchdb.url,
        username: TEST_ADMIN,
        password,
        requestTimeout: "1 minute",
        startupTimeout: "500 millis"
      })
      expect(byStartup.error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(byStartup.error.message).toContain("did not answer within")
      expect(byStartup.ms).toBeLessThan(3_000)
    }).pipe(Effect.scoped))

  it.live("a URL that is not http(s), or a bad database prefix, stops start-up before any request", () =>
    Effect.gen(function*() {
      const password = Redacted.make(SECRET)
      for (const url of ["not a url", "ftp://127.0.0.1:5984", `couch://admin:${SECRET}@host`]) {
        const { error } = yield* startupError({ url, username: "admin", password })
        expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup" })
        expect(error.message).toContain("COUCHDB_URL")
        expect(error.message).not.toContain(SECRET)
      }
      const { error } = yield* startupError({ url: "http://127.0.0.1:9", username: "admin", password, databasePrefix: "Bad/" })
      expect(error.message).toContain("COUCHDB_DATABASE_PREFIX")
    }))

  it.live("layerConfig names the variable that is missing or wrong", () =>
    Effect.gen(function*() {
      const build = (entries: Record<string, string>) =>
        Effect.flip(Layer.build(CouchDbDatabase.layerConfig).pipe(Effect.scoped, Effect.provide(withConfig(entries))))
      expect(String(yield* build({ COUCHDB_USER: "u", COUCHDB_PASSWORD: SECRET }))).toContain("COUCHDB_URL")
      expect(String(yield* build({ COUCHDB_URL: "http://127.0.0.1:9", COUCHDB_PASSWORD: SECRET }))).toContain("COUCHDB_USER")
      expect(String(yield* build({ COUCHDB_URL: "http://127.0.0.1:9", COUCHDB_USER: "u" }))).toContain("COUCHDB_PASSWORD")
      const badPrefix = yield* build({
        COUCHDB_URL: "http://127.0.0.1:9",
        COUCHDB_USER: "u",
        COUCHDB_PASSWORD: SECRET,
        COUCHDB_DATABASE_PREFIX: "Prod/"
      })
      expect(String(badPrefix)).toContain("COUCHDB_DATABASE_PREFIX")
      expect(String(yield* build({ COUCHDB_URL: "localhost:5984", COUCHDB_USER: "u", COUCHDB_PASSWORD: SECRET }))).toContain("COUCHDB_URL")
    }))

  it.live("DATABASE_PROVIDER=couchdb serves from the COUCHDB_* variables", () =>
    Effect.gen(function*() {
      const pouchdb = yield* startPouchdbServer()
      const config = withConfig({
        DATABASE_PROVIDER: "couchdb",
        COUCHDB_URL: pouchdb.url,
        COUCHDB_USER: pouchdb.username,
        COUCHDB_PASSWORD: pouchdb.password
      })
      yield* Effect.gen(function*() {
        const db = yield* DatabaseService
        expect(db.provider).toBe("couchdb")
        const { rev } = yield* db.save("agents", "a1", { name: "n" })
        expect(yield* db.get("agents", "a1")).toEqual({ _id: "a1", _rev: rev, name: "n" })
      }).pipe(Effect.provide(layerFromConfig), Effect.provide(config))
    }).pipe(Effect.scoped))
})

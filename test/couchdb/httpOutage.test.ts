import { describe } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { httpOutage } from "../contract/HttpOutage.js"
import { startPouchdbServer, TEST_ADMIN } from "../support/pouchdbServer.js"

describe("CouchDB outage over HTTP", () => {
  httpOutage(
    "couchdb",
    Effect.map(startPouchdbServer(), (pouchdb) => ({
      server: pouchdb.server,
      restart: startPouchdbServer({ port: pouchdb.port, password: pouchdb.password }),
      layer: CouchDbDatabase.layer({ url: pouchdb.url, username: TEST_ADMIN, password: Redacted.make(pouchdb.password) })
    }))
  )
})

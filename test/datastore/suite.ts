import { layer } from "@effect/vitest"
import { Layer } from "effect"
import * as DataStore from "../../src/domain/DataStore.js"
import type { DatabaseService } from "../../src/ports/DatabaseService.js"
import { testServer } from "../support/TestServer.js"
import { accessCases } from "./DataStoreAccess.js"
import { domainCases } from "./DataStoreDomain.js"
import { httpCases } from "./DataStoreHttp.js"
import { headerUser } from "./testUser.js"

/**
 * The data store on one backend: the domain service (access counts flushed only when a test asks,
 * or at the scope's end) and the real server on a socket (flushing after 200 ms), over one database.
 */
export const dataStoreSuite = <E>(name: string, database: Layer.Layer<DatabaseService, E>, timeout = 120_000) =>
  layer(
    Layer.mergeAll(
      testServer(database, { dataStoreUser: headerUser, dataStore: DataStore.layerWith({ delay: "200 millis" }) }),
      DataStore.layerWith({ delay: "1 hour" }).pipe(Layer.provide(database)),
      database
    ),
    { timeout: "120 seconds", excludeTestServices: true }
  )(`Data store: ${name}`, (it) => {
    domainCases(it, timeout)
    accessCases(it, timeout)
    httpCases(it, timeout)
  })

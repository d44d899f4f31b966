import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { httpContract } from "../http/HttpContract.js"
import { testServer } from "../support/TestServer.js"
import { gofannonDocumentSuite } from "./GofannonDocuments.js"
import { gofannonLists } from "./GofannonLists.js"
import type { GofannonStore } from "./GofannonStores.js"
import { gofannonUi } from "./GofannonUi.js"

/**
 * On one backend, against the real server: docport's HTTP contract, Gofannon's UI sequences and
 * Gofannon's own documents, all on one test server (pouchdb-server, dynalite, the emulator).
 */
export const backendSuite = <E>(name: string, stores: Layer.Layer<DatabaseService | GofannonStore, E>, timeout = 60_000) => {
  const server = Layer.unwrapEffect(Effect.map(DatabaseService, (db) => testServer(Layer.succeed(DatabaseService, db))))
  return httpContract(name, Layer.merge(server, FetchHttpClient.layer).pipe(Layer.provideMerge(stores)), timeout, (it) => {
    gofannonUi(it, timeout)
    gofannonDocumentSuite(it, timeout)
    gofannonLists(it, timeout)
  })
}

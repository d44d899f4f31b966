import { layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { testServer } from "../support/TestServer.js"
import { gofannonDocumentSuite } from "./GofannonDocuments.js"
import type { GofannonStore } from "./GofannonStores.js"
import { gofannonUi } from "./GofannonUi.js"

/**
 * Gofannon's UI sequences and Gofannon's own documents, against the real server on one backend:
 * one test server (pouchdb-server, dynalite, the emulator) shared by both, written once for all backends.
 */
export const uiSuite = <E>(name: string, stores: Layer.Layer<DatabaseService | GofannonStore, E>, timeout = 60_000) => {
  const server = Layer.unwrapEffect(Effect.map(DatabaseService, (db) => testServer(Layer.succeed(DatabaseService, db))))
  return layer(Layer.provideMerge(server, stores), { timeout: "180 seconds", excludeTestServices: true })(
    `Gofannon's web UI against docport: ${name}`,
    (it) => {
      gofannonUi(it, timeout)
      gofannonDocumentSuite(it, timeout)
    }
  )
}

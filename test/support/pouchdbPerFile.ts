import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { type PouchdbServer, startPouchdbServer } from "./pouchdbServer.js"

/**
 * One pouchdb-server for the test file that calls this, started before its tests and stopped
 * after them; `env(prefix)` is what a docport process needs to use it with its own databases.
 */
export const pouchdbPerFile = (startMs: number) => {
  let server: PouchdbServer | undefined
  const scope = Effect.runSync(Scope.make())
  beforeAll(async () => {
    server = await Effect.runPromise(Scope.extend(startPouchdbServer(), scope))
  }, startMs)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  const current = (): PouchdbServer => {
    if (server === undefined) throw new Error("pouchdb-server is not started yet (used outside a test?)")
    return server
  }
  return {
    server: current,
    env: (prefix: string) => ({
      DATABASE_PROVIDER: "couchdb",
      COUCHDB_URL: current().url,
      COUCHDB_USER: current().username,
      COUCHDB_PASSWORD: current().password,
      COUCHDB_DATABASE_PREFIX: prefix
    })
  }
}

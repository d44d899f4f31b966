import { Effect } from "effect"
import type { BackendName } from "../options.js"
import type { BenchBackend } from "./Backend.js"
import { couchdb } from "./couchdb.js"
import { dynamodb } from "./dynamodb.js"
import { memory } from "./memory.js"

/** The bench's starter of a backend. The Firestore one is loaded only when asked for: it needs Java and Google's emulator. */
export const backendNamed = (name: BackendName): Effect.Effect<BenchBackend, Error> => {
  switch (name) {
    case "memory":
      return Effect.succeed(memory)
    case "couchdb":
      return Effect.succeed(couchdb)
    case "dynamodb":
      return Effect.succeed(dynamodb)
    case "firestore":
      return Effect.tryPromise({
        try: async () => (await import("./firestore.js")).firestore,
        catch: (cause) => new Error(`cannot load the Firestore starter: ${String(cause).split("\n")[0]}`)
      })
  }
}

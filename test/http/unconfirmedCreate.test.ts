import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { raw, testServer } from "../support/TestServer.js"

// A backend that stores a create and then loses its answer, as a stopped DynamoDB did: the
// request timed out (503), and once it resumed the agent was stored all the same.
const lostAnswers = Layer.effect(
  DatabaseService,
  Effect.map(MemoryDatabase.make, (memory) => ({
    ...memory,
    save: (collection: string, id: string, doc: Parameters<typeof memory.save>[2], options?: Parameters<typeof memory.save>[3]) =>
      options?.mode === "create" && collection === "agents"
        ? Effect.zipRight(
          memory.save(collection, id, doc, options),
          Effect.fail(new DatabaseError({ operation: "save", message: "did not answer within 2s", unavailable: true }))
        )
        : memory.save(collection, id, doc, options)
  }))
)

layer(testServer(lostAnswers), { excludeTestServices: true })("a create whose answer is lost", (it) => {
  it.effect("is a 503 naming where the agent may be, so that a client can look before creating a second", () =>
    Effect.gen(function*() {
      const res = yield* raw("POST", "/agents", { name: "x", description: "d", code: "c" })
      expect(res.status).toBe(503)
      expect(res.body._tag).toBe("DatabaseUnavailable")
      const path = /GET (\/agents\/[0-9a-f-]{36})/.exec(res.body.detail)?.[1]
      expect(path).toBeDefined()
      const stored = yield* raw("GET", path!)
      expect(stored.status).toBe(200)
      expect(stored.body.name).toBe("x")
      // An update's 503 names nothing of the kind: its id is the client's own.
      expect((yield* raw("PUT", path!, { name: "y" })).status).toBe(200)
    }))
})

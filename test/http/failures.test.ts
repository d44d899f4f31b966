import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Logger, Stream } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { raw, testServer } from "../support/TestServer.js"

const SECRET = "hunter2-secret"

// The port double stands for a backend in trouble: reads fail as "unreachable",
// writes as an internal failure whose cause carries something that must never reach a client.
const troubled = Layer.effect(
  DatabaseService,
  Effect.map(MemoryDatabase.make, (memory) => ({
    ...memory,
    provider: "troubled",
    ping: Effect.fail(new DatabaseError({ operation: "ping", message: "connection refused", unavailable: true })),
    listAll: () => Effect.fail(new DatabaseError({ operation: "listAll", message: "connection refused", unavailable: true })),
    stream: () => Stream.fail(new DatabaseError({ operation: "page", message: "connection refused", unavailable: true })),
    pages: () => Effect.fail(new DatabaseError({ operation: "page", message: "connection refused", unavailable: true })),
    // A bug, not a failure: it must still be a JSON 500 that says nothing of it.
    get: () => Effect.die(new Error(`a bug near http://admin:${SECRET}@127.0.0.1:5984`)),
    save: () =>
      Effect.fail(
        new DatabaseError({
          operation: "save",
          message: "write rejected",
          cause: Object.assign(new Error(`POST http://admin:${SECRET}@127.0.0.1:5984/agents failed`), {
            headers: { authorization: `Basic ${SECRET}` }
          })
        })
      )
  }))
)

const logged: Array<string> = []
const captureLogs = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => logged.push(JSON.stringify(message)))
)

layer(Layer.provide(testServer(troubled), captureLogs), { excludeTestServices: true })("HTTP over a failing database", (it) => {
  it.effect("GET /health is 503 and says which database does not answer", () =>
    Effect.gen(function*() {
      const res = yield* raw("GET", "/health")
      expect(res.status).toBe(503)
      expect(res.body).toMatchObject({ status: "unhealthy", database: { provider: "troubled", ok: false } })
      expect(typeof res.body.message).toBe("string")
    }))

  it.effect("an unreachable database is a 503, a failing one a 500, and neither leaks the cause", () =>
    Effect.gen(function*() {
      const list = yield* raw("GET", "/agents")
      expect(list.status).toBe(503)
      expect(list.body._tag).toBe("DatabaseUnavailable")
      const create = yield* raw("POST", "/agents", { name: "x", description: "d", code: "c" })
      expect(create.status).toBe(500)
      expect(create.body._tag).toBe("DatabaseError")
      expect(create.text).not.toContain(SECRET)
      expect(create.text).not.toContain("password")
      // the backend's own message stays in the log: it can name hosts and tables
      expect(create.text).not.toContain("write rejected")
      expect(list.text).not.toContain("connection refused")
      expect(logged.some((line) => line.includes("write rejected"))).toBe(true)
      // ...but not where the backend lives: the URL in the cause is cut out with its credentials.
      expect(logged.some((line) => line.includes("POST <url> failed"))).toBe(true)
      expect(logged.join("\n")).not.toContain("127.0.0.1:5984")
      expect(logged.join("\n")).not.toContain(SECRET)
      expect(create.body.message).toBe("the database failed during 'save'")
      expect(list.body.message).toBe("the database is unavailable: 'page' could not be done, try again later")
      expect(create.text).not.toContain("write rejected")
    }))

  it.effect("a defect is a JSON 500 that names nothing of it; the log gets it without the secret", () =>
    Effect.gen(function*() {
      const res = yield* raw("GET", "/agents/some-id")
      expect(res.status).toBe(500)
      expect(res.body).toEqual({ _tag: "InternalError", message: "the request failed unexpectedly", detail: "the request failed unexpectedly" })
      expect(logged.some((line) => line.includes("a bug near"))).toBe(true)
      expect(logged.join("\n")).not.toContain(SECRET)
      expect(logged.join("\n")).not.toContain("127.0.0.1:5984")
    }))
})

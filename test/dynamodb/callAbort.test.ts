import { describe, expect, it } from "@effect/vitest"
import { Deferred, type Duration, Effect, Fiber } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DUMMY_CREDENTIALS, serveLocally } from "../support/dynalite.js"

/**
 * A DynamoDB that answers the start-up probe and holds every other request without answering.
 * `held` completes when a held request arrives, `dropped` when the client closes its connection.
 */
const holdingServer = Effect.gen(function*() {
  const held = yield* Deferred.make<void>()
  const dropped = yield* Deferred.make<void>()
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    if (String(request.headers["x-amz-target"]).endsWith(".ListTables")) {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" })
      response.end(JSON.stringify({ TableNames: [] }))
      return
    }
    request.socket.once("close", () => Deferred.unsafeDone(dropped, Effect.void))
    request.resume()
    Deferred.unsafeDone(held, Effect.void)
  }
  const { endpoint } = yield* serveLocally(handler)
  return { endpoint, held, dropped }
})

// The SDK's own per-attempt timeout is far away, so only the adapter's abort can end the request.
const adapterOn = (endpoint: string, operationTimeout: Duration.DurationInput) =>
  DynamoDbDatabase.make({
    endpoint,
    credentials: DUMMY_CREDENTIALS,
    maxAttempts: 1,
    requestTimeout: "1 minute",
    operationTimeout
  })

const closedWithin = (server: { readonly dropped: Deferred.Deferred<void> }) =>
  Deferred.await(server.dropped).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "the request stayed open" }))

describe("DynamoDB calls end on the wire too", () => {
  it.live("a call past its operation timeout fails as unavailable and closes its request", () =>
    Effect.gen(function*() {
      const server = yield* holdingServer
      const db = yield* adapterOn(server.endpoint, "300 millis")
      const error = yield* Effect.flip(db.get("agents", "a-1"))
      expect(error).toMatchObject({ _tag: "DatabaseError", unavailable: true })
      expect(error.message).toContain("did not answer within")
      yield* closedWithin(server)
    }).pipe(Effect.scoped))

  it.live("an interrupted call closes its request", () =>
    Effect.gen(function*() {
      const server = yield* holdingServer
      // No timer of the adapter's or the SDK's could end it in the test's time: only the interruption.
      const db = yield* adapterOn(server.endpoint, "1 minute")
      const fiber = yield* Effect.fork(db.get("agents", "a-1"))
      yield* Deferred.await(server.held)
      yield* Fiber.interrupt(fiber)
      yield* closedWithin(server)
    }).pipe(Effect.scoped))
})

import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { subscribe, unsubscribe } from "node:diagnostics_channel"
import { warmUp } from "../../src/app/warmup/Warmup.js"

// Node publishes every node:http request of an isolate on these channels, client and server side.
const CLIENT_STARTS = "http.client.request.start"
const SERVER_STARTS = "http.server.request.start"

describe("the start-up warm-up's client", () => {
  it.live("sends its requests from an isolate of its own: the server's isolate sees them arrive and sends none", () =>
    Effect.gen(function*() {
      let sent = 0
      let received = 0
      const onSent = () => void sent++
      const onReceived = () => void received++
      subscribe(CLIENT_STARTS, onSent)
      subscribe(SERVER_STARTS, onReceived)
      yield* warmUp({ budget: Duration.seconds(10), maxRequests: 64, concurrency: 2 }).pipe(
        Effect.ensuring(Effect.sync(() => {
          unsubscribe(CLIENT_STARTS, onSent)
          unsubscribe(SERVER_STARTS, onReceived)
        }))
      )
      // The private instance answered here, so these channels do see this isolate's requests.
      expect(received).toBeGreaterThanOrEqual(64)
      expect(sent).toBe(0)
    }), 60_000)
})

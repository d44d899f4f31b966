import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { openConnection } from "../support/rawHttp.js"
import { withServingProcess } from "../support/ServerProcess.js"

const START_MS = 90_000

// Node answers pipelined requests in order and holds each response until the one before it has
// ended. A held response is given no socket, so it never hears that its connection closed, and a
// streamed list held that way waited for a 'drain' that never came: with a client that pipelines
// long lists and hangs up, each connection left its requests in flight for good, about 1.4 MB
// apiece, until the heap ran out (found by a hostile-input probe, 5 December).
describe("responses held behind a pipelined one", () => {
  it.live("end with their connection: requests in flight fall back to none", () =>
    Effect.promise(() =>
      withServingProcess({}, async (port) => {
        const base = `http://127.0.0.1:${port}`
        // Streamed, not one body, and more than the socket takes: three pages of 100 agents, about 6 MB.
        for (let i = 0; i < 300; i++) {
          const res = await fetch(`${base}/agents`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: `Agent ${i}`, description: "d", code: "x = 1\n".repeat(3_500) })
          })
          expect(res.status).toBe(201)
        }
        const inFlight = async () => {
          const text = await (await fetch(`${base}/metrics`)).text()
          // The scrape itself is a request in flight.
          return Number(/^docport_http_requests_in_flight(?:\{[^}]*\})? (\d+)$/m.exec(text)![1]) - 1
        }
        for (let connection = 0; connection < 5; connection++) {
          const socket = await openConnection(port)
          socket.on("error", () => {})
          // Never read: the first answer fills the socket, the next three are held behind it.
          socket.pause()
          socket.write("GET /agents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(4))
          await new Promise((resolve) => setTimeout(resolve, 300))
          socket.destroy()
        }
        let left = await inFlight()
        for (let tries = 0; left > 0 && tries < 40; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          left = await inFlight()
        }
        expect(left).toBe(0)
        // And the server still answers.
        expect((await fetch(`${base}/agents/absent`)).status).toBe(404)
      }, START_MS)), START_MS)
})

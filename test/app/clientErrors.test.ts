import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { openConnection } from "../support/rawHttp.js"
import { withServingProcess } from "../support/ServerProcess.js"

const START_MS = 90_000

/** Everything the server writes on a connection after `request`, until it closes it. */
const answerTo = async (port: number, request: string) => {
  const socket = await openConnection(port)
  let text = ""
  socket.on("data", (chunk) => (text += chunk.toString("utf8")))
  await new Promise<void>((resolve) => {
    socket.once("close", () => resolve())
    socket.on("error", () => resolve())
    socket.write(request)
  })
  const [head, body] = [text.slice(0, text.indexOf("\r\n\r\n")), text.slice(text.indexOf("\r\n\r\n") + 4)]
  return { status: Number(head.split(" ")[1]), head: head.toLowerCase(), body }
}

// Requests Node's parser refuses never reach the application; Node's own answers to them had no
// body, where every other error of docport's is JSON with `_tag`, `message` and `detail`.
describe("requests Node cannot parse", () => {
  it.live("get docport's JSON error, and the connection closes", () =>
    Effect.promise(() =>
      withServingProcess({}, async (port) => {
        const long = await answerTo(port, `GET /agents/${"a".repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
        expect(long.status).toBe(431)
        expect(long.head).toContain("content-type: application/json")
        expect(JSON.parse(long.body)).toMatchObject({ _tag: "RequestHeadersTooLarge", detail: expect.stringContaining("16 KB") })
        expect(long.body).not.toContain("aaaa")
        const garbage = await answerTo(port, "HELLO THERE\r\n\r\n")
        expect(garbage.status).toBe(400)
        expect(JSON.parse(garbage.body)).toMatchObject({ _tag: "BadRequest", detail: expect.any(String) })
        // And the server still answers.
        expect((await fetch(`http://127.0.0.1:${port}/agents/absent`)).status).toBe(404)
      }, START_MS)), START_MS)
})

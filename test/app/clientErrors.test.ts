import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Socket } from "node:net"
import { nextAnswer, openConnection } from "../support/rawHttp.js"
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

/** The first bytes the server writes on `socket` after `head`. */
const firstWords = (socket: Socket, head: string) =>
  new Promise<string>((resolve) => {
    socket.once("data", (chunk) => resolve(chunk.toString("utf8")))
    socket.write(head)
  })

// A client sending `Expect: 100-continue` waits for 100 Continue before its body; Node sent it as
// soon as the head arrived, and the client uploaded bodies the answer then refused unread.
describe("Expect: 100-continue", () => {
  it.live("gets the refusal at once for a body that is refused on its head, and 100 Continue for one that is read", () =>
    Effect.promise(() =>
      withServingProcess({ WARMUP: "off" }, async (port) => {
        const head = (type: string, length: number) =>
          `POST /agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`
        for (const [type, length, status] of [["application/json", 2_000_000, 413], ["text/plain", 10, 415]] as const) {
          const socket = await openConnection(port)
          expect(await firstWords(socket, head(type, length))).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
          socket.destroy()
        }
        const body = JSON.stringify({ name: "Continued", description: "d", code: "c" })
        const socket = await openConnection(port)
        expect(await firstWords(socket, head("application/json", Buffer.byteLength(body)))).toBe("HTTP/1.1 100 Continue\r\n\r\n")
        const answered = nextAnswer(socket)
        socket.write(body)
        const answer = await answered
        expect(answer === "closed" || answer === "silent" ? answer : answer.status).toBe(201)
        socket.destroy()
      }, START_MS)), START_MS)
})

import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { raw, testServer } from "../support/TestServer.js"

const logged: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
const captureLogs = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ annotations, logLevel, message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    const fields: Record<string, unknown> = {}
    for (const [key, value] of annotations) fields[key] = value
    logged.push({ level: logLevel.label, message: text, annotations: fields })
  })
)

const agent = { name: "a", description: "d", code: "c" }
const MB = 1024 * 1024

layer(Layer.provide(testServer(MemoryDatabase.layer), captureLogs), { excludeTestServices: true, timeout: "120 seconds" })(
  "request bodies the UI can get wrong",
  (it) => {
    it.effect("a 422 names the field and the problem in one short line, never the value sent", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [unknown, string]> = [
          [{ ...agent, name: 42 }, "name must be a string"],
          [{ ...agent, name: "" }, "name must be a non-empty string"],
          [{ description: "d", code: "c" }, "name is required"],
          [{ ...agent, envVars: { REGION: "eu" } }, "envVars must be a list"],
          [{ ...agent, envVars: null }, "envVars must be a list"],
          [{ ...agent, tools: null }, "tools must be an object (a map of names to values)"],
          [{ ...agent, envVars: [{ key: "A", value: "1" }, { value: "2" }] }, "envVars[1].key is required"],
          [{ ...agent, tools: { "https://mcp": "search" } }, `tools["https://mcp"] must be a list`],
          [{ ...agent, friendlyName: 42 }, "friendlyName must be a string or null"],
          [[agent], "the request body must be an object"],
          ["a string", "the request body must be an object"]
        ]
        for (const [body, detail] of cases) {
          const res = yield* raw("POST", "/agents", body)
          expect(res.status, JSON.stringify(body)).toBe(422)
          expect(res.body).toEqual({ _tag: "ValidationError", message: detail, detail })
        }
      }))

    it.effect("a new agent over the document size limit is a 413 that names no id: the one it would have had was never given", () =>
      Effect.gen(function*() {
        const res = yield* raw("POST", "/agents", { ...agent, code: "x".repeat(300 * 1024) })
        expect(res.status).toBe(413)
        expect(res.body.detail).toMatch(/^cannot store the new document in 'agents': /)
        expect(res.body.detail).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
      }))

    it.effect("a large wrong value gets a short answer that does not quote it; a huge key is cut", () =>
      Effect.gen(function*() {
        // under any body limit: the 422 itself must be short
        const large = "x".repeat(MB / 2)
        const wrong = yield* raw("POST", "/agents", { ...agent, code: { text: large } })
        expect(wrong.status).toBe(422)
        expect(wrong.body.detail).toBe("code must be a string")
        expect(wrong.text.length).toBeLessThan(300)
        // 10 MB: refused as too large where a body limit is set, else a 422 as short as the one above
        const huge = yield* raw("POST", "/agents", { ...agent, code: { text: "x".repeat(10 * MB) } })
        expect([413, 422]).toContain(huge.status)
        expect(huge.text.length).toBeLessThan(300)
        const key = "k".repeat(MB / 4)
        const keyed = yield* raw("POST", "/agents", { ...agent, tools: { [key]: 1 } })
        expect(keyed.status).toBe(422)
        expect(keyed.text.length).toBeLessThan(500)
        expect(keyed.body.detail).toMatch(/^tools\["k{40}…"\] must be a list/)
        // two large fields, together still under the 1 MiB body limit
        const half = large.slice(0, MB / 4)
        const demo = yield* raw("PUT", "/demos/some-id", { name: half, selectedApis: [], userPrompt: half })
        expect(demo.status).toBe(422)
        expect(demo.text.length).toBeLessThan(500)
        expect(demo.text).not.toContain("xxxxxxxxxx")
      }))

    it.effect("POST /log/client writes one bounded structured line per event, at the event's level", () =>
      Effect.gen(function*() {
        logged.length = 0
        const res = yield* raw("POST", "/log/client", {
          eventType: "error\nforged=1",
          message: `boom ${"m".repeat(5000)}\nlevel=INFO message="forged"`,
          level: "ERROR",
          metadata: { page: "ViewAgent", stack: "s".repeat(100_000) }
        })
        expect(res.status).toBe(202)
        expect(res.body).toEqual({ status: "logged" })
        const lines = logged.filter((line) => line.annotations.source === "webui")
        expect(lines.length).toBe(1)
        const [line] = lines
        expect(line!.level).toBe("ERROR")
        expect(line!.message.startsWith("client event: boom")).toBe(true)
        expect(line!.message.length).toBeLessThan(1100)
        expect(line!.message).not.toContain("\n")
        expect(line!.annotations.eventType).toBe("error forged=1")
        expect(String(line!.annotations.metadata).length).toBeLessThan(2100)
        expect(String(line!.annotations.metadata)).toContain("ViewAgent")
        // Line breaks to other readers, and text that a terminal shows reordered, are spaces too.
        logged.length = 0
        const breaks = ["\u0085", "\u2028", "\u2029", "\u009b", "\u202e", "\u2066", "\u200e", "\u061c", "\u200b", "\ufeff"]
        yield* raw("POST", "/log/client", { eventType: `e${breaks.join("")}`, message: `a${breaks.join("x")}b`, metadata: { note: breaks.join("") } })
        const broken = logged.find((l) => l.annotations.source === "webui")!
        for (const text of [broken.message, String(broken.annotations.eventType), String(broken.annotations.metadata)]) {
          for (const c of breaks) expect(text.includes(c), JSON.stringify(text)).toBe(false)
        }
        expect(broken.message).toBe("client event: a x x x x x x x x x b")
        // A credential a page put in the metadata by mistake is never written; counts of tokens are.
        logged.length = 0
        const secrets = { password: "hunter2-pw", nested: { openaiApiKey: "sk-secret-1", accessToken: "tok-secret-2" }, Authorization: "Bearer b-secret-3" }
        yield* raw("POST", "/log/client", { eventType: "error", message: "m", metadata: { ...secrets, maxTokens: 4096, tokenCount: 17 } })
        const metadata = String(logged.find((l) => l.annotations.source === "webui")!.annotations.metadata)
        for (const secret of ["hunter2-pw", "sk-secret-1", "tok-secret-2", "b-secret-3"]) expect(metadata).not.toContain(secret)
        expect(metadata).toContain("[redacted]")
        expect(metadata).toContain(`"maxTokens":4096`)
        expect(metadata).toContain(`"tokenCount":17`)
        // Credentials recognised by their value, whatever field or text holds them.
        logged.length = 0
        yield* raw("POST", "/log/client", {
          eventType: "error",
          message: "boom token=dpt_LEAK-1 at http://x/auth/callback/test?code=LEAK-2&state=LEAK-3",
          metadata: { sid: "LEAK-4", jwt: "eyJLEAK5", note: "sent eyJhbGciOiJI.eyJzdWIiOiIx.LEAK-6 with Bearer LEAK-7", url: "/cb?iss=x&code=LEAK-8" }
        })
        const event = logged.find((l) => l.annotations.source === "webui")!
        const written = `${event.message} ${String(event.annotations.metadata)}`
        expect(written).not.toMatch(/LEAK/)
        expect(event.message).toBe("client event: boom token=[redacted] at http://x/auth/callback/test?code=[redacted]&state=[redacted]")
        expect(written).toContain("iss=x&code=[redacted]")
        // Wherever the pair stands: in a JSON string, in brackets, percent-encoded, after a prefix.
        logged.length = 0
        yield* raw("POST", "/log/client", {
          eventType: "error",
          message: `ok (code=LEAK-10) "state=LEAK-11" statusCode=404`,
          metadata: {
            query: "code=LEAK-12&state=x",
            params: { code: "LEAK-13", state: "LEAK-14" },
            returnTo: "/cb%3Fcode%3DLEAK-15%26tab%3D1",
            private_key: "LEAK-16",
            y: "gofannon_sid=LEAK-17",
            z: "Authorization: Digest LEAK-18"
          }
        })
        const more = logged.find((l) => l.annotations.source === "webui")!
        expect(`${more.message} ${String(more.annotations.metadata)}`).not.toMatch(/LEAK/)
        expect(more.message).toContain("statusCode=404")
        expect(String(more.annotations.metadata)).toContain("%26tab%3D1")
        logged.length = 0
        yield* raw("POST", "/log/client", { eventType: "error", message: "boom", level: "ERROR" })
        const info = yield* raw("POST", "/log/client", { eventType: "navigation", message: "opened /demos" })
        expect(info.status).toBe(202)
        expect(logged.filter((l) => l.annotations.source === "webui").map((l) => l.level)).toEqual(["ERROR", "INFO"])
      }))
  }
)

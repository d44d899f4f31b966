import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { ClientLogPerSecond } from "../../src/app/http/ClientLogLimit.js"
import { raw, testServer } from "../support/TestServer.js"

const withEnv = (env: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const lines: Array<{ level: string; message: string }> = []
const captureLogs = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    lines.push({ level: logLevel.label, message: Array.isArray(message) ? message.join(" ") : String(message) })
  })
)

const event = (n: number) => ({ eventType: "error", message: `event ${n}`, level: "ERROR" })
const postAll = (count: number) =>
  Effect.forEach(Array.from({ length: count }, (_, n) => n), (n) => raw("POST", "/log/client", event(n)), { concurrency: "unbounded" })
const clientEvents = () => lines.filter((line) => line.message.startsWith("client event: "))
const refusalReports = () => lines.filter((line) => line.message.startsWith("client events refused"))

describe("CLIENT_LOG_PER_SECOND bounds how fast anyone can grow the log through /log/client", () => {
  layer(Layer.provide(testServer(MemoryDatabase.layer), Layer.merge(captureLogs, withEnv({ CLIENT_LOG_PER_SECOND: "5" }))), {
    excludeTestServices: true
  })((it) => {
    it.effect("a burst of one second's worth is logged, the rest is a 429 with Retry-After, reported in one warning", () =>
      Effect.gen(function*() {
        lines.length = 0
        const answers = yield* postAll(8)
        const statuses = answers.map((res) => res.status).sort()
        expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429, 429])
        const refused = answers.find((res) => res.status === 429)!
        expect(refused.body).toEqual({
          _tag: "TooManyRequests",
          message: "too many client events; try again in 1 s",
          detail: "too many client events; try again in 1 s"
        })
        expect(refused.headers["retry-after"]).toBe("1")
        expect(clientEvents()).toHaveLength(5)
        expect(refusalReports()).toHaveLength(1)
        expect(refusalReports()[0]).toEqual({
          level: "WARN",
          message: "client events refused (429): 1 since the last such line; at most 5 a second are logged (CLIENT_LOG_PER_SECOND)"
        })
        // Refusals within the minute are counted, not each written.
        expect((yield* postAll(3)).map((res) => res.status)).toEqual([429, 429, 429])
        expect(refusalReports()).toHaveLength(1)
        // The bucket refills evenly: a second later there is room for events again.
        yield* Effect.sleep("1100 millis")
        expect((yield* raw("POST", "/log/client", event(99))).status).toBe(202)
        expect(clientEvents().at(-1)?.message).toBe("client event: event 99")
      }))
  })

  layer(Layer.provide(testServer(MemoryDatabase.layer), withEnv({ CLIENT_LOG_PER_SECOND: "0" })), { excludeTestServices: true })((it) => {
    it.effect("0 turns the limit off", () =>
      Effect.gen(function*() {
        const answers = yield* postAll(60)
        expect(answers.every((res) => res.status === 202)).toBe(true)
      }))
  })

  it.effect("the default is 20 a second; a negative value stops start-up naming the variable", () =>
    Effect.gen(function*() {
      expect(yield* Effect.withConfigProvider(ClientLogPerSecond, ConfigProvider.fromMap(new Map()))).toBe(20)
      const wrong = yield* Effect.flip(Effect.withConfigProvider(ClientLogPerSecond, ConfigProvider.fromMap(new Map([["CLIENT_LOG_PER_SECOND", "-1"]]))))
      expect(String(wrong)).toContain("CLIENT_LOG_PER_SECOND must be a whole number of events a second, 0 for no limit")
    }))
})

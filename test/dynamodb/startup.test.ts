import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { afterEach, vi } from "vitest"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { freePort } from "../support/ChildServer.js"
import { DUMMY_CREDENTIALS, freshTablePrefix, serveLocally, startDynalite } from "../support/dynalite.js"

const SECRET = "wJalrXUtnFEMI-not-a-real-secret"

const withConfig = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

describe("DynamoDB start-up", () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it.live("an endpoint nobody listens on stops start-up with a DatabaseError naming its variable, never its address or the secret", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const started = Date.now()
      const error = yield* Effect.flip(Effect.scoped(DynamoDbDatabase.make({
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: SECRET },
        maxAttempts: 2
      })))
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(error.message).toContain("DYNAMODB_ENDPOINT_URL")
      expect(error.message).not.toContain("127.0.0.1")
      expect(error.message).not.toContain(String(port))
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain(SECRET)
      expect(Date.now() - started).toBeLessThan(10_000)
    }))

  it.live("an endpoint that accepts and never answers fails by the request timeout, or else the start-up timeout", () =>
    Effect.gen(function*() {
      // Accepts the connection, reads the request, never answers: a hung backend.
      const { endpoint } = yield* serveLocally(() => {})
      const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.map(Effect.timed(Effect.flip(Effect.scoped(effect))), ([elapsed, error]) => ({ ms: Duration.toMillis(elapsed), error }))

      const byRequest = yield* timed(DynamoDbDatabase.make({
        endpoint,
        credentials: DUMMY_CREDENTIALS,
        maxAttempts: 2,
        requestTimeout: "300 millis"
      }))
      expect(byRequest.error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(byRequest.error.message).toContain("DYNAMODB_ENDPOINT_URL")
      expect(byRequest.error.message).not.toContain(new URL(endpoint).port)
      expect(byRequest.error.message).toContain("TimeoutError")
      expect(byRequest.ms).toBeLessThan(5_000)

      const byStartup = yield* timed(DynamoDbDatabase.make({
        endpoint,
        credentials: DUMMY_CREDENTIALS,
        requestTimeout: "1 minute",
        startupTimeout: "500 millis"
      }))
      expect(byStartup.error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(byStartup.error.message).toContain("did not answer within")
      expect(byStartup.ms).toBeLessThan(3_000)
    }).pipe(Effect.scoped))

  it.live("a table prefix DynamoDB would reject stops start-up before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(DynamoDbDatabase.make({
        endpoint: "http://127.0.0.1:9",
        credentials: DUMMY_CREDENTIALS,
        tablePrefix: "bad prefix/"
      })))
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup" })
      expect(error.message).toContain("table prefix")
    }))

  it.live("layerConfig names the variable that is wrong", () =>
    Effect.gen(function*() {
      const badPrefix = yield* Effect.flip(Layer.build(DynamoDbDatabase.layerConfig).pipe(
        Effect.scoped,
        Effect.provide(withConfig({ DYNAMODB_TABLE_PREFIX: "no spaces" }))
      ))
      expect(String(badPrefix)).toContain("DYNAMODB_TABLE_PREFIX")
      const badUrl = yield* Effect.flip(Layer.build(DynamoDbDatabase.layerConfig).pipe(
        Effect.scoped,
        Effect.provide(withConfig({ DYNAMODB_ENDPOINT_URL: "not a url" }))
      ))
      expect(String(badUrl)).toContain("DYNAMODB_ENDPOINT_URL")
    }))

  it.live("DATABASE_PROVIDER=dynamodb runs on DYNAMODB_* variables with credentials from the SDK's default chain", () =>
    Effect.gen(function*() {
      const dynalite = yield* startDynalite()
      // The default chain's first link is the environment.
      vi.stubEnv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS.accessKeyId)
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS.secretAccessKey)
      const config = withConfig({
        DATABASE_PROVIDER: "dynamodb",
        DYNAMODB_ENDPOINT_URL: dynalite.endpoint,
        DYNAMODB_REGION: "eu-west-1",
        DYNAMODB_TABLE_PREFIX: freshTablePrefix()
      })
      yield* Effect.gen(function*() {
        const db = yield* DatabaseService
        expect(db.provider).toBe("dynamodb")
        const { rev } = yield* db.save("agents", "a1", { name: "n" })
        expect(yield* db.get("agents", "a1")).toEqual({ _id: "a1", _rev: rev, name: "n" })
      }).pipe(Effect.provide(layerFromConfig), Effect.provide(config))
    }).pipe(Effect.scoped))
})

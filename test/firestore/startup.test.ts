import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { createServer, type Socket } from "node:net"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import { freePort } from "../support/ChildServer.js"

const withConfig = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

const timedStartup = (options: FirestoreDatabase.FirestoreOptions) =>
  Effect.map(
    Effect.timed(Effect.flip(Effect.scoped(FirestoreDatabase.make(options)))),
    ([elapsed, error]) => ({ ms: Duration.toMillis(elapsed), error })
  )

/** Accepts connections and never answers: to a gRPC client, a hung server. */
const silentServer = Effect.acquireRelease(
  Effect.async<{ readonly host: string; readonly close: () => void }, Error>((resume) => {
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", (error) => resume(Effect.fail(error)))
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const close = () => {
        for (const socket of sockets) socket.destroy()
        server.close()
      }
      resume(Effect.succeed({ host: `127.0.0.1:${port}`, close }))
    })
  }),
  (server) => Effect.sync(server.close)
)

// firebase-admin lets FIRESTORE_EMULATOR_HOST override the host these tests point at.
describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))("Firestore start-up", () => {
  it.live("a host nobody listens on stops start-up within the probe's timeout, naming its variable, never its address", () =>
    Effect.gen(function*() {
      const host = `127.0.0.1:${yield* freePort}`
      const { error, ms } = yield* timedStartup({ projectId: "docport-startup", emulatorHost: host, startupTimeout: "1500 millis" })
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(error.message).toContain("FIRESTORE_EMULATOR_HOST")
      expect(error.message).not.toContain(host.split(":")[1])
      // The probe's timeout, plus closing the client (which must not wait for SDK retries).
      expect(ms).toBeGreaterThanOrEqual(1_400)
      expect(ms).toBeLessThan(1_500 + 1_500)
    }))

  it.live("a host that accepts connections and never answers fails the same way", () =>
    Effect.gen(function*() {
      const { host } = yield* silentServer
      const { error, ms } = yield* timedStartup({ projectId: "docport-startup", emulatorHost: host, startupTimeout: "1 second" })
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup", unavailable: true })
      expect(error.message).toContain("FIRESTORE_EMULATOR_HOST")
      expect(error.message).not.toContain(host.split(":")[1])
      expect(ms).toBeLessThan(1_000 + 1_500)
    }).pipe(Effect.scoped))

  it.live("without an emulator host, missing credentials stop start-up with the SDK's reason", () =>
    Effect.gen(function*() {
      // No emulator: application default credentials, which this machine does not have.
      const { error, ms } = yield* timedStartup({ projectId: "docport-startup", startupTimeout: "5 seconds" })
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "startup" })
      expect(error.message).toContain("Google Cloud (project docport-startup)")
      expect(ms).toBeLessThan(5_000 + 1_500)
    }))

  it.live("layerConfig names the missing project variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(FirestoreDatabase.layerConfig).pipe(
        Effect.scoped,
        Effect.provide(withConfig({ FIRESTORE_EMULATOR_HOST: "127.0.0.1:9" }))
      ))
      expect(String(error)).toContain("FIRESTORE_PROJECT_ID")
      expect(String(error)).toContain("GOOGLE_CLOUD_PROJECT")
    }))
})

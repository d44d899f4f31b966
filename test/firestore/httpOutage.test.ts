import { describe } from "@effect/vitest"
import { Effect } from "effect"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import { freePort } from "../support/ChildServer.js"
import { httpOutage } from "../contract/HttpOutage.js"
import { emulatorFound, emulatorSource, freshProjectId, startOwnEmulator } from "../support/firestoreEmulator.js"

// These tests stop and freeze an emulator of their own, so FIRESTORE_EMULATOR_HOST's cannot serve.
describe.skipIf(!emulatorFound || emulatorSource.kind === "external")("Firestore outage over HTTP", () => {
  httpOutage(
    "firestore",
    Effect.gen(function*() {
      const port = yield* freePort
      const emulator = yield* startOwnEmulator(port)
      return {
        server: emulator.server!,
        restart: startOwnEmulator(port),
        layer: FirestoreDatabase.layer({ projectId: freshProjectId(), emulatorHost: emulator.host })
      }
    })
  )
})

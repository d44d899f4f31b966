import { Effect, Exit, Scope } from "effect"
import { emulatorSource, SHARED_HOST_VARIABLE, startOwnEmulator } from "./firestoreEmulator.js"

/**
 * vitest global setup: one Firestore emulator (a JVM, several seconds to start) for every suite
 * that leaves it running; each suite keeps to projects of its own, wiped when it ends. The test
 * workers, started after this, inherit its address through the environment.
 */
export default async function setup() {
  if (emulatorSource.kind !== "jar" && emulatorSource.kind !== "gcloud") return
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(Scope.extend(startOwnEmulator(), scope))
  process.env[SHARED_HOST_VARIABLE] = emulator.host
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

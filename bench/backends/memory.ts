import { Effect } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { type BenchBackend, uniqueName } from "./Backend.js"

/** Nothing to start: each adapter, and each docport process, holds its own maps. */
export const memory: BenchBackend = {
  name: "memory",
  start: Effect.succeed({
    name: "memory",
    namespace: uniqueName,
    docportEnv: () => ({}),
    module: "adapters/MemoryDatabase",
    options: () => undefined,
    adapter: () => MemoryDatabase.make
  })
}

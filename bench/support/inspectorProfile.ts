import { Effect } from "effect"
import { Session } from "node:inspector/promises"
import type { CpuProfile } from "./profile.js"

/** Runs the effect under V8's CPU profiler of this very process, and answers the profile too. */
export const profiled = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, CpuProfile], E | Error, R> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: async () => {
        const session = new Session()
        session.connect()
        await session.post("Profiler.enable")
        await session.post("Profiler.start")
        return session
      },
      catch: (cause) => new Error(`cannot start the CPU profiler: ${String(cause)}`)
    }),
    (session) =>
      Effect.flatMap(effect, (a) =>
        Effect.tryPromise({
          try: async () => [a, (await session.post("Profiler.stop")).profile as unknown as CpuProfile] as const,
          catch: (cause) => new Error(`cannot stop the CPU profiler: ${String(cause)}`)
        })),
    (session) => Effect.sync(() => session.disconnect())
  )

import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Metric } from "effect"
import { makeDatabaseService } from "../../src/ports/makeDatabaseService.js"
import type { RawDatabase } from "../../src/ports/RawDatabase.js"

// An SDK may throw the moment a call is built (a name it refuses). The port builds the raw call
// only after its own validation, and such a throw must come out of running the call as a defect,
// counted as an error, not out of the port method that made it.
const throwing = makeDatabaseService({
  provider: "throws-building",
  get: () => {
    throw new Error("refused while building")
  }
} as unknown as RawDatabase)

describe("a raw call that throws while it is built", () => {
  it.effect("get: a defect when run, not a throw from the port method, and an error outcome", () =>
    Effect.gen(function*() {
      let call: Effect.Effect<unknown, unknown> | undefined
      expect(() => (call = throwing.get("agents", "a1"))).not.toThrow()
      const exit = yield* Effect.exit(call!)
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain("refused while building")
      const counted = Metric.unsafeSnapshot().filter((pair) =>
        pair.metricKey.name === "docport_db_operations_total" &&
        pair.metricKey.tags.some((tag) => tag.key === "provider" && tag.value === "throws-building") &&
        pair.metricKey.tags.some((tag) => tag.key === "outcome" && tag.value === "error")
      )
      expect(counted).toHaveLength(1)
    }))
})

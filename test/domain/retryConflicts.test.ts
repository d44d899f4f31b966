import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schedule, TestClock } from "effect"
import { retryConflicts } from "../../src/domain/retryConflicts.js"
import { Conflict, NotFound } from "../../src/ports/Errors.js"

// An attempt that conflicts `conflicts` times, then succeeds; it counts how often it ran.
const flaky = (conflicts: number) => {
  let runs = 0
  const attempt = Effect.suspend(() => ++runs <= conflicts ? Effect.fail(new Conflict({ collection: "agents", id: "a" })) : Effect.succeed(runs))
  return { attempt, runs: () => runs }
}

describe("retryConflicts", () => {
  it.effect("runs, waits and gives up exactly as Effect.retry does with the same schedule", () =>
    Effect.gen(function*() {
      const policy = { schedule: Schedule.spaced("1 second"), times: 2 }
      const ours = flaky(10)
      const theirs = flaky(10)
      const fibers = [
        yield* Effect.fork(Effect.either(retryConflicts(ours.attempt, policy))),
        yield* Effect.fork(Effect.either(Effect.retry(theirs.attempt, { ...policy, while: (e) => e._tag === "Conflict" })))
      ]
      yield* TestClock.adjust("999 millis")
      expect([ours.runs(), theirs.runs()]).toEqual([1, 1])
      yield* TestClock.adjust("1 millis")
      expect([ours.runs(), theirs.runs()]).toEqual([2, 2])
      yield* TestClock.adjust("1 second")
      expect([ours.runs(), theirs.runs()]).toEqual([3, 3])
      yield* TestClock.adjust("1 minute")
      const [oursEnd, theirsEnd] = yield* Fiber.joinAll(fibers)
      expect([ours.runs(), theirs.runs()]).toEqual([3, 3])
      expect(oursEnd).toEqual(theirsEnd)
      expect(oursEnd).toMatchObject({ _tag: "Left", left: { _tag: "Conflict" } })
    }))

  it.effect("a write that succeeds at once or after conflicts returns its value; other failures are not retried", () =>
    Effect.gen(function*() {
      const once = flaky(0)
      expect(yield* retryConflicts(once.attempt, { times: 3 })).toBe(1)
      const later = flaky(2)
      expect(yield* retryConflicts(later.attempt, { times: 3 })).toBe(3)
      let runs = 0
      const missing = Effect.suspend(() => (runs++, Effect.fail(new NotFound({ collection: "agents", id: "a" }))))
      expect(yield* Effect.flip(retryConflicts(missing, { times: 3 }))).toMatchObject({ _tag: "NotFound" })
      expect(runs).toBe(1)
    }))
})

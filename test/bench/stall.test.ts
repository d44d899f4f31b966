import { describe, expect, it } from "@effect/vitest"
import { answersDuringStalls, meetsStall } from "../../bench/http/stall.js"
import { Samples } from "../../bench/support/stats.js"

// Stalls of the load generator, as [start, end] pairs in ms since its job began.
const stalls = Float64Array.from([10, 14, 50, 53, 90, 100])

describe("the bench's attribution of tail answers to the load generator's stalls", () => {
  it("an answer meets a stall when its flight and the stall overlap, and no other", () => {
    expect(meetsStall(stalls, 8, 11)).toBe(true) // ends inside the first
    expect(meetsStall(stalls, 12, 13)).toBe(true) // inside
    expect(meetsStall(stalls, 40, 60)).toBe(true) // spans the second
    expect(meetsStall(stalls, 95, 120)).toBe(true) // starts inside the last
    expect(meetsStall(stalls, 0, 10)).toBe(false) // ends as the first begins
    expect(meetsStall(stalls, 14, 50)).toBe(false) // between two
    expect(meetsStall(stalls, 100, 130)).toBe(false) // after the last
    expect(meetsStall(new Float64Array(0), 0, 1_000)).toBe(false)
  })

  it("counts the answers over p99 and all answers a stall met, and keeps the others' latencies", () => {
    // 200 answers of 1 ms ending at 0, 0.5, 1, ... 99.5 ms; two of 30 ms over the p99.
    const latencies = [...Array.from({ length: 200 }, () => 1), 30, 30]
    const endedMs = [...Array.from({ length: 200 }, (_, i) => i / 2), 52, 45]
    const untouched = new Samples()
    const counts = answersDuringStalls(
      { latencies: Float64Array.from(latencies), endedMs: Float64Array.from(endedMs), stalls },
      untouched
    )
    // The 30-ms answers flew 22 - 52 (meets 50 - 53) and 15 - 45 (meets none).
    expect(counts.slow).toBe(2)
    expect(counts.slowStalled).toBe(1)
    expect(counts.all).toBe(202)
    // 1-ms answers that end after 10 and start before 14 (ended 10.5 - 14.5), after 50 and before
    // 53 (50.5 - 53.5), after 90 (90.5 - 99.5): 9 + 7 + 19 of them, and one 30-ms answer.
    expect(counts.allStalled).toBe(36)
    expect(untouched.length).toBe(202 - 36)
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { canonicalJson, combineDigests, digestOf, emptyDigest } from "../../src/cli/Canonical.js"
import * as Progress from "../../src/cli/Progress.js"

const recorder = (tty: boolean, intervalMs?: number) => {
  let clock = 0
  const written: Array<string> = []
  const progress = Progress.make({ write: (text) => written.push(text), tty, intervalMs, now: () => clock })
  return { progress, written, tick: (ms: number) => (clock += ms) }
}

describe("progress", () => {
  it.effect("on a terminal: one redrawn bar with done/total, rate and time left", () =>
    Effect.gen(function*() {
      const { progress, tick, written } = recorder(true)
      yield* progress.start("agents", 1000)
      tick(2000)
      yield* progress.advance(250)
      expect(written.at(-1)).toBe("\r\x1b[Kagents [######------------------] 250/1,000  125 docs/s  ETA 6s")
      tick(50)
      yield* progress.advance(10)
      // Redrawn at most every 100 ms.
      expect(written).toHaveLength(2)
      tick(4000)
      yield* progress.advance(740)
      yield* progress.finish
      expect(written.at(-1)).toMatch(/^\r\x1b\[Kagents \[#{24}\] 1,000\/1,000 .* ETA 0s\n$/)
    }))

  it.effect("elsewhere: a plain line per interval, and an unknown or short total never shows more than all done", () =>
    Effect.gen(function*() {
      const { progress, tick, written } = recorder(false, 10_000)
      yield* progress.start("demos", 100)
      tick(5000)
      yield* progress.advance(50)
      expect(written).toEqual([])
      tick(5000)
      yield* progress.advance(100)
      expect(written).toEqual(["demos: 150 documents, 15 docs/s\n"])
      yield* progress.start("users", undefined)
      tick(1000)
      yield* progress.advance(5)
      yield* progress.finish
      expect(written.at(-1)).toBe("users: 5 documents, 5 docs/s\n")
    }))
})

describe("canonical form", () => {
  it("ignores _rev and key order, and reads 1.0 as 1", () => {
    const a = { _id: "x", _rev: "1-abc", b: { y: 1.0, x: [1, { d: null, c: "é" }] }, a: true }
    const b = { a: true, b: { x: [1, { c: "é", d: null }], y: 1 }, _id: "x", _rev: "7-zzz" }
    expect(canonicalJson(a)).toBe(`{"_id":"x","a":true,"b":{"x":[1,{"c":"é","d":null}],"y":1}}`)
    expect(digestOf(a)).toBe(digestOf(b))
    expect(digestOf({ ...a, a: false })).not.toBe(digestOf(b))
  })

  it("combines digests in any order to the same collection digest", () => {
    const digests = ["a", "b", "c"].map((id) => digestOf({ _id: id }))
    const forward = digests.reduce(combineDigests, emptyDigest()).toString("hex")
    const backward = [...digests].reverse().reduce(combineDigests, emptyDigest()).toString("hex")
    expect(forward).toBe(backward)
    expect(forward).not.toBe(digests.slice(0, 2).reduce(combineDigests, emptyDigest()).toString("hex"))
  })
})

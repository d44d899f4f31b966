import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { boundedLines, OverlongLine } from "../../src/cli/Files.js"

const split = (chunks: ReadonlyArray<string>, max: number) =>
  Effect.map(Stream.runCollect(boundedLines(max)(Stream.fromIterable(chunks))), Chunk.toReadonlyArray)

describe("the lines of an import file", () => {
  it.effect("split across chunks at \\n and \\r\\n, the last line without a newline kept", () =>
    Effect.gen(function*() {
      expect(yield* split(["ab", "c\nde", "f\r", "\ngh\n\nij"], 10)).toEqual(["abc", "def", "gh", "", "ij"])
      expect(yield* split(["one\n"], 10)).toEqual(["one"])
      expect(yield* split([], 10)).toEqual([])
    }))

  it.effect("a line over the bound becomes its length alone, however it is cut, and the next line is whole", () =>
    Effect.gen(function*() {
      const lines = yield* split(["ok\n12345", "678", "9012\nnext\n", "x".repeat(25), "\nlast"], 10)
      expect(lines).toEqual(["ok", new OverlongLine(12), "next", new OverlongLine(25), "last"])
      expect(yield* split(["12345678901"], 10)).toEqual([new OverlongLine(11)])
      // Exactly the bound is a line.
      expect(yield* split(["1234567890\n"], 10)).toEqual(["1234567890"])
    }))
})

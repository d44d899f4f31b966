import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { fromLayer } from "../../src/cli/Backends.js"
import * as Progress from "../../src/cli/Progress.js"
import { formatDiffs } from "../../src/cli/Verify.js"
import { cli, tempDir } from "./support.js"

// Anything that moves the cursor or starts a terminal sequence, raw.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

const FORGED = "a\nfailed things/fake: forged line"
const CLEAR = "\u001b[2J\u001b[H"

describe("names and ids from the input reach the terminal escaped", () => {
  it.scopedLive("in an import's report: one line per failure, no terminal sequence", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = join(dir, "input.ndjson")
      yield* Effect.promise(() =>
        writeFile(file, [
          JSON.stringify({ collection: "agents", document: { _id: FORGED } }),
          JSON.stringify({ collection: `x${CLEAR}`, document: { _id: "d" } })
        ].join("\n")))
      const run = yield* cli(["import", "--provider", "memory", "--from", file], { service: yield* fromLayer("memory", MemoryCatalog.layer) })
      expect(run.exitCode).toBe(2)
      const lines = run.out.trimEnd().split("\n")
      expect(lines.filter((line) => line.startsWith("failed things/"))).toEqual([])
      expect(run.out).toContain(`failed agents/"a\\nfailed things/fake: forged line": `)
      expect(run.out).toContain(`"x\\u001b[2J\\u001b[H"`)
      expect(run.out + run.err).not.toMatch(RAW_CONTROL)

      // And in the line that says why a run stopped.
      const stopped = yield* cli(["import", "--provider", "memory", "--from", join(dir, FORGED)], { service: yield* fromLayer("memory", MemoryCatalog.layer) })
      expect(stopped.exitCode).toBe(1)
      expect(stopped.err).toContain("docport import stopped: \"")
      expect(stopped.err).not.toMatch(RAW_CONTROL)
    }))

  it("in verify's report and in progress lines", () => {
    const text = formatDiffs([{
      collection: `c${CLEAR}`,
      sourceCount: 1,
      targetCount: 1,
      missing: [FORGED, "\u009b2J"],
      extra: [],
      differing: [],
      sourceDigest: "00",
      targetDigest: "01"
    }])
    expect(text).not.toMatch(RAW_CONTROL)
    expect(text).toContain(`missing "c\\u001b[2J\\u001b[H"/"a\\nfailed things/fake: forged line": in the source only`)
    // A lone CSI (C1), which JSON.stringify would leave as it is.
    expect(text).toContain(`missing "c\\u001b[2J\\u001b[H"/"\\u009b2J": in the source only`)
    expect(Progress.describe(`c${CLEAR}`, 1, 2, 1000, false)).not.toMatch(RAW_CONTROL)
    // A name without control characters is printed as it is.
    expect(Progress.describe("agents", 1, 2, 1000, false)).toMatch(/^agents: /)
  })
})

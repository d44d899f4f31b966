import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { fromLayer } from "../../src/cli/Backends.js"
import { cli, tempDir } from "./support.js"

// A memory backend stands in for a real one: what is tested here is how lines are read.
const memory = fromLayer("memory", MemoryCatalog.layer)

/** An NDJSON file of these lines in a directory removed with the scope. */
const fileOf = (lines: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const file = join(dir, "input.ndjson")
    yield* Effect.promise(() => writeFile(file, lines.join("\n")))
    return file
  })

describe("import", () => {
  it.scopedLive("an integer beyond 2^53 is reported by line number, never stored rounded", () =>
    Effect.gen(function*() {
      const target = yield* memory
      const file = yield* fileOf([
        `{"collection":"agents","document":{"_id":"ok","n":9007199254740991}}`,
        `{"collection":"agents","document":{"_id":"x","n":9007199254740993}}`
      ])
      const run = yield* cli(["import", "--provider", "memory", "--from", file], { service: target })
      expect(run.exitCode).toBe(2)
      expect(run.out).toContain("failed agents/line 2: an integer beyond 2^53 at document.n")
      expect((yield* target.db.get("agents", "ok")).n).toBe(9007199254740991)
      expect(yield* target.db.getMany("agents", ["x"])).toEqual(new Map([["x", null]]))
    }))

  it.scopedLive("a _rev in a line is left out: the document is written, not reported as a conflict", () =>
    Effect.gen(function*() {
      const target = yield* memory
      const file = yield* fileOf([`{"collection":"agents","document":{"_id":"x","_rev":"3-abc","name":"from a dump"}}`])
      const run = yield* cli(["import", "--provider", "memory", "--from", file], { service: target })
      expect(run.exitCode, run.out).toBe(0)
      expect(run.result.tallies).toMatchObject([{ collection: "agents", read: 1, written: 1, failed: 0 }])
      expect((yield* target.db.get("agents", "x")).name).toBe("from a dump")
    }))

  it.scopedLive("lines of collections not chosen with --collections are counted as skipped, not dropped", () =>
    Effect.gen(function*() {
      const target = yield* memory
      const file = yield* fileOf([
        `{"collection":"agents","document":{"_id":"a1"}}`,
        `{"collection":"users","document":{"_id":"u1"}}`,
        `{"collection":"users","document":{"_id":"u2"}}`
      ])
      const run = yield* cli(["import", "--provider", "memory", "--from", file, "--collections", "agents"], { service: target })
      expect(run.exitCode, run.out).toBe(0)
      expect(run.result.tallies).toMatchObject([
        { collection: "agents", read: 1, written: 1, skipped: 0 },
        { collection: "users", read: 2, written: 0, skipped: 2 }
      ])
      expect(run.out).toMatch(/total\s+3\s+1\s+2\s+0/)
      expect(yield* target.catalog.collections).toEqual(["agents"])
    }))
})

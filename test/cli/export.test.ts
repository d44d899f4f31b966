import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { fromLayer } from "../../src/cli/Backends.js"
import { cli, seed, tempDir } from "./support.js"

describe("export", () => {
  it.scopedLive("writes a file only its owner can read, also over a partial file a killed run left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // Memory stands in for a backend: what is tested is the file.
      const service = yield* fromLayer("memory", MemoryCatalog.layer)
      yield* seed(service, { users: [{ _id: "user-1", apiKeys: { openaiApiKey: "sk-secret" } }] })
      for (const name of ["users.ndjson", "users.ndjson.gz"]) {
        const file = join(dir, name)
        yield* Effect.promise(() => writeFile(`${file}.partial`, "left over", { mode: 0o644 }))
        const run = yield* cli(["export", "--provider", "memory", "--to", file], { service })
        expect(run.exitCode, run.err).toBe(0)
        expect(((yield* Effect.promise(() => stat(file))).mode & 0o777).toString(8), name).toBe("600")
      }
    }))
})

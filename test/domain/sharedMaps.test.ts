import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../support/sharedMaps.mjs", import.meta.url))

describe("the shape of stored and answered agents", () => {
  // V8 (Node 20) gives a spread copy that then gains a field (`{ ...doc, _rev }`) a map of its own
  // once the spread is warm: 991 maps for 1,000 stored agents of one shape, four cache misses per GET.
  it("agents of one shape share one V8 map as created, as the memory backend stores them, and as stored after an update", () => {
    const maps = JSON.parse(execFileSync(process.execPath, ["--allow-natives-syntax", script, "300"], { encoding: "utf8" }))
    expect(maps).toEqual({ created: 1, stored: 1, restored: 1 })
  })
})

import { describe, expect, it } from "@effect/vitest"
import { type Options, parseOptions } from "../../bench/options.js"

const options = (...argv: Array<string>) => parseOptions(argv) as Options

describe("npm run bench's --post-cycles (bench/options.ts)", () => {
  it("runs POST for 60 s over the collections by default, none in a smoke run, and 0 leaves it out", () => {
    expect(options().postCyclesS).toBe(60)
    expect(options("--quick").postCyclesS).toBe(0)
    expect(options("--post-cycles=0").postCyclesS).toBe(0)
    expect(options("--post-cycles=90").postCyclesS).toBe(90)
  })

  it("refuses a span that is not a number of seconds, saying which option", () => {
    expect(() => options("--post-cycles=-1")).toThrow("--post-cycles must be a positive number or 0, not -1")
    expect(() => options("--post-cycles=soon")).toThrow(/--post-cycles/)
  })
})

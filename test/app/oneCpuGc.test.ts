import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { hasTaskset } from "../../bench/support/cpu.js"
import { switchesOff } from "../../src/app/runtime/oneCpuGc.js"

// What src/app/runtime/oneCpuGc.ts decided, in a process of its own: V8's flags are per process.
const decided = (options: { readonly cpus?: string; readonly nodeFlags?: ReadonlyArray<string> } = {}): string => {
  const node = [...(options.nodeFlags ?? []), "--import", "tsx", "-e", "import(\"./src/app/runtime/oneCpuGc.ts\").then((m) => console.log(m.concurrentMarkingOff))"]
  const [command, args] = options.cpus === undefined ? [process.execPath, node] : ["taskset", ["-c", options.cpus, process.execPath, ...node]]
  return execFileSync(command, args, { encoding: "utf8" }).trim()
}

describe.skipIf(!hasTaskset())("V8's concurrent marking on one CPU (src/app/runtime/oneCpuGc.ts)", () => {
  it("is switched off where the process may run on one CPU only, on the V8 releases where that helps", () => {
    // Node 20 here; on Node 22 and later the same process leaves it to V8 (the test below).
    expect(decided({ cpus: "0" })).toBe(String(switchesOff({ v8: process.versions.v8, cpus: 1, named: false })))
  }, 30_000)

  it("is left to V8 where the operator named it", () => {
    expect(decided({ cpus: "0", nodeFlags: ["--concurrent-marking"] })).toBe("false")
  }, 30_000)

  it.skipIf(availableParallelism() < 2)("is left to V8 where the process has two CPUs or more", () => {
    expect(decided({ cpus: "0,1" })).toBe("false")
  }, 30_000)
})

describe("which V8 releases it is switched off on (src/app/runtime/oneCpuGc.ts)", () => {
  it("only those where that was measured to help: Node 20's V8 11, not Node 22's 12 nor Node 24's 13", () => {
    const oneCpu = (v8: string) => switchesOff({ v8, cpus: 1, named: false })
    expect(["11.3.244.8-node.33", "12.4.254.21-node.57", "13.6.233.17-node.63"].map(oneCpu)).toEqual([true, false, false])
    expect(switchesOff({ v8: "11.3.244.8-node.33", cpus: 2, named: false })).toBe(false)
    expect(switchesOff({ v8: "11.3.244.8-node.33", cpus: 1, named: true })).toBe(false)
  })
})

import { describe, expect, it } from "vitest"
import { execFile } from "node:child_process"

// bench/http/appCostBench.ts is run by hand, so nothing else notices when a change of docport's
// answers breaks it (it did once: its seeding could not read docport's answers as strings). One
// round of one scenario, under tsx as the test suite runs: the ratio's value is not judged here.
describe("the in-process cost bench (bench/http/appCostBench.ts)", () => {
  it("seeds both applications, runs a round of GETs through each and prints their ratio", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--import", "tsx", "bench/http/appCostBench.ts", "get"],
        { env: { ...process.env, BENCH_ROUNDS: "1", LOG_LEVEL: "warn" }, timeout: 60_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr })
      )
    })
    expect(stderr).not.toMatch(/Error/)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^get: docport \d+\.\d µs, httpapi \d+\.\d µs, ratio \d+\.\d\d$/m)
  }, 60_000)
})

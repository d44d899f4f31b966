import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { Effect } from "effect"
import { freePort } from "../support/ChildServer.js"

const TSX = "node_modules/.bin/tsx"

interface Run {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exit: Promise<number | null>
}

const start = (env: Record<string, string>): Run => {
  let output = ""
  const child = spawn(TSX, ["src/app/main.ts"], {
    env: { ...process.env, DATABASE_PROVIDER: "memory", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, output: () => output, exit }
}

// Wide: tsx compiling and loading every SDK takes ~20 s on a shared 2-core box under load.
const waitFor = async (run: Run, text: string, ms = 60_000) => {
  const until = Date.now() + ms
  while (!run.output().includes(text)) {
    if (Date.now() > until) throw new Error(`no '${text}' within ${ms} ms:\n${run.output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("npm start (src/app/main.ts)", () => {
  it.live("an unknown DATABASE_PROVIDER stops start-up with a message listing the valid ones", () =>
    Effect.promise(async () => {
      const run = start({ DATABASE_PROVIDER: "nonsense" })
      expect(await run.exit).toBe(1)
      expect(run.output()).toContain("docport could not start")
      expect(run.output()).toMatch(/memory, couchdb, firestore, dynamodb/)
      expect(run.output()).toContain("nonsense")
    }), 60_000)

  it.live("a bad PORT stops start-up naming the variable", () =>
    Effect.promise(async () => {
      const run = start({ PORT: "eighty" })
      expect(await run.exit).toBe(1)
      expect(run.output()).toContain("PORT")
    }), 60_000)

  it.live("serves on PORT and stops cleanly with exit code 0 on SIGTERM", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      yield* Effect.promise(async () => {
        const run = start({ PORT: String(port) })
        await waitFor(run, "Listening on")
        const health = await fetch(`http://127.0.0.1:${port}/health`)
        expect(health.status).toBe(200)
        expect(await health.json()).toEqual({ status: "healthy", database: { provider: "memory", ok: true } })
        run.child.kill("SIGTERM")
        expect(await run.exit).toBe(0)
        expect(run.output()).toContain("docport stopped")
      })
    }), 90_000)
})

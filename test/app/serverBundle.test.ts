import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort } from "../support/ChildServer.js"
import { startServerProcess } from "../support/ServerProcess.js"

const START_MS = 90_000
const hook = fileURLToPath(new URL("../support/loadedModules.mjs", import.meta.url))

// npm start runs the bundle of scripts/bundleServer.mjs: effect and @effect/* come from it alone.
// One of them loaded from node_modules beside the bundle would be a second copy of effect, whose
// services (Context tags) the bundle's copy does not recognise, and the heap the bundle saves.
describe("the server as npm start runs it (dist/server/)", () => {
  it.live("loads effect and the @effect packages from its bundle, none from node_modules, and serves", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const dir = mkdtempSync(join(tmpdir(), "docport-bundle-"))
      const log = join(dir, "modules.log")
      yield* Effect.promise(async () => {
        const run = startServerProcess("node", { PORT: String(port), NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_LOG: log })
        try {
          await run.waitFor("Listening on", START_MS)
          const created = await fetch(`http://127.0.0.1:${port}/agents`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "bundled", description: "d", code: "c" })
          })
          expect(created.status).toBe(201)
          const modules = readFileSync(log, "utf8").split("\n").filter((line) => line !== "")
          expect(modules).toContain(`file://${process.cwd()}/dist/server/main.js`)
          expect(modules.filter((url) => /\/node_modules\/(effect|@effect\/[^/]+)\//.test(url))).toEqual([])
        } finally {
          run.signalGroup("SIGKILL")
          await run.exit
          rmSync(dir, { recursive: true, force: true })
        }
      })
    }), START_MS)
})

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
// The platform's module, or the chunk of the server's bundle named after it (HttpApiSwagger-<hash>.js).
const swaggerLoaded = (log: string) => /\/HttpApiSwagger(-\w+)?\.js$/m.test(readFileSync(log, "utf8"))

describe("Swagger UI at /docs", () => {
  it.live("is loaded on the first request for it, not at start-up, and serves the platform's page", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const dir = mkdtempSync(join(tmpdir(), "docport-modules-"))
      const log = join(dir, "modules.log")
      yield* Effect.promise(async () => {
        const run = startServerProcess("node", { PORT: String(port), NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_LOG: log })
        try {
          await run.waitFor("Listening on", START_MS)
          expect(readFileSync(log, "utf8")).toContain("/dist/server/main.js")
          expect(swaggerLoaded(log)).toBe(false)
          const page = await fetch(`http://127.0.0.1:${port}/docs`)
          expect(page.status).toBe(200)
          expect(page.headers.get("content-type")).toContain("text/html")
          const html = await page.text()
          expect(html).toContain("SwaggerUIBundle")
          expect(html).toContain("/agents/{id}")
          expect(swaggerLoaded(log)).toBe(true)
          // Later requests get the same page from the router built on the first.
          const again = await fetch(`http://127.0.0.1:${port}/docs`)
          expect(await again.text()).toBe(html)
        } finally {
          run.signalGroup("SIGKILL")
          await run.exit
          rmSync(dir, { recursive: true, force: true })
        }
      })
    }), START_MS)
})

import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort } from "./ChildServer.js"
import { startServerProcess } from "./ServerProcess.js"

export const START_MS = 90_000
const hook = fileURLToPath(new URL("./loadedModules.mjs", import.meta.url))

/**
 * docport as `npm start` runs it, every module it loads appended to a log (loadedModules.mjs):
 * `use` gets its port and the log's path once it listens; the process and the log go afterwards.
 */
export const withModulesLog = (use: (port: number, log: string) => Promise<void>) =>
  Effect.gen(function*() {
    const port = yield* freePort
    const dir = mkdtempSync(join(tmpdir(), "docport-modules-"))
    const log = join(dir, "modules.log")
    yield* Effect.promise(async () => {
      const run = startServerProcess("node", { PORT: String(port), NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_LOG: log })
      try {
        await run.waitFor("Listening on", START_MS)
        await use(port, log)
      } finally {
        run.signalGroup("SIGKILL")
        await run.exit
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

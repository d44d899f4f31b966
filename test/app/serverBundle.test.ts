import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { START_MS, withModulesLog } from "../support/ModulesLogServer.js"

// npm start runs the bundle of scripts/bundleServer.mjs: effect and @effect/* come from it alone.
// One of them loaded from node_modules beside the bundle would be a second copy of effect, whose
// services (Context tags) the bundle's copy does not recognise, and the heap the bundle saves.
describe("the server as npm start runs it (dist/server/)", () => {
  it.live("loads effect and the @effect packages from its bundle, none from node_modules, and serves", () =>
    withModulesLog(async (port, log) => {
      const created = await fetch(`http://127.0.0.1:${port}/agents`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "bundled", description: "d", code: "c" })
      })
      expect(created.status).toBe(201)
      const modules = readFileSync(log, "utf8").split("\n").filter((line) => line !== "")
      expect(modules).toContain(`file://${process.cwd()}/dist/server/main.js`)
      expect(modules.filter((url) => /\/node_modules\/(effect|@effect\/[^/]+)\//.test(url))).toEqual([])
    }), START_MS)
})

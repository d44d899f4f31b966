import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { START_MS, withModulesLog } from "../support/ModulesLogServer.js"

// The platform's module, or the chunk of the server's bundle named after it (HttpApiSwagger-<hash>.js).
const swaggerLoaded = (log: string) => /\/HttpApiSwagger(-\w+)?\.js$/m.test(readFileSync(log, "utf8"))

describe("Swagger UI at /docs", () => {
  it.live("is loaded on the first request for it, not at start-up, and serves the platform's page", () =>
    withModulesLog(async (port, log) => {
      expect(readFileSync(log, "utf8")).toContain("/dist/server/main.js")
      expect(swaggerLoaded(log)).toBe(false)
      const page = await fetch(`http://127.0.0.1:${port}/docs`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toContain("text/html")
      // No sniffing, no framing by another site.
      expect(page.headers.get("x-content-type-options")).toBe("nosniff")
      expect(page.headers.get("x-frame-options")).toBe("DENY")
      expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'")
      const html = await page.text()
      expect(html).toContain("SwaggerUIBundle")
      expect(html).toContain("/agents/{id}")
      expect(swaggerLoaded(log)).toBe(true)
      // Later requests get the same page from the router built on the first.
      const again = await fetch(`http://127.0.0.1:${port}/docs`)
      expect(await again.text()).toBe(html)
    }), START_MS)
})

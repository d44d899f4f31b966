import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { freePort } from "../support/ChildServer.js"
import { startServerProcess } from "../support/ServerProcess.js"

const PASSWORD = "the admin password of this test"
const KEY = "sk-proj-SECRETSECRETSECRET-0123456789"

describe("provider keys and the admin password in docport's own process", () => {
  it("reach no log line, at debug level, whatever the routes answered", async () => {
    const port = await Effect.runPromise(freePort)
    const server = startServerProcess("node", { PORT: String(port), LOG_LEVEL: "debug", ADMIN_PANEL_PASSWORD: PASSWORD })
    try {
      await server.waitFor("Listening on")
      const base = `http://127.0.0.1:${port}`
      const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) })
        })
        return { status: response.status, text: await response.text() }
      }
      const answers = [
        await send("PUT", "/users/me/api-keys", { provider: "openai", api_key: KEY }),
        await send("PUT", "/users/me/api-keys", { provider: "unknown", api_key: KEY }),
        await send("PUT", "/users/me/api-keys", { provider: "openai", api_key: KEY.repeat(200) }),
        await send("PUT", "/users/me/api-keys", { provider: "openai", api_key: 42, note: KEY }),
        await send("GET", "/users/me"),
        await send("GET", "/users/me/api-keys"),
        await send("GET", "/admin/users", undefined, { "x-admin-password": PASSWORD }),
        await send("GET", "/admin/users", undefined, { "x-admin-password": `${PASSWORD}!` }),
        await send("PUT", "/admin/users/local:local", { monthlyAllowance: "lots" }, { "x-admin-password": PASSWORD })
      ]
      expect(answers.map((a) => a.status)).toEqual([200, 400, 422, 422, 200, 200, 200, 401, 422])
      for (const answer of answers) expect(answer.text).not.toContain("SECRETSECRET")
      await server.waitFor("PUT /admin/users/:id 422")
      expect(server.output()).toContain("admin route refused")
      expect(server.output()).not.toContain("SECRETSECRET")
      expect(server.output()).not.toContain(PASSWORD)
    } finally {
      server.signalGroup("SIGKILL")
      await server.exit
    }
  }, 60_000)
})

import { type ChildProcess, spawn } from "node:child_process"
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePortNow, startDocport, type RunningDocport } from "../support/AuthServer.js"

let local: RunningDocport

beforeAll(async () => {
  local = await startDocport({})
}, 60_000)

afterAll(async () => {
  await local?.close()
})

/** A request with a Host header of our choosing (fetch would not let us), as a rebinding page's would carry. */
const withHost = (base: string, path: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(base)
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
    req.end()
  })

describe("local mode: no provider configured", () => {
  it("acts as the one local user without sign-in, and says so to the UI", async () => {
    const me = await fetch(`${local.base}/auth/me`)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ uid: "local:local", providerType: "local", isSiteAdmin: true })
    expect(await (await fetch(`${local.base}/auth/providers`)).json()).toEqual({ providers: [], legacyFirebaseEnabled: false })
    const created = await fetch(`${local.base}/agents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "A", description: "d", code: "c" })
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ createdBy: "local:local" })
  })

  it("still checks a token a program presents: unknown or revoked is 401, and a token cannot make tokens", async () => {
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
    expect((await fetch(`${local.base}/agents`, { headers: bearer("dpt_not-a-token") })).status).toBe(401)
    const made = await fetch(`${local.base}/auth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "runtime" })
    })
    expect(made.status).toBe(201)
    const { id, token } = (await made.json()) as { id: string; token: string }
    expect((await fetch(`${local.base}/agents`, { headers: bearer(token) })).status).toBe(200)
    const more = await fetch(`${local.base}/auth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ name: "another" })
    })
    expect(more.status).toBe(403)
    expect((await fetch(`${local.base}/auth/tokens/${id}`, { method: "DELETE" })).status).toBe(204)
    expect((await fetch(`${local.base}/agents`, { headers: bearer(token) })).status).toBe(401)
    // Without a token, the local user as before.
    expect((await fetch(`${local.base}/agents`)).status).toBe(200)
  }, 30_000)

  it("refuses a foreign page's changes and requests reaching it under a non-loopback name (DNS rebinding)", async () => {
    const foreign = await fetch(`${local.base}/agents`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ name: "A", description: "d", code: "c" })
    })
    expect(foreign.status).toBe(403)
    const port = new URL(local.base).port
    expect(await withHost(local.base, "/agents", `evil.example:${port}`)).toBe(403)
    expect(await withHost(local.base, "/agents", `localhost:${port}`)).toBe(200)
    // Host names are case-insensitive.
    expect(await withHost(local.base, "/agents", `LocalHost:${port}`)).toBe(200)
  })

  it("will not start on a non-loopback address, and says how to configure sign-in", async () => {
    await expect(startDocport({}, { host: "0.0.0.0" })).rejects.toThrow(/no sign-in provider is configured.*AUTH_PROVIDERS=/s)
  })

  it("with a provider configured, a non-loopback address is fine", async () => {
    const exposed = await startDocport({ APP_ENV: "dev", AUTH_PROVIDERS: "dev_stub" }, { host: "0.0.0.0" })
    try {
      expect((await fetch(`${exposed.base}/agents`)).status).toBe(401)
    } finally {
      await exposed.close()
    }
  })
})

describe("unsafe settings stop start-up", () => {
  it("dev_stub outside APP_ENV local/dev/test (and APP_ENV unset means production)", async () => {
    await expect(startDocport({ AUTH_PROVIDERS: "dev_stub" })).rejects.toThrow(/dev_stub .*APP_ENV is "production"/)
    await expect(startDocport({ AUTH_PROVIDERS: "dev_stub", APP_ENV: "staging" })).rejects.toThrow(/APP_ENV is "staging"/)
  })

  it("an OpenID provider that would let every account of the issuer in", async () => {
    await expect(startDocport({
      AUTH_PROVIDERS: "google",
      AUTH_GOOGLE_CLIENT_ID: "id",
      AUTH_GOOGLE_CLIENT_SECRET: "secret"
    })).rejects.toThrow(/AUTH_GOOGLE_ALLOWED_DOMAINS/)
  })

  it("an issuer over plain http anywhere but loopback", async () => {
    await expect(startDocport({
      AUTH_PROVIDERS: "corp",
      AUTH_CORP_ISSUER: "http://sso.example.com",
      AUTH_CORP_CLIENT_ID: "id",
      AUTH_CORP_ALLOWED_DOMAINS: "example.com"
    })).rejects.toThrow(/https/)
  })

  it("a provider that cannot be reached is a 502 at login, not a crash, and no secret in the answer", async () => {
    const closed = await freePortNow()
    const docport = await startDocport({
      AUTH_PROVIDERS: "corp",
      AUTH_CORP_ISSUER: `http://127.0.0.1:${closed}`,
      AUTH_CORP_CLIENT_ID: "id",
      AUTH_CORP_CLIENT_SECRET: "very-secret-value",
      AUTH_CORP_ALLOWED_DOMAINS: "example.com"
    })
    try {
      const res = await fetch(`${docport.base}/auth/login/corp`, { redirect: "manual" })
      expect(res.status).toBe(502)
      const text = await res.text()
      expect(JSON.parse(text)).toMatchObject({ _tag: "ProviderUnavailable" })
      expect(text).not.toContain("very-secret-value")
      expect(text).not.toContain(String(closed))
    } finally {
      await docport.close()
    }
  }, 30_000)
})

describe("npm start (src/app/main.ts) with no configuration", () => {
  it("listens on 127.0.0.1 in local mode and says so loudly", async () => {
    const port = await freePortNow()
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), DATABASE_PROVIDER: "memory", WARMUP: "off" }
    for (const name of ["HOST", "AUTH_PROVIDERS", "APP_ENV"]) delete env[name]
    const child: ChildProcess = spawn("node_modules/.bin/tsx", ["src/app/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    try {
      const until = Date.now() + 60_000
      while (!output.includes("Listening on") && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(output).toContain(`Listening on http://127.0.0.1:${port}`)
      expect(output).toContain("LOCAL MODE")
      expect((await fetch(`http://127.0.0.1:${port}/auth/me`)).status).toBe(200)
    } finally {
      child.kill("SIGTERM")
      await new Promise((r) => child.once("exit", r))
    }
  }, 90_000)

  it("HOST=0.0.0.0 without a provider stops with exit code 1 and the way out", async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(await freePortNow()), HOST: "0.0.0.0", WARMUP: "off" }
    delete env.AUTH_PROVIDERS
    const child = spawn("node_modules/.bin/tsx", ["src/app/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    const code = await new Promise<number | null>((r) => child.once("exit", r))
    expect(code).toBe(1)
    expect(output).toContain("docport could not start")
    expect(output).toContain("HOST=127.0.0.1")
  }, 90_000)
})

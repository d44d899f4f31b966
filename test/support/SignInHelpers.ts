import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { createHash } from "node:crypto"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { Browser } from "./Browser.js"

export const FRONTEND = "http://localhost:3000"

/** One memory database the test can read beside the server, to look at what sign-in stored. */
export const sharedMemoryDatabase = async () => {
  const db: DatabaseServiceShape = await Effect.runPromise(Effect.provide(DatabaseService, MemoryDatabase.layer))
  return { db, layer: Layer.succeed(DatabaseService, db) }
}

export const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

export const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex")

/** Gofannon's UI stops at its own pages; the tests have no UI running, so the browser stops there. */
export const atFrontend = (url: URL) => url.origin === FRONTEND

export const json = async (response: Response) => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Signs in through docport's login route and returns where the browser was sent at the end. */
export const signIn = async (
  browser: Browser,
  base: string,
  type: string,
  options: { readonly returnTo?: string; readonly rewrite?: (url: URL) => URL; readonly stopAt?: (url: URL) => boolean } = {}
) => {
  const start = `${base}/auth/login/${type}?return_to=${encodeURIComponent(options.returnTo ?? "/")}`
  return browser.navigate(start, {
    stopAt: (url) => atFrontend(url) || (options.stopAt?.(url) ?? false),
    ...(options.rewrite ? { rewrite: options.rewrite } : {})
  })
}

/** Picks `uid` on the dev-stub picker page, as a person clicking the link would. */
export const pickUser = async (browser: Browser, base: string, uid: string, returnTo = "/") => {
  const picker = await signIn(browser, base, "dev_stub", { returnTo })
  expect(picker.response?.status).toBe(200)
  const page = await picker.response!.text()
  const href = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"))
    .find((h) => new URL(h, base).searchParams.get("code") === uid)
  expect(href).toBeDefined()
  return browser.navigate(new URL(href!, base), { stopAt: atFrontend })
}

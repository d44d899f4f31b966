import { CookieJar } from "tough-cookie"

export interface Hop {
  readonly url: string
  readonly status: number
}

export interface NavigateOptions {
  /** Do not request this URL: return it instead (e.g. the web UI, which is not running in the tests). */
  readonly stopAt?: (url: URL) => boolean
  /** Change a URL before requesting it, as an attacker in the middle would. */
  readonly rewrite?: (url: URL) => URL
}

/**
 * What the tests need of a browser: a cookie jar (RFC 6265, tough-cookie), redirects followed hop
 * by hop so that every Set-Cookie on the way is kept, and an Origin on requests that change state.
 */
export class Browser {
  readonly jar = new CookieJar()
  readonly hops: Array<Hop> = []

  /** `pageOrigin`: the origin of the page the browser's scripts run on (the web UI's, or an attacker's). */
  constructor(readonly pageOrigin?: string) {}

  async fetch(url: string | URL, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const target = new URL(url)
    const method = init.method ?? "GET"
    const headers: Record<string, string> = { accept: "application/json", ...init.headers }
    const cookie = await this.jar.getCookieString(target.href)
    if (cookie !== "") headers.cookie = cookie
    if (method !== "GET" && method !== "HEAD" && this.pageOrigin !== undefined) headers.origin = this.pageOrigin
    let body: string | undefined
    if (init.body !== undefined) {
      body = JSON.stringify(init.body)
      headers["content-type"] = "application/json"
    }
    const response = await fetch(target, { method, headers, body, redirect: "manual" })
    for (const setCookie of response.headers.getSetCookie()) await this.jar.setCookie(setCookie, target.href)
    this.hops.push({ url: target.href, status: response.status })
    return response
  }

  /** Follows GET redirects the way a browser does; returns the last response and where it stopped. */
  async navigate(start: string | URL, options: NavigateOptions = {}) {
    let url = new URL(start)
    for (let hop = 0; hop < 25; hop++) {
      if (options.rewrite) url = options.rewrite(url)
      if (options.stopAt?.(url)) return { stoppedAt: url, response: undefined }
      const response = await this.fetch(url, { headers: { accept: "text/html,application/json" } })
      const location = response.headers.get("location")
      if (response.status < 300 || response.status >= 400 || location === null) return { stoppedAt: undefined, response, url }
      await response.arrayBuffer()
      url = new URL(location, url)
    }
    throw new Error(`too many redirects: ${this.hops.map((h) => h.url).join(" -> ")}`)
  }

  async cookie(url: string, name: string) {
    const cookies = await this.jar.getCookies(url)
    return cookies.find((c) => c.key === name)
  }
}

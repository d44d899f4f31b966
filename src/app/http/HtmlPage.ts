import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/**
 * What every HTML page docport serves says about itself: its type is the one declared (no
 * sniffing), and no other site may frame it, so that a page of theirs cannot lay the dev-stub
 * picker or the API's docs under a click meant for something else. JSON answers need neither.
 */
export const withPageHeaders = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.setHeaders(response, {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'"
  })

/** An HTML page in UTF-8 with those headers. */
export const htmlPage = (html: string, options: { readonly status?: number } = {}): HttpServerResponse.HttpServerResponse =>
  withPageHeaders(HttpServerResponse.text(html, { status: options.status ?? 200, contentType: "text/html; charset=utf-8" }))

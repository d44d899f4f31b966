import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

export interface JsonTextOptions {
  readonly status?: number | undefined
  readonly headers?: Record<string, string> | undefined
}

/**
 * A JSON text handed to node as a string, with its length in bytes. HttpServerResponse.text and
 * unsafeJson encode it into a Uint8Array first, whose malloc'd memory lives until V8's next
 * scavenge. Hundreds of those, freed together, left glibc's heap top over its trim threshold, so
 * it gave the pages back (brk) and took them again with a page fault each: GET /agents of 100
 * agents cost ~570 µs of CPU per request instead of ~410 in the processes where that happened.
 * Node writes a string through memory it frees as soon as the write returns.
 */
export const jsonText = (text: string, options: JsonTextOptions = {}): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.raw(text, {
    status: options.status ?? 200,
    headers: options.headers,
    contentType: "application/json",
    contentLength: Buffer.byteLength(text)
  })

/** `value` as JSON through jsonText; throws, as unsafeJson does, on what JSON.stringify throws on. */
export const unsafeJsonText = (value: unknown, options: JsonTextOptions = {}): HttpServerResponse.HttpServerResponse =>
  jsonText(JSON.stringify(value), options)

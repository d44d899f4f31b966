import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMethod from "@effect/platform/HttpMethod"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Config, Effect } from "effect"
import { isUtf8 } from "node:buffer"
import type { IncomingMessage } from "node:http"
import { checked } from "../checkedConfig.js"
import { errorResponse } from "./ErrorResponse.js"
import { nestsDeeperThan } from "./jsonDepth.js"
import { inexactIntegerPath } from "./inexactInteger.js"
import { protoKeyPath } from "./protoKey.js"

/** MAX_BODY_BYTES: the largest request body read, in bytes (default 1 MiB). */
export const MaxBodyBytes = checked(
  "MAX_BODY_BYTES",
  Config.integer("MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024)),
  "MAX_BODY_BYTES must be a positive number of bytes",
  (n) => n > 0
)

/** Deeper than any agent, tool schema or model configuration needs, far below what overflows a stack. */
export const MAX_JSON_DEPTH = 64

const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-?8"?\s*)?$/i

// Answered before the request is read to the end: the rest of it is never wanted, so the
// connection is closed after the answer instead of kept for another request.
const tooLarge = (max: number) =>
  errorResponse(413, "PayloadTooLarge", `the request body is larger than ${max} bytes`, { connection: "close" })

const shortened = (path: string) => (path.length > 120 ? `${path.slice(0, 120)}…` : path)

const hasBody = (request: HttpServerRequest.HttpServerRequest): boolean => {
  const length = request.headers["content-length"]
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0")
}

/**
 * Reads at most `max` bytes of the body. Past that it stops keeping what arrives (the socket is
 * left flowing, so a client that writes its whole body before reading still gets the answer)
 * and reports `undefined`; the body is never held in full, so any size is safe.
 */
const readAtMost = (source: IncomingMessage, max: number) =>
  Effect.async<Buffer | undefined>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onEnd)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        stop()
        chunks.length = 0
        return resume(Effect.succeed(undefined))
      }
      chunks.push(chunk)
    }
    // An error (the client went away) ends the request's fiber through the platform's own
    // close handling; what was read so far is never used then.
    const onEnd = () => {
      stop()
      resume(Effect.succeed(Buffer.concat(chunks, size)))
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onEnd)
    return Effect.sync(stop)
  })

/**
 * The 100 Continue a client that sent `Expect: 100-continue` waits for before its body: sent here,
 * once the body is wanted, instead of by Node as the head arrives (GracefulServer.ts), so that a
 * request refused on its head (413, 415, 401, 404…) is answered before the client uploads.
 */
const continueIfExpected = (request: HttpServerRequest.HttpServerRequest) => {
  if (request.headers["expect"]?.toLowerCase() !== "100-continue") return
  // `_sent100`: Node's own mark of a 100 already sent, as where no checkContinue listener is set.
  const response = NodeHttpServerRequest.toServerResponse(request) as { writeContinue?: () => void; headersSent?: boolean; _sent100?: boolean }
  if (response.headersSent !== true && response._sent100 !== true) response.writeContinue?.()
}

/**
 * Only JSON comes in, and only so much of it: a body must be `application/json` (415 otherwise,
 * which also keeps HTML forms of other sites from posting here) and uncompressed (415), at most `maxBytes` long (413,
 * checked on the declared length before reading and on the bytes while reading), nested at
 * most MAX_JSON_DEPTH deep, free of "__proto__" keys and of integers a number cannot hold (400).
 * The endpoints then get the body already read. Run by requestEdge (RequestEdge.ts) for every request.
 */
export const jsonBody = (maxBytes: number) =>
  <E, R>(request: HttpServerRequest.HttpServerRequest, app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => {
    if (!HttpMethod.hasBody(request.method) || !hasBody(request)) return app
    const contentType = request.headers["content-type"] ?? ""
    if (!JSON_MEDIA_TYPE.test(contentType.trim())) {
      const shown = contentType === "" ? "no content type" : `'${contentType.slice(0, 100)}'`
      return Effect.succeed(
        errorResponse(415, "UnsupportedMediaType", `request bodies must be application/json, not ${shown}`, { connection: "close" })
      )
    }
    // A compressed body read as text is bytes of gzip; RFC 9110 answers a coding the server
    // does not take with 415, which tells the client what to change.
    const coding = request.headers["content-encoding"]
    const named = coding?.trim().toLowerCase()
    if (coding !== undefined && named !== "identity" && named !== "") {
      return Effect.succeed(errorResponse(
        415,
        "UnsupportedMediaType",
        `request bodies are read uncompressed: content-encoding '${coding.slice(0, 40)}' is not taken`,
        { connection: "close", "accept-encoding": "identity" }
      ))
    }
    const declared = Number(request.headers["content-length"] ?? 0)
    if (declared > maxBytes) return Effect.succeed(tooLarge(maxBytes))
    continueIfExpected(request)
    return Effect.flatMap(readAtMost(NodeHttpServerRequest.toIncomingMessage(request), maxBytes), (body) => {
      if (body === undefined) return Effect.succeed(tooLarge(maxBytes))
      // toString would store each invalid byte as U+FFFD, a change of the client's text it never sees.
      if (!isUtf8(body)) return Effect.succeed(errorResponse(400, "BadRequest", "the request body is not valid UTF-8"))
      const text = body.toString("utf8")
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        return Effect.succeed(errorResponse(400, "BadRequest", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`))
      }
      const protoKey = protoKeyPath(text)
      if (protoKey !== undefined) {
        return Effect.succeed(
          errorResponse(400, "BadRequest", `the JSON body holds the key "__proto__" (at ${shortened(protoKey)}), which docport does not store`)
        )
      }
      const inexact = inexactIntegerPath(text)
      if (inexact !== undefined) {
        return Effect.succeed(
          errorResponse(
            400,
            "BadRequest",
            `the JSON body holds an integer beyond 2^53 (at ${inexact === "" ? "its top" : shortened(inexact)}), which would not be kept as written: send it as a string`
          )
        )
      }
      const read = withText(request, text)
      return read === request ? app : Effect.provideService(app, HttpServerRequest.HttpServerRequest, read)
    })
  }

/**
 * The request with its body already read, so that the platform's `json` parses `text`.
 *
 * Both of the platform's requests (Node's and the web's) keep what their `text` read in a field of
 * their own, `textEffect`, and answer from it once it is set: filling it gives the endpoints the
 * text without another request object. A request made the prototype of a wrapper (as this did
 * with Object.create) gets a V8 map of its own, so every read of a request's properties in the
 * platform and here met a new map per request: PUT cost 1.31 × the bare HttpApi's CPU that way
 * and 0.99 × with the field filled (paired slices on one core; bench/HISTORY.md, the run of
 * 1 December, 02:19 UTC). A request without that field (another platform or version of it) is still wrapped,
 * correct but slower; test/http/bodyText.test.ts fails if the platform's Node request loses it.
 */
export const withText = (request: HttpServerRequest.HttpServerRequest, text: string): HttpServerRequest.HttpServerRequest => {
  if (Object.hasOwn(request, "textEffect")) {
    ;(request as unknown as { textEffect: Effect.Effect<string> }).textEffect = Effect.succeed(text)
    return request
  }
  return Object.create(request, { text: { value: Effect.succeed(text) } })
}

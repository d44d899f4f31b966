import type { Server } from "node:http"
import type { Socket } from "node:net"
import { errorBody } from "./http/ErrorResponse.js"

/** A whole HTTP answer that closes its connection, its body docport's JSON error. */
const answer = (status: number, reason: string, tag: string, message: string) => {
  const body = JSON.stringify(errorBody(tag, message))
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}

const HEAD_TOO_LARGE = answer(
  431,
  "Request Header Fields Too Large",
  "RequestHeadersTooLarge",
  "the request's line and headers are larger than the server takes (16 KB, Node's --max-http-header-size)"
)
const CHUNK_EXTENSIONS_TOO_LARGE = answer(413, "Payload Too Large", "PayloadTooLarge", "the request's chunk extensions are too large")
const TIMED_OUT = answer(408, "Request Timeout", "RequestTimeout", "the request did not arrive in time")
const NOT_HTTP = answer(400, "Bad Request", "BadRequest", "the request is not valid HTTP/1.1")

/**
 * Node's answers to a request its parser refuses (a head over 16 KB, bytes that are not HTTP, a
 * request that never finishes arriving), with the JSON body every other error of docport's has;
 * Node's own have none. As Node does: an answer only where no response has begun on the
 * connection, and the connection is then destroyed. The request never reaches the application,
 * so no part of it is echoed.
 */
export const answerClientErrors = (server: Server): void => {
  server.on("clientError", (error: Error & { readonly code?: string }, socket: Socket) => {
    const current = (socket as Socket & { readonly _httpMessage?: { readonly headersSent?: boolean } })._httpMessage
    if (socket.writable && (current === undefined || current === null || current.headersSent !== true)) {
      socket.write(
        error.code === "HPE_HEADER_OVERFLOW"
          ? HEAD_TOO_LARGE
          : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
          ? CHUNK_EXTENSIONS_TOO_LARGE
          : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? TIMED_OUT
          : NOT_HTTP
      )
    }
    socket.destroy(error)
  })
}

import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Effect } from "effect"
import type { ServerResponse } from "node:http"

/**
 * Node answers a connection's pipelined requests in order: a response gets the socket only once
 * the one before it has ended, and until then it hears nothing of the connection. The platform
 * interrupts a request's handler on its response's 'close', which a held response never got when
 * the client hung up; a streamed body held that way waited for a 'drain' that never came, its
 * request in flight for good with its pages (a client pipelining long lists and hanging up ran
 * the heap out: test/app/heldResponses.test.ts). So a held response is told of its connection's
 * end as one with the socket is. Only streamed answers wait on the socket; a whole body is
 * written (buffered) at once, and its request ends.
 */
export const closeWhenConnectionCloses = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    // Undefined for a request that did not come through Node's server (one built in process).
    const response = NodeHttpServerRequest.toServerResponse(request) as ServerResponse | undefined
    if (response === undefined || response.socket !== null) return
    const socket = NodeHttpServerRequest.toIncomingMessage(request).socket
    const closed = () => {
      if (!response.writableEnded) response.emit("close")
    }
    socket.once("close", closed)
    // Given the socket, the response hears its close from Node.
    response.once("socket", () => socket.off("close", closed))
  })

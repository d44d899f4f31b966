import { Config, Context, Duration, Effect, Layer, Option } from "effect"
import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { answerClientErrors } from "./ClientErrors.js"

/** SHUTDOWN_TIMEOUT: how long a stop may take, whatever the clients do (default 10 s; `15`, `15 seconds`, `500 millis`). */
export const ShutdownTimeout: Config.Config<Duration.Duration> = Config.number("SHUTDOWN_TIMEOUT").pipe(
  Config.map(Duration.seconds),
  Config.orElse(() => Config.duration("SHUTDOWN_TIMEOUT")),
  Config.withDefault(Duration.seconds(10))
)

/** What is left for requests in flight: the whole timeout but a second (or half of a short one) kept for closing the rest. */
export const drainBudget = (timeout: Duration.Duration): Duration.Duration =>
  Duration.max(Duration.subtract(timeout, Duration.seconds(1)), Duration.unsafeDivide(timeout, 2))

interface Exchange {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly timer: NodeJS.Timeout
}

const UNAVAILABLE = JSON.stringify({
  _tag: "Unavailable",
  message: "docport is not taking requests now: it is starting or stopping",
  detail: "docport is not taking requests now: it is starting or stopping"
})

/**
 * The Node HTTP server under @effect/platform's, with what a supervised process needs to stop
 * within a bound: it knows its connections and finds the requests in flight on them, so a drain
 * can close the idle ones at once, mark every later answer `Connection: close`, wait for the rest,
 * and cut off (and name) whatever is still open when the time is up. Until the application
 * serves, a stand-in holds each request for it (`parkLimit` at most); once the application has
 * stopped, the stand-in answers 503.
 */
export class GracefulServer extends Context.Tag("docport/GracefulServer")<GracefulServer, {
  readonly server: Server
  readonly drain: (budget: Duration.Duration) => Effect.Effect<void>
}>() {}

export interface GracefulServerOptions {
  /** This server is a worker of a cluster: its pid is sent as `x-docport-worker` on every answer. */
  readonly workerPid?: number | undefined
  /** How long a request that arrives before the application serves waits for it (default 2 seconds), then 503. */
  readonly parkLimit?: Duration.DurationInput | undefined
}

// The server listens a few milliseconds before the application serves. Should the application
// never come (a start failing in between), a request must not wait for ever, nor keep the
// server's close, which waits for every connection, from finishing.
const PARK_LIMIT = Duration.seconds(2)

const unavailable = (response: ServerResponse) => {
  response.writeHead(503, { "content-type": "application/json", connection: "close", "retry-after": "1" })
  response.end(UNAVAILABLE)
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void

/**
 * The response a connection is answering now, if any. Node keeps it on the socket from the
 * moment a request's headers are parsed until its response has finished (`_httpMessage`, which
 * Node's own server and client rely on): the requests in flight are found there when a drain
 * needs them, instead of each request being tracked as it comes and goes (a listener on the
 * server and one on each response): 1 - 3 % of a `GET`'s CPU, two servers loaded together.
 */
const answering = (socket: Socket): ServerResponse | undefined => {
  const message = (socket as Socket & { readonly _httpMessage?: unknown })._httpMessage
  return message instanceof ServerResponse && !message.writableFinished ? message : undefined
}

const make = ({ parkLimit, workerPid }: GracefulServerOptions) => Effect.sync(() => {
  const parkMs = Duration.toMillis(Duration.decode(parkLimit ?? PARK_LIMIT))
  const server = createServer()
  answerClientErrors(server)
  // `Expect: 100-continue`: Node would send 100 Continue at once, and the client then sends a body
  // that a 413, 415 or 401 refuses unread. The request goes on as any other; the edge sends
  // the 100 when it starts reading the body (JsonBody.ts), so a refusal comes before the upload.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => server.emit("request", request, response))
  const sockets = new Set<Socket>()
  let draining = false
  // The application's handler, once the platform has registered it.
  let application: RequestListener | undefined
  let served = false
  // The server listens (and a cluster sends a worker connections) a moment before the
  // application serves: a request that comes in between waits for the application instead of
  // failing with 503, as a client that found the port open may expect.
  // Whoever takes a request out of here clears its timer, so a timer that fires finds it here.
  const parked: Array<Exchange> = []
  // Whoever answers while the application does not (yet, or any more): never a hang.
  const standIn: RequestListener = (request, response) => {
    if (served || draining) return unavailable(response)
    const exchange: Exchange = {
      request,
      response,
      timer: setTimeout(() => {
        parked.splice(parked.indexOf(exchange), 1)
        unavailable(response)
      }, parkMs)
    }
    parked.push(exchange)
  }
  // Every held request at once, its timer cleared: where the application starts or the drain begins.
  const unpark = () => {
    const all = parked.splice(0)
    for (const { timer } of all) clearTimeout(timer)
    return all
  }
  const own = new Set<unknown>([standIn])
  if (workerPid !== undefined) {
    const header = String(workerPid)
    const nameWorker: RequestListener = (_request, response) => void response.setHeader("x-docport-worker", header)
    own.add(nameWorker)
    server.on("request", nameWorker)
  }
  server.on("newListener", (event: string | symbol, listener: RequestListener) => {
    if (event !== "request" || own.has(listener)) return
    application = listener
    server.off("request", standIn)
    if (served) return
    served = true
    const waiting = unpark()
    setImmediate(() => {
      for (const { request, response } of waiting) if (!response.writableEnded) listener(request, response)
    })
  })
  server.on("removeListener", (event: string | symbol, listener: RequestListener) => {
    if (event !== "request" || listener !== application) return
    application = undefined
    server.on("request", standIn)
  })
  server.on("request", standIn)

  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })

  const inFlight = () => {
    const responses: Array<ServerResponse> = []
    for (const socket of sockets) {
      const response = answering(socket)
      if (response !== undefined) responses.push(response)
    }
    return responses
  }

  const closed = Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
  })

  const describe = ({ req }: ServerResponse) =>
    `${req.method} ${(req.url ?? "").split("?")[0]}${req.complete ? "" : " (request still arriving)"}`

  const drain = (budget: Duration.Duration) =>
    Effect.gen(function*() {
      draining = true
      for (const { response } of unpark()) unavailable(response)
      const closeAfter: RequestListener = (_request, response) => void response.setHeader("connection", "close")
      own.add(closeAfter)
      server.prependListener("request", closeAfter)
      const inFlightNow = inFlight()
      for (const response of inFlightNow) if (!response.headersSent) response.setHeader("connection", "close")
      // Stops accepting and (Node 19+) closes the connections that wait for a next request.
      const allClosed = yield* Effect.fork(closed)
      server.closeIdleConnections()
      // Node counts a connection that has not sent a byte yet as busy, not idle.
      for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy()
      yield* Effect.logInfo(`stopping: no new connections; ${inFlightNow.length} request(s) in flight, ${sockets.size} connection(s) open`)
      // A finalizer runs uninterruptibly; the wait must be interruptible for the timeout to end it.
      const done = yield* Effect.interruptible(allClosed.await).pipe(Effect.timeoutOption(budget))
      if (Option.isSome(done)) return
      const requests = inFlight().map(describe)
      const idle = sockets.size - requests.length
      yield* Effect.logWarning(
        `stopping: cut off after ${Duration.format(budget)}: ${requests.length} request(s)` +
          (requests.length > 0 ? ` [${requests.join(", ")}]` : "") +
          (idle > 0 ? `, ${idle} connection(s) that never sent a whole request` : "")
      )
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
    })

  return { server, drain }
})

export const layerWith = (options: GracefulServerOptions) => Layer.effect(GracefulServer, make(options))

export const layer = layerWith({})

/**
 * Built after the whole application, so that at shutdown it is the first thing released: the
 * drain runs while the application still answers the requests in flight.
 */
export const drainOnShutdown = Layer.scopedDiscard(
  Effect.gen(function*() {
    const { drain } = yield* GracefulServer
    const timeout = yield* ShutdownTimeout
    yield* Effect.addFinalizer(() => drain(drainBudget(timeout)))
  })
)

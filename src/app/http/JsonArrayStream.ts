import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Cause, Chunk, Effect, Exit, Option, Scope, Stream } from "effect"
import { describeCause, redactSecrets } from "./describeCause.js"

export interface JsonArrayOptions<A> {
  /** What the array is wrapped in (default `[` and `]`): the data store's getAll wraps it in an object. */
  readonly open?: string | undefined
  readonly close?: string | undefined
  /** The JSON value of one item (default: the item itself). */
  readonly encode?: ((item: A) => unknown) | undefined
  /** Names the listing in the log line of a cut-short response. */
  readonly what: string
}

// The platform answers a failing body stream by ending the response normally, which would hand the
// client a complete HTTP answer with a cut JSON text; destroying the socket makes it a network error.
const abortConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    const response = NodeHttpServerRequest.toServerResponse(request) as { destroy?: () => void } | undefined
    response?.destroy?.()
  })

const failureText = (cause: Cause.Cause<unknown>) => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value as { message?: unknown; cause?: unknown }
    return redactSecrets(`${typeof error.message === "string" ? error.message : String(failure.value)} ${describeCause(error.cause)}`).trim()
  }
  return describeCause(Cause.squash(cause))
}

/**
 * A JSON array answered as its items arrive, one piece per chunk (a page of the port's stream), so
 * that a request holds about two pages, never the whole collection. The first two chunks are read
 * before answering: a failure there is the endpoint's own error status, and a list that fits in
 * them is one plain body with a length. Later, a failure aborts the connection instead of ending
 * the body, so that no client takes a shortened array for the whole list; it is logged.
 */
export const jsonArrayResponse = <A, E>(
  items: Stream.Stream<A, E>,
  options: JsonArrayOptions<A>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const open = options.open ?? "["
    const close = options.close ?? "]"
    const encode = options.encode
    let started = false
    // One JSON.stringify per chunk: the array's brackets are cut off and the pieces joined by commas.
    const piece = (chunk: Chunk.Chunk<A>): string => {
      if (Chunk.isEmpty(chunk)) return ""
      const array = Chunk.toReadonlyArray(chunk)
      const json = JSON.stringify(encode === undefined ? array : array.map(encode))
      const inner = json.slice(1, -1)
      const text = started ? "," + inner : inner
      started = true
      return text
    }

    const scope = yield* Scope.make()
    const pull = yield* Scope.extend(Stream.toPull(items), scope)
    // Some(chunk) while there is more, None at the end.
    const next = pull.pipe(
      Effect.map(Option.some),
      Effect.catchAll(Option.match({ onNone: () => Effect.succeed(Option.none<Chunk.Chunk<A>>()), onSome: Effect.fail }))
    )
    const readHead = Effect.flatMap(next, (first): Effect.Effect<ReadonlyArray<Chunk.Chunk<A>>, E> =>
      Option.isNone(first)
        ? Effect.succeed([])
        : Effect.map(next, (second) => Option.isNone(second) ? [first.value] : [first.value, second.value]))
    const head = yield* Effect.onExit(readHead, (exit) =>
      Exit.isFailure(exit) || exit.value.length < 2 ? Scope.close(scope, Exit.void) : Effect.void)
    if (head.length < 2) {
      const body = head.length === 0 ? "" : piece(head[0]!)
      return HttpServerResponse.text(open + body + close, { contentType: "application/json" })
    }

    const request = yield* HttpServerRequest.HttpServerRequest
    const rest = Stream.repeatEffectChunkOption(pull).pipe(
      Stream.mapChunks((chunk) => {
        const text = piece(chunk)
        return text === "" ? Chunk.empty() : Chunk.of(text)
      })
    )
    const body = Stream.make(open + piece(head[0]!) + piece(head[1]!)).pipe(
      Stream.concat(rest),
      Stream.concat(Stream.make(close)),
      Stream.tapErrorCause((cause) =>
        Cause.isInterruptedOnly(cause) ? Effect.void : Effect.zipRight(
          abortConnection(request),
          Effect.logError(`${options.what}: the response was cut short and its connection closed: ${failureText(cause)}`)
        )),
      Stream.ensuring(Scope.close(scope, Exit.void)),
      Stream.encodeText
    )
    return HttpServerResponse.stream(body, { contentType: "application/json" })
  })

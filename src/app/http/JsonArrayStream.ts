import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Cause, Chunk, Effect, Exit, Option, Scope, Stream } from "effect"
import { describeCause, redactSecrets } from "./describeCause.js"
import { jsonText } from "./JsonText.js"

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

/**
 * The pages as strings, typed as the bytes HttpServerResponse.stream declares. platform-node hands
 * each chunk to `ServerResponse.write`, which takes a string as it takes bytes (UTF-8) and writes it
 * through memory freed as soon as the write returns. A page encoded into a Uint8Array keeps its
 * malloc'd memory until V8's next scavenge, and freed together those left glibc's heap top over its
 * trim threshold: a list of 1,000 agents gave back 5.5 MB at each scavenge and faulted it in again,
 * up to 60 faults a request (JsonText.ts says the same of one-page answers). Tested on that server in
 * test/http/streamedLists.test.ts; another platform would need bytes here.
 */
const textStream = <E>(pieces: Stream.Stream<string, E>): Stream.Stream<Uint8Array, E> =>
  pieces as unknown as Stream.Stream<Uint8Array, E>

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
 * before answering (the second to learn whether there is more): a failure there is the endpoint's
 * own error status, and a list of one chunk is one plain body with a length. Later, a failure aborts the connection instead of ending
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
    const json = (chunk: Chunk.Chunk<A>) => {
      const array = Chunk.toReadonlyArray(chunk)
      return JSON.stringify(encode === undefined ? array : array.map(encode))
    }
    // One JSON.stringify per chunk; its brackets cut off as a slice of the string (V8 keeps a view,
    // no copy) and the pieces joined by separate commas, so that a page is held once. Strings, not
    // bytes: see textStream above.
    let started = false
    const pieces = (chunk: Chunk.Chunk<A>): Chunk.Chunk<string> => {
      if (Chunk.isEmpty(chunk)) return Chunk.empty()
      const text = json(chunk)
      const inner = text.slice(1, text.length - 1)
      if (!started) {
        started = true
        return Chunk.of(inner)
      }
      return Chunk.make(",", inner)
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
      // A plain array is its one JSON text as it is: no slice and concatenation to copy once more.
      const text = head.length === 0 ? open + close : open === "[" && close === "]" ? json(head[0]!) : open + json(head[0]!).slice(1, -1) + close
      return jsonText(text)
    }

    const request = yield* HttpServerRequest.HttpServerRequest
    // Pages become bytes only when the server writes them (it waits for each to drain).
    const body = Stream.fromIterable(head).pipe(
      Stream.rechunk(1),
      Stream.concat(Stream.repeatEffectOption(pull)),
      Stream.mapConcatChunk(pieces),
      Stream.prepend(Chunk.of(open)),
      Stream.concat(Stream.succeed(close)),
      Stream.tapErrorCause((cause) =>
        Cause.isInterruptedOnly(cause) ? Effect.void : Effect.zipRight(
          abortConnection(request),
          Effect.logError(`${options.what}: the response was cut short and its connection closed: ${failureText(cause)}`)
        )),
      Stream.ensuring(Scope.close(scope, Exit.void))
    )
    return HttpServerResponse.stream(textStream(body), { contentType: "application/json" })
  })

import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Cause, Chunk, Effect, Exit, Option, Scope, Stream } from "effect"
import { describeCause, redactSecrets } from "./describeCause.js"
import { closeWhenConnectionCloses } from "./HeldResponse.js"
import type { DocumentPage } from "../../ports/Document.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { pageStream } from "../../ports/pageStream.js"
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

/** What a listing writes: its brackets, and each chunk (a page) as JSON. */
const listingText = <A>(options: JsonArrayOptions<A>) => {
  const open = options.open ?? "["
  const close = options.close ?? "]"
  const encode = options.encode
  const json = (chunk: Chunk.Chunk<A>) => {
    const array = Chunk.toReadonlyArray(chunk)
    return JSON.stringify(encode === undefined ? array : array.map(encode))
  }
  return {
    open,
    close,
    json,
    /** The listing of one chunk or none. A plain array is its one JSON text as it is: no slice and concatenation to copy once more. */
    whole: (chunk: Chunk.Chunk<A> | undefined) =>
      chunk === undefined ? open + close : open === "[" && close === "]" ? json(chunk) : open + json(chunk).slice(1, -1) + close
  }
}

/**
 * The listing whose first two chunks are `head`, streamed: `rest` is the chunks after them. Later,
 * a failure aborts the connection instead of ending the body, so that no client takes a shortened
 * array for the whole list; it is logged.
 */
const streamedListing = <A, E>(
  head: readonly [Chunk.Chunk<A>, Chunk.Chunk<A>],
  rest: Stream.Stream<Chunk.Chunk<A>, E>,
  options: JsonArrayOptions<A>,
  request: HttpServerRequest.HttpServerRequest
): Stream.Stream<string, E> => {
  const { close, json, open } = listingText(options)
  // One JSON.stringify per chunk; its brackets cut off as a slice of the string (V8 keeps a view,
  // no copy) and the pieces joined by separate commas, so that a page is held once.
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
  return Stream.fromIterable(head).pipe(
    Stream.rechunk(1),
    Stream.concat(rest),
    Stream.mapConcatChunk(pieces),
    Stream.prepend(Chunk.of(open)),
    Stream.concat(Stream.succeed(close)),
    Stream.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Effect.zipRight(
        abortConnection(request),
        Effect.logError(`${options.what}: the response was cut short and its connection closed: ${failureText(cause)}`)
      ))
  )
}

// Pages become bytes only when the server writes them (it waits for each to drain). Strings, not
// bytes: see textStream above.
const streamedResponse = <E>(request: HttpServerRequest.HttpServerRequest, body: Stream.Stream<string, E>) =>
  Effect.as(closeWhenConnectionCloses(request), HttpServerResponse.stream(textStream(body), { contentType: "application/json" }))

/**
 * A JSON array answered as its items arrive, one piece per chunk (a page of the port's stream), so
 * that a request holds about two pages, never the whole collection. The first two chunks are read
 * before answering (the second to learn whether there is more): a failure there is the endpoint's
 * own error status, and a list of one chunk is one plain body with a length.
 */
export const jsonArrayResponse = <A, E>(
  items: Stream.Stream<A, E>,
  options: JsonArrayOptions<A>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
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
    if (head.length < 2) return jsonText(listingText(options).whole(head[0]))
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = streamedListing([head[0]!, head[1]!], Stream.repeatEffectOption(pull), options, request)
    return yield* streamedResponse(request, Stream.ensuring(body, Scope.close(scope, Exit.void)))
  })

/**
 * jsonArrayResponse over the port's pages, read as plain Effects: a listing that fits its first
 * page runs no Stream at all, which cost more than reading the page (GET /agents of 100 agents:
 * bench/HISTORY.md, 4 December 14:00). A listing of more pages is streamed as jsonArrayResponse
 * streams it, with the same answers to a failure.
 */
export const jsonPagesResponse = <A, E>(
  first: Effect.Effect<DocumentPage<A>, E>,
  options: JsonArrayOptions<A>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E | DatabaseError, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(first, (page): Effect.Effect<HttpServerResponse.HttpServerResponse, E | DatabaseError, HttpServerRequest.HttpServerRequest> => {
    const text = listingText(options)
    if (page.next === undefined) return Effect.succeed(jsonText(text.whole(Chunk.unsafeFromArray(page.items))))
    // A backend may hand a cursor with a last page that was full: an empty page with none after it.
    return Effect.flatMap(page.next, (second) =>
      second.next === undefined && second.items.length === 0
        ? Effect.succeed(jsonText(text.whole(Chunk.unsafeFromArray(page.items))))
        : Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          const rest = Stream.chunks(pageStream(second.next))
          return streamedResponse(request, streamedListing([Chunk.unsafeFromArray(page.items), Chunk.unsafeFromArray(second.items)], rest, options, request))
        }))
  })

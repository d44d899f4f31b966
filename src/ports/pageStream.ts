import { Chunk, Effect, Option, Stream } from "effect"
import type { DocumentPage } from "./Document.js"

/**
 * The items of the page `first` reads and of every page after it, one chunk a page, each page
 * read when the stream reaches it (none when `first` is undefined): how `stream` is made of the
 * port's pages, and how a listing streams the pages after those it has read already.
 */
export const pageStream = <A, E>(first: Effect.Effect<DocumentPage<A, E>, E> | undefined): Stream.Stream<A, E> =>
  Stream.unfoldChunkEffect(first, (read) =>
    read === undefined
      ? Effect.succeed(Option.none())
      : Effect.map(read, (page) => Option.some([Chunk.unsafeFromArray(page.items), page.next] as const)))

import { Effect, Stream } from "effect"
import type { Backend } from "./Backends.js"
import type { Document, DocumentPage } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import { pageStream } from "../ports/pageStream.js"
import { retryTransient } from "./WritePage.js"

const retried = <E extends { readonly _tag: string }>(read: Effect.Effect<DocumentPage, E>): Effect.Effect<DocumentPage, E> =>
  Effect.map(retryTransient(read), (page) => ({ items: page.items, next: page.next === undefined ? undefined : retried(page.next) }))

/**
 * A collection's documents, page by page, for copy, export and verify. A page the backend did
 * not answer for (a timeout, a refused connection) is asked for again a few times with back-off:
 * each page's read starts after the last document of the page before (the port's cursor), so
 * nothing is read twice or skipped, however far into the collection it failed.
 */
export const sourceDocuments = (
  backend: Backend,
  collection: string,
  pageSize: number
): Stream.Stream<Document, DatabaseError | InvalidName> =>
  pageStream(retried(backend.db.pages(collection, { pageSize })))

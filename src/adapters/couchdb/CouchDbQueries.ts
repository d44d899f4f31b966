import { Effect } from "effect"
import type { Document, Selector } from "../../ports/Document.js"
import type { Page, RawDatabase } from "../../ports/RawDatabase.js"
import type { CouchClient, CouchFailure } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { AllDocsPage, decode, FindResponse } from "./CouchDbResponses.js"

/** Documents per `_find` request while collecting every match. */
const FIND_PAGE = 1000

/** Index definitions live in design documents; they are CouchDB's, not the caller's. */
const isUserDocument = (doc: Document): boolean => !doc._id.startsWith("_design/")

/**
 * One page of `_all_docs`: the request asks for one row more than a page, and that row's id is
 * where the next page starts, so no page pays for `skip`.
 */
const allDocumentsPage = (
  client: CouchClient,
  collections: Collections,
  collection: string,
  size: number,
  startkey: string | undefined
): Effect.Effect<Page, CouchFailure> =>
  collections.read(
    collection,
    client.request("page", {
      db: collections.db(collection),
      path: "_all_docs",
      qs: startkey === undefined ? { include_docs: true, limit: size + 1 } : { include_docs: true, limit: size + 1, startkey }
    }).pipe(
      Effect.flatMap(decode("page", AllDocsPage)),
      Effect.map(({ rows }) => ({ docs: rows.slice(0, size).map((row) => row.doc).filter(isUserDocument), next: rows[size]?.id }))
    ),
    () => Effect.succeed({ docs: [], next: undefined })
  )

/** Equality on every field; an empty selector matches every document. */
const mangoSelector = (selector: Selector): Record<string, unknown> => {
  const entries = Object.entries(selector)
  return entries.length === 0
    ? { _id: { $gt: null } }
    : Object.fromEntries(entries.map(([field, value]) => [field, { $eq: value }]))
}

/**
 * Mango `_find`, collecting pages until `limit` (or every match). CouchDB caps an unlimited query
 * at 25 documents, so the limit is always explicit; the next page follows CouchDB's bookmark, or
 * `skip` where the server sends none (pouchdb-server).
 */
const findDocuments = (
  client: CouchClient,
  collections: Collections,
  collection: string,
  selector: Selector,
  projection: ReadonlyArray<string> | undefined,
  limit: number
): Effect.Effect<ReadonlyArray<Document>, CouchFailure> => {
  const fields = projection === undefined ? undefined : [...new Set(["_id", "_rev", ...projection])]
  const query = { selector: mangoSelector(selector), ...(fields === undefined ? {} : { fields }) }

  const pages = Effect.gen(function*() {
    const found: Array<Document> = []
    let bookmark: string | undefined
    let skip = 0
    while (found.length < limit) {
      const want = Math.min(FIND_PAGE, limit - found.length)
      const paging = bookmark !== undefined ? { bookmark } : skip > 0 ? { skip } : {}
      const { docs, bookmark: next } = yield* client.request("find", {
        method: "POST",
        db: collections.db(collection),
        path: "_find",
        body: { ...query, limit: want, ...paging }
      }).pipe(Effect.flatMap(decode("find", FindResponse)))
      for (const doc of docs) {
        if (isUserDocument(doc) && found.length < limit) found.push(doc)
      }
      if (docs.length < want) break
      bookmark = next
      skip += docs.length
    }
    return found
  })
  return collections.read(collection, pages, () => Effect.succeed([]))
}

/** page, find and ensureIndex. */
export const queryOperations = (
  client: CouchClient,
  collections: Collections
): Pick<RawDatabase, "page" | "listPageSize" | "find" | "ensureIndex"> => ({
  page: (collection, size, cursor) =>
    allDocumentsPage(client, collections, collection, size, cursor as string | undefined).pipe(client.orDatabaseError("page")),
  listPageSize: 1000,
  find: (collection, selector, fields, limit) =>
    findDocuments(client, collections, collection, selector, fields, limit).pipe(client.orDatabaseError("find")),
  ensureIndex: (collection, fields) => {
    const name = `by-${fields.join("-")}`
    const create = client.request("ensureIndex", {
      method: "POST",
      db: collections.db(collection),
      path: "_index",
      body: { index: { fields }, name, ddoc: `docport-${name}`, type: "json" }
    })
    return collections.index("ensureIndex", collection, fields.join(","), create).pipe(client.orDatabaseError("ensureIndex"))
  }
})

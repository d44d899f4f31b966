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
  limit: number,
  after: string | undefined
): Effect.Effect<ReadonlyArray<Document>, CouchFailure> => {
  const fields = projection === undefined ? undefined : [...new Set(["_id", "_rev", ...projection])]
  // A page (limited or after an id) must come in the order the next page continues in.
  if (after !== undefined || Number.isFinite(limit)) {
    return findAfter(client, collections, collection, selector, after, limit, fields)
  }
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
        if (doc !== null && isUserDocument(doc) && found.length < limit) found.push(doc)
      }
      if (docs.length < want) break
      bookmark = next
      skip += docs.length
    }
    return found
  })
  return collections.read(collection, pages, () => Effect.succeed([]))
}

/**
 * Matches (after an id, if given) in id order: a range over an index on the selector's fields then `_id`
 * (made on first use), so each page costs one request however deep it is. `$gte` and one extra
 * row rather than `$gt`: pouchdb-server applies the limit before dropping the row equal to the
 * range's start, and would end a page early.
 */
const findAfter = (
  client: CouchClient,
  collections: Collections,
  collection: string,
  selector: Selector,
  after: string | undefined,
  limit: number,
  fields: ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<Document>, CouchFailure> => {
  const keys = Object.keys(selector)
  const name = `paging-${keys.join("-")}`
  const index = [...keys, "_id"]
  const ensured = keys.length === 0 ? Effect.void : collections.index(
    "find",
    collection,
    index.join(","),
    client.request("find", {
      method: "POST",
      db: collections.db(collection),
      path: "_index",
      body: { index: { fields: index }, name, ddoc: `docport-${name}`, type: "json" }
    })
  )
  const base = Object.fromEntries(Object.entries(selector).map(([field, value]) => [field, { $eq: value }]))
  const page = (from: string | undefined, want: number) =>
    client.request("find", {
      method: "POST",
      db: collections.db(collection),
      path: "_find",
      body: {
        selector: { ...base, _id: from === undefined ? { $gt: null } : { $gte: from } },
        sort: index.map((field) => ({ [field]: "asc" })),
        ...(keys.length === 0 ? {} : { use_index: [`docport-${name}`, name] }),
        ...(fields === undefined ? {} : { fields }),
        limit: want + 1
      }
    }).pipe(Effect.flatMap(decode("find", FindResponse)))
  const pages = Effect.gen(function*() {
    const found: Array<Document> = []
    let from: string | undefined = after
    while (found.length < limit) {
      const want = Math.min(FIND_PAGE, Math.ceil(limit - found.length))
      const { docs } = yield* page(from, want)
      const live = docs.filter((doc): doc is Document => doc !== null)
      const kept = live.filter((doc) => doc._id !== from && isUserDocument(doc)).slice(0, want)
      for (const doc of kept) found.push(doc)
      const last = kept.length === want ? kept.at(-1) : live.at(-1)
      if (docs.length < want + 1 || last === undefined) break
      from = last._id
    }
    return found
  })
  return collections.read(collection, Effect.zipRight(ensured, pages), () => Effect.succeed([]))
}

/** page, find and ensureIndex. */
export const queryOperations = (
  client: CouchClient,
  collections: Collections
): Pick<RawDatabase, "page" | "listPageSize" | "find" | "ensureIndex"> => ({
  page: (collection, size, cursor) =>
    allDocumentsPage(client, collections, collection, size, cursor as string | undefined).pipe(client.orDatabaseError("page")),
  listPageSize: 1000,
  find: (collection, selector, fields, limit, after) =>
    findDocuments(client, collections, collection, selector, fields, limit, after).pipe(client.orDatabaseError("find")),
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

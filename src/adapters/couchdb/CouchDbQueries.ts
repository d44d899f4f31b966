import { Chunk, Effect, Option, Stream } from "effect"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { DEFAULT_PAGE_SIZE, type Document, type FindOptions, type Selector } from "../../ports/Document.js"
import { project } from "../../ports/Json.js"
import { validateCollection, validateIndex, validateQuery } from "../../ports/Validation.js"
import type { CouchClient, CouchFailure } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { AllDocsPage, decode, FindResponse } from "./CouchDbResponses.js"

/** Documents per `_find` request while collecting every match. */
const FIND_PAGE = 1000

/** listAll reads in pages this large: fewer round trips than the stream's default. */
const LIST_PAGE = 1000

/** Index definitions live in design documents; they are CouchDB's, not the caller's. */
const isUserDocument = (doc: Document): boolean => !doc._id.startsWith("_design/")

/**
 * Reads `_all_docs` page by page: each request asks for one row more than a page, and that row's
 * id is where the next page starts, so no page pays for `skip`.
 */
const allDocuments = (
  client: CouchClient,
  collections: Collections,
  operation: string,
  collection: string,
  pageSize: number
): Stream.Stream<Document, CouchFailure> =>
  Stream.paginateChunkEffect(undefined as string | undefined, (startkey) =>
    collections.read(
      collection,
      client.request(operation, {
        db: collections.db(collection),
        path: "_all_docs",
        qs: startkey === undefined
          ? { include_docs: true, limit: pageSize + 1 }
          : { include_docs: true, limit: pageSize + 1, startkey }
      }).pipe(
        Effect.flatMap(decode(operation, AllDocsPage)),
        Effect.map(({ rows }) => {
          const page = rows.slice(0, pageSize).map((row) => row.doc).filter(isUserDocument)
          const next = rows[pageSize]
          return [Chunk.unsafeFromArray(page), next === undefined ? Option.none() : Option.some(next.id)] as const
        })
      ),
      () => Effect.succeed([Chunk.empty<Document>(), Option.none<string>()] as const)
    ))

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
  options: FindOptions | undefined
): Effect.Effect<ReadonlyArray<Document>, CouchFailure> => {
  const limit = options?.limit ?? Number.POSITIVE_INFINITY
  const fields = options?.fields === undefined ? undefined : [...new Set(["_id", "_rev", ...options.fields])]
  const query = { selector: mangoSelector(selector), ...(fields === undefined ? {} : { fields }) }

  const pages = Effect.gen(function*() {
    const found: Array<Document> = []
    let bookmark: string | undefined
    let skip = 0
    while (found.length < limit) {
      const want = Math.min(FIND_PAGE, Math.ceil(limit - found.length))
      const paging = bookmark !== undefined ? { bookmark } : skip > 0 ? { skip } : {}
      const { docs, bookmark: next } = yield* client.request("find", {
        method: "POST",
        db: collections.db(collection),
        path: "_find",
        body: { ...query, limit: want, ...paging }
      }).pipe(Effect.flatMap(decode("find", FindResponse)))
      for (const doc of docs) {
        if (isUserDocument(doc) && found.length < limit) found.push(project(doc, options?.fields))
      }
      if (docs.length < want) break
      bookmark = next
      skip += docs.length
    }
    return found
  })
  if (limit <= 0) return Effect.succeed([])
  // A page (limited or after an id) must come in the order the next page continues in.
  if (options?.after !== undefined || options?.limit !== undefined) {
    return findAfter(client, collections, collection, selector, options.after, limit, fields, options.fields)
  }
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
  fields: ReadonlyArray<string> | undefined,
  requested: ReadonlyArray<string> | undefined
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
      const kept = docs.filter((doc) => doc._id !== from && isUserDocument(doc)).slice(0, want)
      for (const doc of kept) found.push(project(doc, requested))
      const last = kept.length === want ? kept.at(-1) : docs.at(-1)
      if (docs.length < want + 1 || last === undefined) break
      from = last._id
    }
    return found
  })
  return collections.read(collection, Effect.zipRight(ensured, pages), () => Effect.succeed([]))
}

/** listAll, stream, find and ensureIndex. */
export const queryOperations = (
  client: CouchClient,
  collections: Collections
): Pick<DatabaseServiceShape, "listAll" | "stream" | "find" | "ensureIndex"> => ({
  listAll: (collection) =>
    Effect.zipRight(
      validateCollection(collection),
      Effect.map(
        Stream.runCollect(Stream.mapError(allDocuments(client, collections, "listAll", collection, LIST_PAGE), client.toDatabaseError("listAll"))),
        (chunk): ReadonlyArray<Document> => Chunk.toReadonlyArray(chunk)
      )
    ).pipe(Effect.withSpan("CouchDb.listAll")),

  stream: (collection, options) => {
    const pageSize = Math.max(1, Math.floor(options?.pageSize ?? DEFAULT_PAGE_SIZE))
    return Stream.unwrap(Effect.map(
      validateCollection(collection),
      () => Stream.mapError(allDocuments(client, collections, "stream", collection, pageSize), client.toDatabaseError("stream"))
    )).pipe(Stream.withSpan("CouchDb.stream"))
  },

  find: (collection, selector, options) =>
    Effect.zipRight(
      validateQuery(collection, selector, options),
      findDocuments(client, collections, collection, selector, options).pipe(client.orDatabaseError("find"))
    ).pipe(Effect.withSpan("CouchDb.find")),

  ensureIndex: (collection, fields) => {
    const name = `by-${fields.join("-")}`
    const create = client.request("ensureIndex", {
      method: "POST",
      db: collections.db(collection),
      path: "_index",
      body: { index: { fields }, name, ddoc: `docport-${name}`, type: "json" }
    })
    return Effect.zipRight(
      validateIndex(collection, fields),
      fields.length === 0
        ? Effect.void
        : collections.index("ensureIndex", collection, fields.join(","), create).pipe(client.orDatabaseError("ensureIndex"))
    ).pipe(Effect.withSpan("CouchDb.ensureIndex"))
  }
})

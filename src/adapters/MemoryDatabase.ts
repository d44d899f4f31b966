import { Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { BulkResult, Document } from "../ports/Document.js"
import { Conflict, NotFound } from "../ports/Errors.js"
import { makeDatabaseService, type MakeOptions } from "../ports/makeDatabaseService.js"
import type { RawDatabase, StoredWrite } from "../ports/RawDatabase.js"

type Table = Map<string, Document>

const deepFreeze = <A>(value: A): A => {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** A stream's position: the ids as they were when it started, and how many of them were read. */
interface Cursor {
  readonly ids: ReadonlyArray<string>
  readonly offset: number
}

/**
 * The in-memory backend. Each operation runs synchronously inside one Effect.sync, so a
 * check-and-write can never interleave with another fiber's: compare-and-swap is exact.
 * Stored documents are frozen copies, so callers can share them without cloning on read.
 */
export const makeRaw = (): RawDatabase => {
  const tables = new Map<string, Table>()
  // Each collection's ids in order, for find's paging; dropped whenever an id comes or goes.
  const orderedIds = new Map<string, ReadonlyArray<string>>()
  let writes = 0

  const idsInOrder = (collection: string): ReadonlyArray<string> => {
    let ids = orderedIds.get(collection)
    if (ids === undefined) {
      ids = Array.from(tables.get(collection)?.keys() ?? []).sort()
      orderedIds.set(collection, ids)
    }
    return ids
  }

  /** The position of the first id greater than `after`. */
  const startAfter = (ids: ReadonlyArray<string>, after: string): number => {
    let low = 0
    let high = ids.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (ids[middle]! <= after) low = middle + 1
      else high = middle
    }
    return low
  }

  const table = (collection: string): Table => {
    let t = tables.get(collection)
    if (t === undefined) {
      t = new Map()
      tables.set(collection, t)
    }
    return t
  }

  // A revision is "<generation>-<process-wide write counter>": never reused, even after a delete.
  const nextRev = (previous: string | undefined): string => {
    const generation = previous === undefined ? 1 : Number.parseInt(previous, 10) + 1
    writes += 1
    return `${generation}-${writes.toString(16).padStart(8, "0")}`
  }

  const write = (collection: string, { body, expectedRev, id }: StoredWrite, create: boolean): string | undefined => {
    const t = table(collection)
    const existing = t.get(id)
    if (create && existing !== undefined) return undefined
    if (expectedRev !== undefined && existing?._rev !== expectedRev) return undefined
    const rev = nextRev(existing?._rev)
    if (existing === undefined) orderedIds.delete(collection)
    // The body is the port's own copy (storedBody), so it is finished in place. Spread into a
    // new object (`{ ...body, _id, _rev }`), every stored document got a V8 map of its own once
    // the spread was warm (991 maps for 1,000 documents of one shape, on Node 20): every read of
    // a field of a document then missed V8's caches, four times in each GET of an agent.
    body._id = id
    body._rev = rev
    t.set(id, deepFreeze(body as Document))
    return rev
  }

  return {
    provider: "memory",
    ping: Effect.void,
    get: (collection, id) => Effect.sync(() => tables.get(collection)?.get(id)),
    save: (collection, w) =>
      Effect.suspend(() => {
        const rev = write(collection, w, w.create)
        return rev === undefined ? Effect.fail(new Conflict({ collection, id: w.id })) : Effect.succeed(rev)
      }),
    delete: (collection, id, expectedRev) =>
      Effect.suspend((): Effect.Effect<void, NotFound | Conflict> => {
        const existing = tables.get(collection)?.get(id)
        if (existing === undefined) return Effect.fail(new NotFound({ collection, id }))
        if (expectedRev !== undefined && expectedRev !== existing._rev) return Effect.fail(new Conflict({ collection, id }))
        tables.get(collection)!.delete(id)
        orderedIds.delete(collection)
        return Effect.void
      }),
    // Snapshot the ids once; each page then reads the documents as they are at that moment.
    page: (collection, size, cursor) =>
      Effect.sync(() => {
        const t = tables.get(collection)
        const { ids, offset } = (cursor as Cursor | undefined) ?? { ids: Array.from(t?.keys() ?? []), offset: 0 }
        const docs: Array<Document> = []
        for (const id of ids.slice(offset, offset + size)) {
          const doc = t?.get(id)
          if (doc !== undefined) docs.push(doc)
        }
        return { docs, next: offset + size < ids.length ? { ids, offset: offset + size } : undefined }
      }),
    listPageSize: Number.MAX_SAFE_INTEGER,
    find: (collection, selector, _fields, limit, after) =>
      Effect.sync(() => {
        const entries = Object.entries(selector)
        const out: Array<Document> = []
        const t = tables.get(collection)
        if (t === undefined) return out
        const matches = (doc: Document | undefined): doc is Document =>
          doc !== undefined && entries.every(([field, value]) => doc[field] === value)
        // Every match, in no particular order: no need to sort the ids.
        if (after === undefined && limit === Number.POSITIVE_INFINITY) {
          for (const doc of t.values()) if (matches(doc)) out.push(doc)
          return out
        }
        const ids = idsInOrder(collection)
        for (let i = after === undefined ? 0 : startAfter(ids, after); i < ids.length && out.length < limit; i++) {
          const doc = t.get(ids[i]!)
          if (matches(doc)) out.push(doc)
        }
        return out
      }),
    ensureIndex: () => Effect.void,
    getMany: (collection, ids) =>
      Effect.sync(() => {
        const t = tables.get(collection)
        const found = new Map<string, Document>()
        for (const id of ids) {
          const doc = t?.get(id)
          if (doc !== undefined) found.set(id, doc)
        }
        return found
      }),
    saveMany: (collection, ws) =>
      Effect.sync(() =>
        ws.map((w): BulkResult => {
          const rev = write(collection, w, w.create)
          return rev === undefined
            ? { id: w.id, ok: false, error: "conflict", reason: "revision differs or document is gone" }
            : { id: w.id, ok: true, rev }
        })
      ),
    deleteMany: (collection, ids) =>
      Effect.sync(() =>
        ids.map((id): BulkResult => {
          if (tables.get(collection)?.delete(id) === true) orderedIds.delete(collection)
          return { id, ok: true }
        })
      )
  }
}

export const makeWith = (options?: MakeOptions): Effect.Effect<DatabaseService["Type"]> =>
  Effect.sync(() => makeDatabaseService(makeRaw(), options))

export const make: Effect.Effect<DatabaseService["Type"]> = makeWith()

export const layer: Layer.Layer<DatabaseService> = Layer.effect(DatabaseService, make)

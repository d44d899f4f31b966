import { Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { BulkResult, Document, Selector } from "../ports/Document.js"
import { Conflict, NotFound } from "../ports/Errors.js"
import { makeDatabaseService, type MakeOptions } from "../ports/makeDatabaseService.js"
import type { RawDatabase, StoredWrite } from "../ports/RawDatabase.js"
import { type ArenaStats, DocumentArena, type Location } from "./memory/DocumentArena.js"
import { IdIndex } from "./memory/IdIndex.js"
import { ReadCache, type Shelf } from "./memory/ReadCache.js"

/** A collection: where each document's record is, and the documents of it read last. */
interface Table {
  readonly index: number
  readonly at: IdIndex
  readonly cached: Shelf
}

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
 * A selector's test of a parsed document, and of a stored one before parsing: a document whose
 * field equals a value holds that value's JSON text somewhere in its own.
 */
const selectorTest = (arena: DocumentArena, selector: Selector) => {
  const entries = Object.entries(selector)
  const needles = entries.map(([, value]) => Buffer.from(JSON.stringify(value), "utf8"))
  return {
    fields: (doc: Document) => entries.every(([field, value]) => doc[field] === value),
    mayHold: (at: Location) => needles.every((needle) => arena.holds(at, needle))
  }
}

export interface MemoryOptions {
  /** Bytes of each buffer documents are kept in (DocumentArena.ts). */
  readonly chunkBytes?: number | undefined
  /** Bytes of JSON of the documents kept parsed after a read, across collections (ReadCache.ts). */
  readonly cacheBytes?: number | undefined
}

/** 4 MiB: a chunk holds at least twenty documents at the port's limit of 200 KB. */
export const CHUNK_BYTES = 4 * 1024 * 1024
/**
 * 32 MiB of JSON, the most a read-mostly working set keeps on the heap: about 60 – 80 MB of
 * objects, up to about 100 MB for small documents of many fields (3.2 × their JSON, measured).
 */
export const CACHE_BYTES = 32 * 1024 * 1024

/** What the memory backend holds, for tests and the bench: its arena, and the bytes of JSON kept parsed. */
export interface MemoryStats {
  readonly arena: ArenaStats
  readonly cachedBytes: number
}

export const makeRaw = (options?: MemoryOptions): RawDatabase => makeMemory(options).raw

/**
 * The in-memory backend. Each operation runs synchronously inside one Effect.sync, so a
 * check-and-write can never interleave with another fiber's: compare-and-swap is exact.
 * Documents are kept as JSON bytes outside V8's heap (DocumentArena.ts) and parsed when read,
 * the ones read last kept parsed (ReadCache.ts); what a read returns is frozen, so callers can
 * share it without cloning.
 */
export const makeMemory = (options?: MemoryOptions): { readonly raw: RawDatabase; readonly stats: () => MemoryStats } => {
  const tables = new Map<string, Table>()
  const byIndex: Array<Table> = []
  const arena = new DocumentArena(options?.chunkBytes ?? CHUNK_BYTES, (index, id, to) => byIndex[index]!.at.set(id, to))
  const cache = new ReadCache(options?.cacheBytes ?? CACHE_BYTES)
  // Each collection's ids in order, for listings and find's paging; dropped whenever an id comes or goes.
  const orderedIds = new Map<string, ReadonlyArray<string>>()
  let writes = 0

  const idsInOrder = (collection: string): ReadonlyArray<string> => {
    let ids = orderedIds.get(collection)
    if (ids === undefined) {
      ids = (tables.get(collection)?.at.ids() ?? []).sort()
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
      t = { index: byIndex.length, at: new IdIndex(arena), cached: new Map() }
      byIndex.push(t)
      tables.set(collection, t)
    }
    return t
  }

  // A revision is "<generation>-<process-wide write counter>": never reused, even after a delete.
  const revText = (generation: number, counter: number) => `${generation}-${counter.toString(16).padStart(8, "0")}`
  const revAt = (at: Location) => revText(arena.generation(at), arena.counter(at))

  /** The document `id` of `t` stored at `at`, parsed and cached (for a scan, only if there is room). */
  const parsed = (t: Table, id: string, at: Location, scan: boolean): Document => {
    const doc = JSON.parse(arena.json(at)) as Record<string, unknown>
    doc._id = id
    doc._rev = revAt(at)
    const frozen = deepFreeze(doc as Document)
    const bytes = arena.jsonBytes(at)
    return scan ? cache.admit(t.cached, id, frozen, bytes) : cache.add(t.cached, id, frozen, bytes)
  }

  /** The document `id` of `t`, from the cache or as stored. */
  const read = (t: Table, id: string, scan: boolean): Document | undefined => {
    const hit = cache.get(t.cached, id)
    if (hit !== undefined) return hit
    const at = t.at.get(id)
    return at === undefined ? undefined : parsed(t, id, at, scan)
  }

  const write = (collection: string, { body, expectedRev, id }: StoredWrite, create: boolean): string | undefined => {
    const t = table(collection)
    const existing = t.at.get(id)
    if (create && existing !== undefined) return undefined
    if (expectedRev !== undefined && (existing === undefined || revAt(existing) !== expectedRev)) return undefined
    const generation = existing === undefined ? 1 : arena.generation(existing) + 1
    writes += 1
    const rev = revText(generation, writes)
    const json = JSON.stringify(body)
    // The index lets go of a record before the arena does: it reads a record's id to compare.
    if (existing === undefined) orderedIds.delete(collection)
    else {
      t.at.delete(id)
      arena.release(existing)
      // A rewritten document leaves the cache, and its next read parses the new version. Cached
      // here, each rewrite's body outlived two scavenges, was promoted to the old generation and
      // left there as garbage by the next rewrite: under a stream of PUTs a full collection came
      // every 8.4 s instead of every 20.7 s (bench/HISTORY.md, 6 December).
      cache.remove(t.cached, id)
    }
    t.at.set(id, arena.put(t.index, id, generation, writes, json))
    return rev
  }

  const remove = (t: Table, id: string): boolean => {
    // The index lets go of a record before the arena does: it reads a record's id to compare.
    const at = t.at.delete(id)
    if (at === undefined) return false
    arena.release(at)
    cache.remove(t.cached, id)
    return true
  }

  const raw: RawDatabase = {
    provider: "memory",
    ping: Effect.void,
    get: (collection, id) =>
      Effect.sync(() => {
        const t = tables.get(collection)
        return t === undefined ? undefined : read(t, id, false)
      }),
    save: (collection, w) =>
      Effect.suspend(() => {
        const rev = write(collection, w, w.create)
        return rev === undefined ? Effect.fail(new Conflict({ collection, id: w.id })) : Effect.succeed(rev)
      }),
    delete: (collection, id, expectedRev) =>
      Effect.suspend((): Effect.Effect<void, NotFound | Conflict> => {
        const t = tables.get(collection)
        const existing = t?.at.get(id)
        if (existing === undefined) return Effect.fail(new NotFound({ collection, id }))
        if (expectedRev !== undefined && expectedRev !== revAt(existing)) return Effect.fail(new Conflict({ collection, id }))
        remove(t!, id)
        orderedIds.delete(collection)
        return Effect.void
      }),
    // The ids in order as they are when the listing starts (CouchDB's order); each page then reads
    // the documents as they are at that moment.
    page: (collection, size, cursor) =>
      Effect.sync(() => {
        const t = tables.get(collection)
        const { ids, offset } = (cursor as Cursor | undefined) ?? { ids: idsInOrder(collection), offset: 0 }
        const docs: Array<Document> = []
        if (t !== undefined) {
          for (const id of ids.slice(offset, offset + size)) {
            const doc = read(t, id, true)
            if (doc !== undefined) docs.push(doc)
          }
        }
        return { docs, next: offset + size < ids.length ? { ids, offset: offset + size } : undefined }
      }),
    listPageSize: Number.MAX_SAFE_INTEGER,
    find: (collection, selector, _fields, limit, after) =>
      Effect.sync(() => {
        const out: Array<Document> = []
        const t = tables.get(collection)
        if (t === undefined) return out
        const matches = selectorTest(arena, selector)
        // A document not cached is parsed only when its JSON holds every value the selector asks for.
        const match = (id: string): Document | undefined => {
          let doc = cache.get(t.cached, id)
          if (doc === undefined) {
            const at = t.at.get(id)
            if (at === undefined || !matches.mayHold(at)) return undefined
            doc = parsed(t, id, at, true)
          }
          return matches.fields(doc) ? doc : undefined
        }
        // Every match, in no particular order: no need to sort the ids, nor to read those of the
        // documents whose JSON rules them out.
        if (after === undefined && limit === Number.POSITIVE_INFINITY) {
          t.at.forEach((at) => {
            if (!matches.mayHold(at)) return
            const id = arena.id(at)
            const doc = cache.get(t.cached, id) ?? parsed(t, id, at, true)
            if (matches.fields(doc)) out.push(doc)
          })
          return out
        }
        const ordered = idsInOrder(collection)
        for (let i = after === undefined ? 0 : startAfter(ordered, after); i < ordered.length && out.length < limit; i++) {
          const doc = match(ordered[i]!)
          if (doc !== undefined) out.push(doc)
        }
        return out
      }),
    ensureIndex: () => Effect.void,
    getMany: (collection, ids) =>
      Effect.sync(() => {
        const t = tables.get(collection)
        const found = new Map<string, Document>()
        if (t === undefined) return found
        for (const id of ids) {
          const doc = read(t, id, false)
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
      Effect.sync(() => {
        const t = tables.get(collection)
        return ids.map((id): BulkResult => {
          if (t !== undefined && remove(t, id)) orderedIds.delete(collection)
          return { id, ok: true }
        })
      })
  }
  return { raw, stats: () => ({ arena: arena.stats(), cachedBytes: cache.bytes }) }
}

export const makeWith = (options?: MakeOptions): Effect.Effect<DatabaseService["Type"]> =>
  Effect.sync(() => makeDatabaseService(makeRaw(), options))

export const make: Effect.Effect<DatabaseService["Type"]> = makeWith()

export const layer: Layer.Layer<DatabaseService> = Layer.effect(DatabaseService, make)

import type { Document } from "../../ports/Document.js"

/** A document read from the arena, kept parsed (and frozen) for the reads after it. */
export interface Cached {
  readonly doc: Document
  readonly bytes: number
  readonly id: string
  readonly shelf: Shelf
}

/** One collection's cached documents by id. */
export type Shelf = Map<string, Cached>

/**
 * The documents read last, as objects, up to a budget of their JSON's bytes across every
 * collection; the first cached is the first let go. Reads of a working set within the budget
 * parse nothing, and what stays on V8's heap is bounded by the budget, not by the store.
 *
 * A scan (a listing, a stream, a find) only fills what is free of the first quarter of the
 * budget and lets no document go. Read once, a collection larger than that would otherwise push
 * out the documents read by id and leave the whole budget on the heap: streaming 100,000 small
 * documents (14 MB of JSON) left all of them parsed, 44.7 MB live and 51.6 MB at the peak
 * (bench/HISTORY.md, 6 December). A quarter of the default budget, 8 MiB, still holds the agents
 * Gofannon's UI lists (500 of ~10 KB: 6.3 MB), so a repeated listing parses nothing.
 */
export class ReadCache {
  // Insertion order is the order of eviction.
  private readonly order = new Set<Cached>()
  private held = 0

  constructor(private readonly budget: number) {}

  get bytes(): number {
    return this.held
  }

  get(shelf: Shelf, id: string): Document | undefined {
    return shelf.get(id)?.doc
  }

  /** Caches `doc` in place of any earlier version, letting the oldest go past the budget. */
  add(shelf: Shelf, id: string, doc: Document, bytes: number): Document {
    this.remove(shelf, id)
    if (bytes > this.budget) return doc
    const entry: Cached = { doc, bytes, id, shelf }
    shelf.set(id, entry)
    this.order.add(entry)
    this.held += bytes
    while (this.held > this.budget) {
      const oldest = this.order.values().next().value as Cached
      this.remove(oldest.shelf, oldest.id)
    }
    return doc
  }

  /** Caches `doc` for a scan: only while the cache stays within a quarter of its budget, evicting nothing. */
  admit(shelf: Shelf, id: string, doc: Document, bytes: number): Document {
    return this.held + bytes <= this.budget / 4 ? this.add(shelf, id, doc, bytes) : doc
  }

  remove(shelf: Shelf, id: string): void {
    const entry = shelf.get(id)
    if (entry === undefined) return
    shelf.delete(id)
    this.order.delete(entry)
    this.held -= entry.bytes
  }
}

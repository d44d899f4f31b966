import type { DocumentArena, Location } from "./DocumentArena.js"

/**
 * One collection's ids and where each document's record lies, in an open-addressing hash table
 * outside V8's heap. The ids themselves are not kept here: each slot holds a record's location
 * and the id's hash, and the id is compared against the record's own copy in the arena.
 *
 * As a `Map<string, Location>` every document kept about 100 B on the heap (its id string and the
 * map's entry), which a store growing by thousands of `POST`s a second turned into one or two
 * full collections a minute, each pausing the server for about 20 ms (bench/HISTORY.md, 6
 * December). Here a document costs the heap nothing; the table's 12 bytes a slot, at most half
 * of them used, lie in SharedArrayBuffers, which V8 neither marks nor counts as external memory.
 */

const EMPTY = -1
/** A deleted entry: a probe goes on past it, an insert may take it. */
const DELETED = -2
const MIN_SLOTS = 16

const sharedFloats = (length: number) => new Float64Array(new SharedArrayBuffer(length * 8)).fill(EMPTY)
const sharedWords = (length: number) => new Uint32Array(new SharedArrayBuffer(length * 4))

/**
 * The hash is seeded per process so that nobody can choose ids that all fall in one run of slots
 * (FNV-1a over UTF-16 code units, then a finalizer so that the low bits, which pick the slot,
 * depend on every character).
 */
const SEED = (Math.random() * 2 ** 32) >>> 0
const hashOf = (id: string): number => {
  let h = 0x811c9dc5 ^ SEED
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

export class IdIndex {
  private locations = sharedFloats(MIN_SLOTS)
  private hashes = sharedWords(MIN_SLOTS)
  private live = 0
  /** Live entries and deleted ones: what lengthens a probe. */
  private taken = 0

  constructor(private readonly arena: DocumentArena) {}

  get size(): number {
    return this.live
  }

  get(id: string): Location | undefined {
    const slot = this.slotOf(id, hashOf(id))
    return slot === -1 ? undefined : this.locations[slot]
  }

  set(id: string, at: Location): void {
    const hash = hashOf(id)
    const slot = this.slotOf(id, hash)
    if (slot !== -1) {
      this.locations[slot] = at
      return
    }
    if ((this.taken + 1) * 2 > this.locations.length) this.resize(this.live + 1)
    this.insert(hash, at)
    this.live += 1
  }

  /** Removes `id`, returning where its record was (undefined when it was not there). */
  delete(id: string): Location | undefined {
    const slot = this.slotOf(id, hashOf(id))
    if (slot === -1) return undefined
    const at = this.locations[slot]
    this.locations[slot] = DELETED
    this.live -= 1
    // A collection mostly emptied gives its table back, down to a quarter full.
    if (this.live * 8 < this.locations.length && this.locations.length > MIN_SLOTS) this.resize(this.live)
    return at
  }

  /** Every live record's location, in no particular order. */
  forEach(visit: (at: Location) => void): void {
    const locations = this.locations
    for (let slot = 0; slot < locations.length; slot++) {
      const at = locations[slot]!
      if (at >= 0) visit(at)
    }
  }

  /** Every id, read from the records, in no particular order. */
  ids(): Array<string> {
    const ids: Array<string> = []
    this.forEach((at) => ids.push(this.arena.id(at)))
    return ids
  }

  /** The slot holding `id`, or -1. */
  private slotOf(id: string, hash: number): number {
    const { hashes, locations } = this
    const mask = locations.length - 1
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = locations[slot]!
      if (at === EMPTY) return -1
      if (at >= 0 && hashes[slot] === hash && this.arena.idIs(at, id)) return slot
    }
  }

  private insert(hash: number, at: Location): void {
    const { hashes, locations } = this
    const mask = locations.length - 1
    let slot = hash & mask
    while (locations[slot]! >= 0) slot = (slot + 1) & mask
    if (locations[slot] === EMPTY) this.taken += 1
    locations[slot] = at
    hashes[slot] = hash
  }

  /** A table for `entries` live ones at most a quarter full, deleted entries left behind. */
  private resize(entries: number): void {
    const { hashes, locations } = this
    let length = MIN_SLOTS
    while (length < entries * 4) length *= 2
    this.locations = sharedFloats(length)
    this.hashes = sharedWords(length)
    this.taken = 0
    for (let slot = 0; slot < locations.length; slot++) {
      const at = locations[slot]!
      if (at >= 0) this.insert(hashes[slot]!, at)
    }
  }
}

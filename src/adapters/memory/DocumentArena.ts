/**
 * The in-memory backend's documents as JSON bytes in large buffers outside V8's heap.
 *
 * Kept as objects, every stored document was about 15 heap objects and 1 KB that V8's full
 * collections marked on the server's one CPU: a store growing by a few thousand `POST`s a second
 * made those collections longer and more frequent until they set the write tail (bench/HISTORY.md,
 * 2 – 6 December). Here a document costs the heap nothing (its id and location are in an
 * IdIndex, off the heap too), and a collection marks what the process works with, not what it has
 * kept.
 *
 * A record: its length, its collection's number, its id's length, its revision (generation and
 * write counter), whether it is live, then its id and its JSON, in UTF-8. A record is written
 * once; a new revision is a new record, and the old one turns into garbage that compaction
 * reclaims a chunk at a time.
 */

const HEADER = 28
const AT_LENGTH = 0
const AT_COLLECTION = 4
const AT_ID_BYTES = 8
const AT_GENERATION = 12
const AT_COUNTER = 16
const AT_LIVE = 24

/** Where a record lives: its chunk times SPAN, plus its offset in that chunk. */
export type Location = number
const SPAN = 2 ** 23

/** A chunk's share of garbage from which it is compacted when a new chunk is started. */
const COMPACT_FROM = 0.5
/** At most this many chunks compacted each time a chunk fills, so that no write waits for more. */
const COMPACTIONS_PER_CHUNK = 2
/** Emptied chunks kept for the next ones, so that rewriting documents allocates nothing. */
const SPARE_CHUNKS = 4

/**
 * A chunk's memory is a SharedArrayBuffer's, which V8 does not count as the isolate's external
 * memory: ArrayBuffers are counted, and every 64 MB more of them schedules a full collection of
 * the heap, whose pause (about 20 ms, most of it the young generation's evacuation) the store's
 * growth would then set off every few seconds of `POST`s (400 MB in 4-MiB chunks: 6 full
 * collections as Buffers, none as SharedArrayBuffers, in a throwaway script; 4 – 5 a minute of
 * `POST` in the bench against 1 – 2 before, 6 December). Nothing is ever shared with a worker.
 */
const allocate = (bytes: number): Buffer => Buffer.from(new SharedArrayBuffer(bytes))

export type Moved = (collection: number, id: string, to: Location) => void

export interface ArenaStats {
  readonly chunks: number
  readonly bytes: number
  readonly liveBytes: number
}

export class DocumentArena {
  private readonly chunks: Array<Buffer | undefined> = []
  private readonly used: Array<number> = []
  private readonly garbage: Array<number> = []
  private readonly freeSlots: Array<number> = []
  private readonly spare: Array<Buffer> = []
  private current = -1

  /**
   * @param chunkBytes each chunk's size (a record larger than that gets a chunk of its own).
   * @param moved told of every live record compaction moves, to update its location.
   */
  constructor(private readonly chunkBytes: number, private readonly moved: Moved) {
    if (!(chunkBytes >= HEADER && chunkBytes < SPAN)) throw new RangeError(`chunk size ${chunkBytes} outside ${HEADER} to ${SPAN}`)
  }

  put(collection: number, id: string, generation: number, counter: number, json: string): Location {
    const idBytes = Buffer.byteLength(id, "utf8")
    const length = HEADER + idBytes + Buffer.byteLength(json, "utf8")
    if (length >= SPAN) throw new RangeError(`a record of ${length} bytes is larger than a chunk may be`)
    if (!this.fits(length)) {
      this.startChunk(length)
      this.compact()
      if (!this.fits(length)) this.startChunk(length)
    }
    const chunk = this.chunks[this.current]!
    const offset = this.used[this.current]!
    chunk.writeUInt32LE(length, offset + AT_LENGTH)
    chunk.writeUInt32LE(collection, offset + AT_COLLECTION)
    chunk.writeUInt32LE(idBytes, offset + AT_ID_BYTES)
    chunk.writeUInt32LE(generation, offset + AT_GENERATION)
    chunk.writeDoubleLE(counter, offset + AT_COUNTER)
    chunk.writeUInt32LE(1, offset + AT_LIVE)
    chunk.write(id, offset + HEADER, idBytes, "utf8")
    chunk.write(json, offset + HEADER + idBytes, length - HEADER - idBytes, "utf8")
    this.used[this.current] = offset + length
    return this.current * SPAN + offset
  }

  /** The record at `at` is garbage from now on; a chunk left with nothing live is dropped at once. */
  release(at: Location): void {
    const slot = Math.floor(at / SPAN)
    const offset = at % SPAN
    const chunk = this.chunks[slot]!
    chunk.writeUInt32LE(0, offset + AT_LIVE)
    this.garbage[slot]! += chunk.readUInt32LE(offset + AT_LENGTH)
    if (slot !== this.current && this.garbage[slot] === this.used[slot]) this.drop(slot)
  }

  generation(at: Location): number {
    return this.chunkOf(at).readUInt32LE(at % SPAN + AT_GENERATION)
  }

  counter(at: Location): number {
    return this.chunkOf(at).readDoubleLE(at % SPAN + AT_COUNTER)
  }

  /** The record's id. */
  id(at: Location): string {
    const offset = at % SPAN
    const chunk = this.chunkOf(at)
    return chunk.toString("utf8", offset + HEADER, offset + HEADER + chunk.readUInt32LE(offset + AT_ID_BYTES))
  }

  /** Whether the record's id is `id`: an ASCII id is compared byte by byte, without decoding the record's. */
  idIs(at: Location, id: string): boolean {
    const offset = at % SPAN
    const chunk = this.chunkOf(at)
    const bytes = chunk.readUInt32LE(offset + AT_ID_BYTES)
    if (bytes !== id.length) return this.id(at) === id
    const start = offset + HEADER
    for (let i = 0; i < bytes; i++) {
      const code = id.charCodeAt(i)
      // Past ASCII, a character's code and a byte of another's UTF-8 may coincide.
      if (code >= 0x80) return this.id(at) === id
      if (chunk[start + i] !== code) return false
    }
    return true
  }

  /** The document's JSON text. */
  json(at: Location): string {
    return this.chunkOf(at).toString("utf8", this.jsonStart(at), this.end(at))
  }

  /** How many bytes the document's JSON takes. */
  jsonBytes(at: Location): number {
    return this.end(at) - this.jsonStart(at)
  }

  /** Whether the document's JSON holds these bytes anywhere: a test that rules a document out without parsing it. */
  holds(at: Location, needle: Buffer): boolean {
    return this.chunkOf(at).subarray(this.jsonStart(at), this.end(at)).includes(needle)
  }

  stats(): ArenaStats {
    let chunks = 0
    let bytes = 0
    let liveBytes = 0
    for (let slot = 0; slot < this.chunks.length; slot++) {
      const chunk = this.chunks[slot]
      if (chunk === undefined) continue
      chunks += 1
      bytes += chunk.length
      liveBytes += this.used[slot]! - this.garbage[slot]!
    }
    return { chunks, bytes, liveBytes }
  }

  private chunkOf(at: Location): Buffer {
    return this.chunks[Math.floor(at / SPAN)]!
  }

  /** Where the record's JSON starts in its chunk: after the header and the id. */
  private jsonStart(at: Location): number {
    const offset = at % SPAN
    return offset + HEADER + this.chunkOf(at).readUInt32LE(offset + AT_ID_BYTES)
  }

  /** Where the record ends in its chunk. */
  private end(at: Location): number {
    const offset = at % SPAN
    return offset + this.chunkOf(at).readUInt32LE(offset + AT_LENGTH)
  }

  private fits(length: number): boolean {
    return this.current !== -1 && this.used[this.current]! + length <= this.chunks[this.current]!.length
  }

  private startChunk(atLeast: number): void {
    const previous = this.current
    const slot = this.freeSlots.pop() ?? this.chunks.length
    this.chunks[slot] = atLeast <= this.chunkBytes ? this.spare.pop() ?? allocate(this.chunkBytes) : allocate(atLeast)
    this.used[slot] = 0
    this.garbage[slot] = 0
    this.current = slot
    // A chunk that emptied while it was the one written to is dropped once it no longer is.
    if (previous !== -1 && this.garbage[previous] === this.used[previous]) this.drop(previous)
  }

  private drop(slot: number): void {
    const chunk = this.chunks[slot]!
    if (chunk.length === this.chunkBytes && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk)
    this.chunks[slot] = undefined
    this.used[slot] = 0
    this.garbage[slot] = 0
    this.freeSlots.push(slot)
  }

  /**
   * Moves the live records of the chunks that are at least half garbage into the current one, at
   * most COMPACTIONS_PER_CHUNK of them (most garbage first), so a chunk's worth of writes reclaims
   * up to two chunks: the bytes held stay within about twice the live ones.
   */
  private compact(): void {
    for (let round = 0; round < COMPACTIONS_PER_CHUNK; round++) {
      let worst = -1
      for (let slot = 0; slot < this.chunks.length; slot++) {
        if (slot === this.current || this.chunks[slot] === undefined) continue
        if (worst === -1 || this.garbage[slot]! > this.garbage[worst]!) worst = slot
      }
      if (worst === -1 || this.garbage[worst]! < this.used[worst]! * COMPACT_FROM) return
      this.evacuate(worst)
    }
  }

  private evacuate(slot: number): void {
    const chunk = this.chunks[slot]!
    const end = this.used[slot]!
    for (let offset = 0; offset < end;) {
      const length = chunk.readUInt32LE(offset + AT_LENGTH)
      if (chunk.readUInt32LE(offset + AT_LIVE) === 1) {
        if (!this.fits(length)) this.startChunk(length)
        const target = this.chunks[this.current]!
        const to = this.used[this.current]!
        chunk.copy(target, to, offset, offset + length)
        this.used[this.current] = to + length
        this.moved(chunk.readUInt32LE(offset + AT_COLLECTION), this.id(slot * SPAN + offset), this.current * SPAN + to)
      }
      offset += length
    }
    this.drop(slot)
  }
}

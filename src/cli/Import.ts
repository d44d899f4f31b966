import { Chunk, Effect, Stream } from "effect"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import type { Portable } from "./Canonical.js"
import type { FileError, Line } from "./Files.js"
import { parseLine, type ParsedLine } from "./Ndjson.js"
import { Progress } from "./Progress.js"
import { addPage, emptyTally, type Tally } from "./Tally.js"
import { writePage, type WriteOptions } from "./WritePage.js"

export interface ImportOptions extends WriteOptions {
  readonly collections?: ReadonlyArray<string> | undefined
  readonly pageSize: number
  /** Lines in the file, when known beforehand (for the progress bar). */
  readonly total?: number | undefined
}

/**
 * NDJSON lines into the backend, a page of lines at a time; within a page, each collection's
 * documents go in one bulk write. Lines are tallied under their collection (those of collections
 * not chosen with --collections as skipped); unreadable ones under `(unreadable)`, by line number.
 */
export const importFrom = (
  backend: Backend,
  lines: Stream.Stream<Line, FileError>,
  options: ImportOptions,
  tallies: Array<Tally>
): Effect.Effect<void, DatabaseError | InvalidName | FileError, Progress> =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const byName = new Map<string, Tally>()
    const tallyOf = (collection: string) => {
      let tally = byName.get(collection)
      if (tally === undefined) {
        tally = emptyTally(collection)
        byName.set(collection, tally)
        tallies.push(tally)
      }
      return tally
    }
    const wanted = options.collections !== undefined && options.collections.length > 0 ? new Set(options.collections) : undefined

    const writeGroup = (collection: string, docs: ReadonlyArray<Portable>) =>
      Effect.map(writePage(backend.db, collection, docs, options), (outcome) => addPage(tallyOf(collection), outcome))

    const writeLinesOfPage = (page: ReadonlyArray<ParsedLine>) =>
      Effect.gen(function*() {
        const groups = new Map<string, Array<Portable>>()
        for (const line of page) {
          if (line._tag === "Unreadable") {
            addPage(tallyOf(line.collection), { read: 1, written: 0, skipped: 0, failures: [{ id: line.id, reason: line.reason }] })
            continue
          }
          // Made here, so that the summary lists collections in the order the file first names them.
          const tally = tallyOf(line.collection)
          if (wanted !== undefined && !wanted.has(line.collection)) {
            // Read and left out on purpose: counted, so that the totals add up to the file.
            addPage(tally, { read: 1, written: 0, skipped: 1, failures: [] })
            continue
          }
          const group = groups.get(line.collection) ?? []
          group.push(line.document)
          groups.set(line.collection, group)
        }
        yield* Effect.forEach(groups, ([collection, docs]) => writeGroup(collection, docs), { discard: true })
        yield* progress.advance(page.length)
      })

    yield* progress.start("import", options.total)
    yield* lines.pipe(
      Stream.zipWithIndex,
      Stream.filter(([text]) => typeof text !== "string" || text.trim() !== ""),
      Stream.map(([text, index]) => parseLine(text, index + 1)),
      Stream.grouped(options.pageSize),
      Stream.buffer({ capacity: 2 }),
      Stream.runForEach((page) => writeLinesOfPage(Chunk.toReadonlyArray(page)))
    )
    yield* progress.finish
  })

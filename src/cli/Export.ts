import { Effect, Stream } from "effect"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import { portable } from "./Canonical.js"
import { chooseCollections, countOrUnknown } from "./Collections.js"
import type { FileError, LineSink } from "./Files.js"
import { toLine } from "./Ndjson.js"
import { Progress } from "./Progress.js"
import type { Refused } from "./Refused.js"
import { sourceDocuments } from "./SourceDocuments.js"
import { emptyTally, type Tally } from "./Tally.js"

export interface ExportOptions {
  readonly collections?: ReadonlyArray<string> | undefined
  readonly pageSize: number
}

/** Every document of the chosen collections to NDJSON, one page in memory at a time. */
export const exportTo = (
  backend: Backend,
  sink: LineSink,
  options: ExportOptions,
  tallies: Array<Tally>
): Effect.Effect<void, DatabaseError | InvalidName | Refused | FileError, Progress> =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const collections = yield* chooseCollections(options.collections, backend)
    for (const collection of collections) {
      const tally = emptyTally(collection)
      tallies.push(tally)
      yield* progress.start(collection, yield* countOrUnknown(backend, collection))
      yield* sourceDocuments(backend, collection, options.pageSize).pipe(
        Stream.grouped(options.pageSize),
        Stream.runForEach((page) => {
          let text = ""
          for (const doc of page) text += toLine(collection, portable(doc))
          return sink.write(text).pipe(
            Effect.tap(() => {
              tally.read += page.length
              tally.written += page.length
            }),
            Effect.zipRight(progress.advance(page.length))
          )
        })
      )
      yield* progress.finish
    }
  })

import { Chunk, Effect, Stream } from "effect"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import { portable } from "./Canonical.js"
import { chooseCollections, countOrUnknown } from "./Collections.js"
import { Progress } from "./Progress.js"
import type { Refused } from "./Refused.js"
import { sourceDocuments } from "./SourceDocuments.js"
import { addPage, emptyTally, type Tally } from "./Tally.js"
import { writePage, type WriteOptions } from "./WritePage.js"

export interface CopyOptions extends WriteOptions {
  readonly collections?: ReadonlyArray<string> | undefined
  readonly pageSize: number
}

/**
 * Every document of the chosen collections from source to target, page by page: the source is
 * read while the previous page is written, and no more than a few pages are ever held. Tallies are
 * pushed to `tallies` as they grow, so that an interrupted run can still say how far it got.
 */
export const copy = (
  source: Backend,
  target: Backend,
  options: CopyOptions,
  tallies: Array<Tally>
): Effect.Effect<void, DatabaseError | InvalidName | Refused, Progress> =>
  Effect.gen(function*() {
    const progress = yield* Progress
    const collections = yield* chooseCollections(options.collections, source)
    for (const collection of collections) {
      const tally = emptyTally(collection)
      tallies.push(tally)
      yield* progress.start(collection, yield* countOrUnknown(source, collection))
      yield* sourceDocuments(source, collection, options.pageSize).pipe(
        Stream.map(portable),
        Stream.grouped(options.pageSize),
        Stream.buffer({ capacity: 2 }),
        Stream.mapEffect((page) => writePage(target.db, collection, Chunk.toReadonlyArray(page), options)),
        Stream.runForEach((outcome) => Effect.zipRight(Effect.sync(() => addPage(tally, outcome)), progress.advance(outcome.read)))
      )
      yield* progress.finish
    }
  })

import { Effect } from "effect"
import type { DatabaseError } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import { retryTransient } from "./WritePage.js"

/** The collections a command works on: those named with --collections, else all the backends list. */
export const chooseCollections = (
  named: ReadonlyArray<string> | undefined,
  ...backends: ReadonlyArray<Backend>
): Effect.Effect<ReadonlyArray<string>, DatabaseError> =>
  named !== undefined && named.length > 0
    ? Effect.succeed([...new Set(named)])
    : Effect.map(
      // A listing is a read like any other: a dropped connection gets the same few retries.
      Effect.forEach(backends, (backend) => retryTransient(backend.catalog.collections)),
      (lists) => [...new Set(lists.flat())].sort()
    )

/** A count for the progress bar only: a backend that cannot say is no reason to stop. */
export const countOrUnknown = (backend: Backend, collection: string) =>
  Effect.orElseSucceed(backend.catalog.count(collection), () => undefined)

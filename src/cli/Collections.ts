import { Effect } from "effect"
import type { DatabaseError } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import { printable } from "./Printable.js"
import { Refused } from "./Refused.js"
import { retryTransient } from "./WritePage.js"

// A listing is a read like any other: a dropped connection gets the same few retries.
const listed = (backends: ReadonlyArray<Backend>) =>
  Effect.map(
    Effect.forEach(backends, (backend) => retryTransient(backend.catalog.collections)),
    (lists) => [...new Set(lists.flat())].sort()
  )

/**
 * The collections a command works on: those named with --collections, else all the backends list.
 * A name no backend lists is refused: read as empty, a misspelt name made a copy of nothing and a
 * verify that called it identical.
 */
export const chooseCollections = (
  named: ReadonlyArray<string> | undefined,
  ...backends: ReadonlyArray<Backend>
): Effect.Effect<ReadonlyArray<string>, DatabaseError | Refused> =>
  Effect.flatMap(listed(backends), (all) => {
    if (named === undefined || named.length === 0) return Effect.succeed(all)
    const unknown = named.filter((name) => !all.includes(name))
    return unknown.length === 0
      ? Effect.succeed([...new Set(named)])
      : Effect.fail(new Refused({ message: `no such collection ${unknown.map(printable).join(", ")}: the backends hold ${all.map(printable).join(", ") || "none"}` }))
  })

/** A count for the progress bar only: a backend that cannot say is no reason to stop. */
export const countOrUnknown = (backend: Backend, collection: string) =>
  Effect.orElseSucceed(backend.catalog.count(collection), () => undefined)

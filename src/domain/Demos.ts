import { Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { DocumentPage } from "../ports/Document.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../ports/Errors.js"
import { type Demo, type DemoCreate, demoFromStored, DEMOS, type DemoReplace } from "./Demo.js"
import { makeEntityStore } from "./EntityStore.js"
import { makeKeyedLock } from "./keyedLock.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface DemosShape {
  /** `by`: the uid of the user creating it, kept as createdBy and updatedBy. */
  readonly create: (input: DemoCreate, by?: string) => Effect.Effect<Demo, Failure>
  readonly list: Effect.Effect<ReadonlyArray<Demo>, Failure>
  /** The demos of `list`, in its order, a page at a time, each read when asked for: what GET /demos answers with. */
  readonly pages: Effect.Effect<DocumentPage<Demo>, Failure>
  readonly get: (id: string) => Effect.Effect<Demo, NotFound | Failure>
  /** Gofannon's PUT: the body is the whole new demo; only `createdAt` survives from the old one. */
  readonly replace: (id: string, input: DemoReplace, by?: string) => Effect.Effect<Demo, NotFound | Conflict | Failure>
  readonly remove: (id: string) => Effect.Effect<void, NotFound | Conflict | Failure>
}

export class Demos extends Context.Tag("docport/Demos")<Demos, DemosShape>() {}

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  const { create, get, list, pages, remove, replace } = makeEntityStore<DemoCreate, DemoReplace>(db, DEMOS, {
    fromStored: demoFromStored,
    inTurn: yield* makeKeyedLock
  })
  return { create, get, list, pages, remove, replace } satisfies DemosShape
})

export const layer = Layer.scoped(Demos, make)

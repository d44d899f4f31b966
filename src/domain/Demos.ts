import { Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../ports/Errors.js"
import { type Demo, type DemoCreate, DEMOS, type DemoUpdate } from "./Demo.js"
import { makeEntityStore } from "./EntityStore.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface DemosShape {
  readonly create: (input: DemoCreate) => Effect.Effect<Demo, Failure>
  readonly list: Effect.Effect<ReadonlyArray<Demo>, Failure>
  readonly get: (id: string) => Effect.Effect<Demo, NotFound | Failure>
  readonly update: (id: string, patch: DemoUpdate) => Effect.Effect<Demo, NotFound | Conflict | Failure>
  readonly remove: (id: string) => Effect.Effect<void, NotFound | Conflict | Failure>
}

export class Demos extends Context.Tag("docport/Demos")<Demos, DemosShape>() {}

export const make = Effect.map(DatabaseService, (db): DemosShape => makeEntityStore<DemoCreate, DemoUpdate>(db, DEMOS))

export const layer = Layer.effect(Demos, make)

import { CreateTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb"
import { Deferred, Duration, Effect, FiberId, Schedule, type Scope } from "effect"
import type { Document } from "../../ports/Document.js"
import { DatabaseError } from "../../ports/Errors.js"
import type { DynamoDb } from "./DynamoDbClient.js"
import { isAwsError, isMissingTable } from "./errors.js"

export const ID = "_id"
export const REV = "_rev"

/**
 * The revision reported for an item without a string `_rev`: Gofannon's own DynamoDB service
 * writes `_rev: null`. A write expecting it matches only an item still without a revision
 * (see writeCondition), so such items take part in optimistic concurrency like any other.
 * It cannot be mistaken for one of docport's revisions, which are UUIDs.
 */
export const UNREVISED = "0-unrevised"

/** An item as the port returns it: always with a string `_rev`. */
export const fromItem = (item: Record<string, unknown>): Document =>
  (typeof item[REV] === "string" ? item : { ...item, [REV]: UNREVISED }) as Document

export interface Tables {
  readonly name: (collection: string) => string
  /**
   * Runs a write against the collection's table, creating the table on first use; if the table
   * vanished since (deleted, or a server restarted empty), it is created again and the write retried once.
   */
  readonly writing: <A, E>(
    operation: string,
    collection: string,
    write: (table: string) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | DatabaseError>
}

type Status = "ACTIVE" | "MISSING" | "PENDING"

export const makeTables = (db: DynamoDb, scope: Scope.Scope): Tables => {
  // One entry per table this process made sure of; concurrent first writes share one creation.
  const known = new Map<string, Deferred.Deferred<void, DatabaseError>>()
  // Tables seen ACTIVE: a write to one of them goes straight on, without awaiting its Deferred.
  const ready = new Set<string>()

  const status = (operation: string, table: string): Effect.Effect<Status, DatabaseError> =>
    db.call(operation, (o) => db.documents.send(new DescribeTableCommand({ TableName: table }), o)).pipe(
      Effect.map((out): Status => out.Table?.TableStatus === "ACTIVE" ? "ACTIVE" : "PENDING"),
      Effect.catchIf(isMissingTable, () => Effect.succeed<Status>("MISSING"))
    )

  const create = (operation: string, table: string): Effect.Effect<void, DatabaseError> =>
    db.call(operation, (o) =>
      db.documents.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: ID, AttributeType: "S" }],
          KeySchema: [{ AttributeName: ID, KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST"
        }),
        o
      )).pipe(
        Effect.asVoid,
        // Another process (or a request of ours racing this one) is creating it: just wait for it.
        Effect.catchIf(isAwsError("ResourceInUseException"), () => Effect.void)
      )

  const untilActive = (operation: string, table: string): Effect.Effect<void, DatabaseError> =>
    status(operation, table).pipe(
      Effect.tap((s) => (s === "MISSING" ? create(operation, table) : Effect.void)),
      Effect.repeat({
        until: (s) => s === "ACTIVE",
        schedule: Schedule.union(Schedule.exponential("25 millis"), Schedule.spaced("1 second"))
      }),
      Effect.asVoid,
      Effect.timeoutFail({
        duration: db.tableTimeout,
        onTimeout: () =>
          new DatabaseError({
            operation,
            message: `DynamoDB table '${table}' at ${db.where} was not ACTIVE within ${Duration.format(db.tableTimeout)}`,
            unavailable: true
          })
      })
    )

  const ensure = (operation: string, table: string): Effect.Effect<void, DatabaseError> =>
    Effect.suspend(() => {
      if (ready.has(table)) return Effect.void
      const pending = known.get(table)
      if (pending !== undefined) return Deferred.await(pending)
      const deferred = Deferred.unsafeMake<void, DatabaseError>(FiberId.none)
      known.set(table, deferred)
      // Forked into the adapter's scope so that one caller giving up does not strand the others.
      return untilActive(operation, table).pipe(
        Effect.tap(() => Effect.sync(() => ready.add(table))),
        Effect.tapError(() => Effect.sync(() => known.delete(table))),
        Effect.intoDeferred(deferred),
        Effect.forkIn(scope),
        Effect.zipRight(Deferred.await(deferred))
      )
    })

  const forget = (table: string) =>
    Effect.sync(() => {
      ready.delete(table)
      known.delete(table)
    })

  const name = (collection: string) => db.tablePrefix + collection

  return {
    name,
    writing: (operation, collection, write) => {
      const table = name(collection)
      // A table already seen ACTIVE (every write but a collection's first) goes straight to the write.
      const attempt = Effect.suspend(() => ready.has(table) ? write(table) : Effect.zipRight(ensure(operation, table), write(table)))
      return Effect.catchIf(attempt, isMissingTable, () => Effect.zipRight(forget(table), attempt))
    }
  }
}

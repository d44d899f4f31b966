import { DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { CollectionCatalog, type CollectionCatalogShape } from "../../ports/CollectionCatalog.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { collectionsUnder } from "../catalogNames.js"
import { acquire, type DynamoDbOptions } from "./DynamoDbClient.js"
import { isMissingTable } from "./errors.js"

/**
 * Where the listing starts: ListTables refuses an ExclusiveStartTableName shorter than a table
 * name can be (3 characters), so a shorter prefix lists from the first table, and the names are
 * kept by prefix all the same.
 */
const startOf = (tablePrefix: string): string | undefined => (tablePrefix.length < 3 ? undefined : tablePrefix)

/**
 * ListTables, page by page from the prefix on (tables come back in name order), and DescribeTable's
 * ItemCount. A client of its own, built from the same options as the DatabaseService adapter's.
 */
export const make = (options: DynamoDbOptions) =>
  Effect.map(acquire(options), ({ call, documents, tablePrefix }): CollectionCatalogShape => {
    const page = (start: string | undefined) =>
      call("collections", (o) =>
        documents.send(new ListTablesCommand({ ExclusiveStartTableName: start, Limit: 100 }), o)).pipe(
          Effect.map((out) => {
            const names = out.TableNames ?? []
            const last = out.LastEvaluatedTableName
            // Past the prefix in name order: no later table can be ours.
            const beyond = names.length > 0 && names[names.length - 1]! > tablePrefix && !names[names.length - 1]!.startsWith(tablePrefix)
            return [Chunk.unsafeFromArray(names), last === undefined || beyond ? Option.none() : Option.some(last)] as const
          })
        )
    return {
      collections: Stream.paginateChunkEffect(startOf(tablePrefix), page).pipe(
        Stream.runCollect,
        Effect.map((names) => collectionsUnder(tablePrefix, names))
      ),
      count: (collection) =>
        call("count", (o) => documents.send(new DescribeTableCommand({ TableName: tablePrefix + collection }), o)).pipe(
          Effect.map((out): number | undefined => out.Table?.ItemCount),
          Effect.catchIf(isMissingTable, () => Effect.succeed(0))
        )
    }
  })

export const layer = (options: DynamoDbOptions): Layer.Layer<CollectionCatalog, DatabaseError> =>
  Layer.scoped(CollectionCatalog, make(options))

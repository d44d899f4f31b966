import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { BatchGetCommand, type BatchGetCommandOutput, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DUMMY_CREDENTIALS, startDynalite } from "../../test/support/dynalite.js"
import { BENCH_TIMEOUT, type BenchBackend, type RawClient, uniqueName } from "./Backend.js"

const REGION = "us-east-1"

/** The document client with the adapter's client settings and marshalling options, doing what the adapter does per call. */
const rawClient = (endpoint: string, prefix: string) =>
  Effect.map(
    Effect.acquireRelease(
      // The adapter's client settings: attempts, and a timeout per attempt that the SDK enforces itself.
      Effect.sync(() =>
        new DynamoDBClient({
          region: REGION,
          endpoint,
          credentials: DUMMY_CREDENTIALS,
          maxAttempts: 3,
          requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true }
        })
      ),
      (client) => Effect.sync(() => client.destroy())
    ),
    (client): RawClient => {
      const documents = DynamoDBDocumentClient.from(client, {
        marshallOptions: { convertEmptyValues: false, removeUndefinedValues: true, allowImpreciseNumbers: true, convertClassInstanceToMap: true },
        unmarshallOptions: { wrapNumbers: (digits: string) => Number(digits) }
      })
      const table = (collection: string) => `${prefix}${collection}`
      const revs = new Map<string, string>()
      return {
        get: async (collection, id) =>
          (await documents.send(new GetCommand({ TableName: table(collection), Key: { _id: id }, ConsistentRead: true }))).Item,
        refresh: async (collection, ids) => {
          for (let i = 0; i < ids.length; i += 100) {
            const keys = ids.slice(i, i + 100).map((id) => ({ _id: id }))
            const out = await documents.send(
              new BatchGetCommand({ RequestItems: { [table(collection)]: { Keys: keys, ConsistentRead: true } } })
            )
            for (const item of out.Responses?.[table(collection)] ?? []) revs.set(item._id as string, item._rev as string)
          }
        },
        save: async (collection, id, body) => {
          const next = randomUUID()
          await documents.send(
            new PutCommand({
              TableName: table(collection),
              Item: { ...body, _id: id, _rev: next },
              ConditionExpression: "#r = :r",
              ExpressionAttributeNames: { "#r": "_rev" },
              ExpressionAttributeValues: { ":r": revs.get(id) }
            })
          )
          revs.set(id, next)
        },
        // A filter applies after the read, so page on until enough items matched; as the adapter
        // does, the first read is of `limit` items and each further one reads twice as many.
        find: async (collection, field, value, limit) => {
          const found: Array<unknown> = []
          let start: Record<string, unknown> | undefined
          let read: number | undefined = limit
          do {
            const page = await documents.send(
              new ScanCommand({
                TableName: table(collection),
                ConsistentRead: true,
                FilterExpression: "#n0 = :v0",
                ExpressionAttributeNames: { "#n0": field },
                ExpressionAttributeValues: { ":v0": value },
                ExclusiveStartKey: start,
                Limit: read
              })
            )
            found.push(...(page.Items ?? []))
            start = page.LastEvaluatedKey
            read = read === undefined || read >= 4000 ? undefined : read * 2
          } while (start !== undefined && found.length < limit)
          return found.slice(0, limit)
        },
        getMany: async (collection, ids) => {
          let found = 0
          for (let i = 0; i < ids.length; i += 100) {
            let keys: Array<Record<string, unknown>> | undefined = ids.slice(i, i + 100).map((id) => ({ _id: id }))
            while (keys !== undefined && keys.length > 0) {
              const out: BatchGetCommandOutput = await documents.send(
                new BatchGetCommand({ RequestItems: { [table(collection)]: { Keys: keys, ConsistentRead: true } } })
              )
              found += out.Responses?.[table(collection)]?.length ?? 0
              keys = out.UnprocessedKeys?.[table(collection)]?.Keys
            }
          }
          return found
        }
      }
    }
  )

/** dynalite in memory, started the way the tests start it. */
export const dynamodb: BenchBackend = {
  name: "dynamodb",
  start: Effect.map(startDynalite(), (dynalite) => {
    const prefix = (namespace: string) => `${namespace}-`
    const options = (namespace: string, via: string | undefined): DynamoDbDatabase.DynamoDbOptions => ({
      endpoint: via ?? dynalite.endpoint,
      region: REGION,
      credentials: DUMMY_CREDENTIALS,
      tablePrefix: prefix(namespace),
      operationTimeout: BENCH_TIMEOUT
    })
    return {
      name: "dynamodb",
      endpoint: dynalite.endpoint,
      protocol: "http1" as const,
      namespace: uniqueName,
      docportEnv: (namespace) => ({
        DYNAMODB_ENDPOINT_URL: dynalite.endpoint,
        DYNAMODB_REGION: REGION,
        DYNAMODB_TABLE_PREFIX: prefix(namespace),
        AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey
      }),
      module: "adapters/dynamodb/DynamoDbDatabase",
      options: (namespace) => options(namespace, undefined),
      adapter: (namespace, via) => DynamoDbDatabase.make(options(namespace, via)),
      raw: (namespace) => rawClient(dynalite.endpoint, prefix(namespace))
    }
  })
}

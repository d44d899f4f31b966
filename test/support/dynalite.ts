import { DeleteTableCommand, DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb"
import { Context, Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import { createServer, type RequestListener } from "node:http"
import { createRequire } from "node:module"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { type ChildServer, freePort, startChildServer } from "./ChildServer.js"
import { TEST_DATABASE_TIMEOUT } from "./timeouts.js"

/** dynalite accepts any signature; the SDK still insists on signing with something. */
export const DUMMY_CREDENTIALS = { accessKeyId: "docport-test", secretAccessKey: "docport-test" }

const dynaliteCli = createRequire(import.meta.url).resolve("dynalite/cli.js")

export interface Dynalite {
  readonly server: ChildServer
  readonly port: number
  readonly endpoint: string
}

/**
 * dynalite, in memory, on 127.0.0.1 (a free port unless one is given, e.g. to restart it where it was),
 * with tables ACTIVE at once so that tests never wait for them; stopped when the scope closes.
 */
export const startDynalite = (port?: number, extraArgs: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const chosen = port ?? (yield* freePort)
    const server = yield* startChildServer({
      name: "dynalite",
      command: process.execPath,
      args: [
        dynaliteCli,
        "--host",
        "127.0.0.1",
        "--port",
        String(chosen),
        "--createTableMs",
        "0",
        "--deleteTableMs",
        "0",
        "--updateTableMs",
        "0",
        ...extraArgs
      ],
      ready: (output) => output.includes("Dynalite listening")
    })
    return { server, port: chosen, endpoint: `http://127.0.0.1:${chosen}` } satisfies Dynalite
  })

/**
 * An HTTP server of the test's own on a free 127.0.0.1 port (a hung or scripted DynamoDB, a counting
 * proxy), closed with its open connections when the scope closes.
 */
export const serveLocally = (handler: RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ readonly endpoint: string; readonly port: number; readonly close: () => void }, Error>((resume) => {
      const server = createServer(handler)
      server.on("error", (error) => resume(Effect.fail(error)))
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        const close = () => {
          server.closeAllConnections()
          server.close()
        }
        resume(Effect.succeed({ endpoint: `http://127.0.0.1:${port}`, port, close }))
      })
    }),
    (server) => Effect.sync(server.close)
  )

/** A table prefix no other run shares, so that runs against one server never meet. */
export const freshTablePrefix = () => `docport-test-${randomUUID().slice(0, 8)}-`

// On a real server the run's tables outlive the process unless removed; dynalite forgets them anyway.
const dropTables = (options: DynamoDbDatabase.DynamoDbOptions, prefix: string) =>
  Effect.promise(async () => {
    const client = new DynamoDBClient({ region: options.region, endpoint: options.endpoint, credentials: options.credentials })
    try {
      for await (const page of paginateListTables({ client }, { ExclusiveStartTableName: prefix })) {
        for (const table of page.TableNames ?? []) {
          if (table.startsWith(prefix)) await client.send(new DeleteTableCommand({ TableName: table }))
        }
      }
    } catch (error) {
      console.warn(`could not drop the test tables with prefix ${prefix}: ${String(error)}`)
    } finally {
      client.destroy()
    }
  })

/**
 * Options for the adapter under test: DYNAMODB_ENDPOINT_URL (DynamoDB Local, or AWS, with
 * DYNAMODB_REGION, credentials from the SDK's default chain) when set, else a dynalite of its own.
 * Either way a fresh table prefix (after DYNAMODB_TABLE_PREFIX), whose tables are dropped afterwards.
 */
export const dynamoTestOptions = Effect.gen(function*() {
  const external = process.env.DYNAMODB_ENDPOINT_URL
  const tablePrefix = `${process.env.DYNAMODB_TABLE_PREFIX ?? ""}${freshTablePrefix()}`
  if (external !== undefined && external !== "") {
    const options = { endpoint: external, region: process.env.DYNAMODB_REGION ?? "us-east-1", tablePrefix, operationTimeout: TEST_DATABASE_TIMEOUT }
    yield* Effect.addFinalizer(() => dropTables(options, tablePrefix))
    return options satisfies DynamoDbDatabase.DynamoDbOptions
  }
  const dynalite = yield* startDynalite()
  return { endpoint: dynalite.endpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS, tablePrefix, operationTimeout: TEST_DATABASE_TIMEOUT }
})

/** The adapter under test with the options it was built from, for tests that also look at the raw tables. */
export class DynamoTest extends Context.Tag("test/DynamoTest")<DynamoTest, {
  readonly db: DatabaseServiceShape
  readonly options: DynamoDbDatabase.DynamoDbOptions
  /** A plain SDK client on the same server, destroyed with the scope. */
  readonly raw: DynamoDBClient
}>() {}

export const rawClient = (options: DynamoDbDatabase.DynamoDbOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => new DynamoDBClient({ region: options.region, endpoint: options.endpoint, credentials: options.credentials })),
    (client) => Effect.sync(() => client.destroy())
  )

export const dynamoTestContext = Layer.scoped(
  DynamoTest,
  Effect.gen(function*() {
    const options = yield* Effect.orDie(dynamoTestOptions)
    const db = yield* DynamoDbDatabase.make(options)
    return { db, options, raw: yield* rawClient(options) }
  })
)

/** The DynamoDB DatabaseService for tests, on its own server or the one named by DYNAMODB_ENDPOINT_URL. */
export const dynamoTestLayer = Layer.effect(DatabaseService, Effect.map(DynamoTest, (test) => test.db)).pipe(
  Layer.provide(dynamoTestContext)
)

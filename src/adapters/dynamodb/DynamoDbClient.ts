import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import { Duration, Effect, type Scope } from "effect"
import { boundedCall, DEFAULT_DATABASE_TIMEOUT } from "../../ports/DatabaseTimeout.js"
import { DatabaseError } from "../../ports/Errors.js"
import { toDatabaseError } from "./errors.js"
import { type SdkSignal, sdkSignal } from "./sdkSignal.js"

export interface DynamoDbOptions {
  /** Default us-east-1. */
  readonly region?: string | undefined
  /** DynamoDB Local, dynalite or a VPC endpoint; absent means AWS's endpoint for the region. */
  readonly endpoint?: string | undefined
  /** Prepended to every collection name to make its table name. */
  readonly tablePrefix?: string | undefined
  /** Explicit credentials (tests, DynamoDB Local); absent means the SDK's default provider chain. */
  readonly credentials?: DynamoDBClientConfig["credentials"]
  /** Attempts per request, including the SDK's retries of throttling and network errors. Default 3. */
  readonly maxAttempts?: number | undefined
  /** One HTTP attempt. Default: the operation timeout. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** One SDK call with all its attempts. Default DATABASE_TIMEOUT's, 2 seconds. */
  readonly operationTimeout?: Duration.DurationInput | undefined
  /** The start-up probe. Default 10 seconds. */
  readonly startupTimeout?: Duration.DurationInput | undefined
  /** Waiting for a new table to become ACTIVE. Default 2 minutes. */
  readonly tableTimeout?: Duration.DurationInput | undefined
  /** Before each variable a message names: `SOURCE_` where the CLI read SOURCE_DYNAMODB_ENDPOINT_URL. */
  readonly variablePrefix?: string | undefined
}

/** One SDK call: the thunk gets the abort signal that interruption and the timeout fire. */
export type Call = <A>(
  operation: string,
  run: (options: { readonly abortSignal: SdkSignal }) => Promise<A>
) => Effect.Effect<A, DatabaseError>

export interface DynamoDb {
  readonly documents: DynamoDBDocumentClient
  readonly call: Call
  /** The region, or the variable holding the endpoint (never its URL: see withoutAddresses.ts), for messages. */
  readonly where: string
  readonly tablePrefix: string
  readonly tableTimeout: Duration.Duration
}

// DynamoDB table names: [A-Za-z0-9_.-], at most 255; collections take up to 64 of them.
const PREFIX = /^[A-Za-z0-9_.-]{0,191}$/
export const TABLE_PREFIX_RULE = "must be at most 191 characters from A-Z, a-z, 0-9, '_', '.' and '-'"
export const tablePrefixProblem = (prefix: string): string | undefined => PREFIX.test(prefix) ? undefined : TABLE_PREFIX_RULE

const startupError = (message: string) => new DatabaseError({ operation: "startup", message })

const endpointLabel = (endpoint: string, variable: string): Effect.Effect<string, DatabaseError> =>
  URL.canParse(endpoint) ? Effect.succeed(`the endpoint of ${variable}`) : Effect.fail(startupError(`${variable} is not a valid URL`))

/**
 * Builds the one client of the process (destroyed when the scope closes) and the `call` wrapper
 * every operation goes through: abortable, time-bounded, failures typed as DatabaseError.
 */
export const acquire = (options: DynamoDbOptions): Effect.Effect<DynamoDb, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const region = options.region ?? "us-east-1"
    const tablePrefix = options.tablePrefix ?? ""
    const prefixProblem = tablePrefixProblem(tablePrefix)
    if (prefixProblem !== undefined) return yield* startupError(`the DynamoDB table prefix ${prefixProblem}`)
    const endpoint = options.endpoint === "" ? undefined : options.endpoint
    const where = endpoint === undefined ? `region ${region}` : yield* endpointLabel(endpoint, `${options.variablePrefix ?? ""}DYNAMODB_ENDPOINT_URL`)
    const operationTimeout = Duration.decode(options.operationTimeout ?? DEFAULT_DATABASE_TIMEOUT)
    const requestTimeout = Duration.toMillis(Duration.decode(options.requestTimeout ?? operationTimeout))

    const client = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          new DynamoDBClient({
            region,
            endpoint,
            credentials: options.credentials,
            maxAttempts: options.maxAttempts ?? 3,
            // Options for the SDK's own NodeHttpHandler, so no direct dependency on @smithy packages.
            // Without throwOnRequestTimeout a request past its timeout only logs a warning and waits on.
            requestHandler: { connectionTimeout: Math.min(requestTimeout, 3_000), requestTimeout, throwOnRequestTimeout: true }
          }),
        catch: (cause) => toDatabaseError("startup", where, cause)
      }),
      (client) => Effect.sync(() => client.destroy())
    )
    const documents = DynamoDBDocumentClient.from(client, {
      // Empty strings, lists and maps are legal attribute values since 2020: keep them as they are.
      // A map holding a key `constructor` looks like a class instance to the marshaller: treat it as the map it is.
      marshallOptions: { convertEmptyValues: false, removeUndefinedValues: true, allowImpreciseNumbers: true, convertClassInstanceToMap: true },
      // DynamoDB keeps the decimal digits it was sent, which are the shortest exact form of the
      // double, so Number() restores the same double; the default would turn large ones into BigInt.
      unmarshallOptions: { wrapNumbers: (digits: string) => Number(digits) }
    })

    const call: Call = (operation, run) =>
      boundedCall({
        timeout: operationTimeout,
        abortable: sdkSignal,
        try: (abortSignal) => run({ abortSignal }),
        catch: (cause) => toDatabaseError(operation, where, cause),
        onTimeout: () =>
          new DatabaseError({
            operation,
            message: `DynamoDB ${operation} at ${where} did not answer within ${Duration.format(operationTimeout)}`,
            unavailable: true
          })
      })

    return {
      documents,
      call,
      where,
      tablePrefix,
      tableTimeout: Duration.decode(options.tableTimeout ?? "2 minutes")
    }
  })

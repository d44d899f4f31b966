import { Config, Layer, Option } from "effect"
import * as DynamoDbCatalog from "./DynamoDbCatalog.js"
import { TABLE_PREFIX_RULE, tablePrefixProblem } from "./DynamoDbClient.js"
import * as DynamoDbDatabase from "./DynamoDbDatabase.js"

/** The service's DynamoDB variables, read as options (the same as DynamoDbDatabase.layerConfig reads). */
export const options: Config.Config<DynamoDbDatabase.DynamoDbOptions> = Config.map(
  Config.all({
    region: Config.string("DYNAMODB_REGION").pipe(Config.withDefault("us-east-1")),
    endpoint: Config.option(
      Config.string("DYNAMODB_ENDPOINT_URL").pipe(Config.validate({ message: "must be a URL", validation: (url) => URL.canParse(url) }))
    ),
    tablePrefix: Config.string("DYNAMODB_TABLE_PREFIX").pipe(
      Config.validate({ message: TABLE_PREFIX_RULE, validation: (prefix) => tablePrefixProblem(prefix) === undefined }),
      Config.withDefault("")
    )
  }),
  ({ endpoint, region, tablePrefix }) => ({ region, tablePrefix, endpoint: Option.getOrUndefined(endpoint) })
)

/** The DatabaseService and the CollectionCatalog of one DynamoDB endpoint. */
export const layer = (o: DynamoDbDatabase.DynamoDbOptions) => Layer.merge(DynamoDbDatabase.layer(o), DynamoDbCatalog.layer(o))

import { type Config, Layer } from "effect"
import * as DynamoDbCatalog from "./DynamoDbCatalog.js"
import * as DynamoDbDatabase from "./DynamoDbDatabase.js"

/** The service's variables, read as the service reads them. */
export const options: Config.Config<DynamoDbDatabase.DynamoDbOptions> = DynamoDbDatabase.optionsConfig

/** The DatabaseService and the CollectionCatalog of one DynamoDB endpoint. */
export const layer = (o: DynamoDbDatabase.DynamoDbOptions) => Layer.merge(DynamoDbDatabase.layer(o), DynamoDbCatalog.layer(o))

import { describe } from "@effect/vitest"
import { Effect } from "effect"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { httpOutage } from "../contract/HttpOutage.js"
import { DUMMY_CREDENTIALS, freshTablePrefix, startDynalite } from "../support/dynalite.js"

describe("DynamoDB outage over HTTP", () => {
  httpOutage(
    "dynamodb",
    Effect.map(startDynalite(), (dynalite) => ({
      server: dynalite.server,
      restart: startDynalite(dynalite.port),
      layer: DynamoDbDatabase.layer({ endpoint: dynalite.endpoint, credentials: DUMMY_CREDENTIALS, tablePrefix: freshTablePrefix() })
    }))
  )
})

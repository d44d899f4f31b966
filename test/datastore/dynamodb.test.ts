import { dynamoTestLayer } from "../support/dynalite.js"
import { dataStoreSuite } from "./suite.js"

dataStoreSuite("dynamodb", dynamoTestLayer)

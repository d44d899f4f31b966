import { dynamoTestLayer } from "../support/dynalite.js"
import { httpContract } from "./HttpContract.js"

httpContract("dynamodb", dynamoTestLayer)

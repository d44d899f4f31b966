import { dynamoTestLayer } from "../support/dynalite.js"
import { databaseContract } from "./DatabaseContract.js"

databaseContract("dynamodb", dynamoTestLayer)

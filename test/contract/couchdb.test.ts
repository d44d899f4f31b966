import { couchTestLayer } from "../support/pouchdbServer.js"
import { databaseContract } from "./DatabaseContract.js"

databaseContract("couchdb", couchTestLayer)

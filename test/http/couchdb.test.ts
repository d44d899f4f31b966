import { couchTestLayer } from "../support/pouchdbServer.js"
import { httpContract } from "./HttpContract.js"

httpContract("couchdb", couchTestLayer)

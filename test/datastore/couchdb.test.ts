import { couchTestLayer } from "../support/pouchdbServer.js"
import { dataStoreSuite } from "./suite.js"

dataStoreSuite("couchdb", couchTestLayer)

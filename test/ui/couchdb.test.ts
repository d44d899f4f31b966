import { couchStores } from "./GofannonStores.js"
import { uiSuite } from "./UiSuite.js"

uiSuite("couchdb", couchStores)

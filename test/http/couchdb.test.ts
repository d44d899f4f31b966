import { couchStores } from "../ui/GofannonStores.js"
import { backendSuite } from "../ui/UiSuite.js"

backendSuite("couchdb", couchStores)

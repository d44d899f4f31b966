import { couchTestLayer } from "../support/pouchdbServer.js"
import { signInStorage } from "./SignInStorage.js"

signInStorage("couchdb", couchTestLayer)

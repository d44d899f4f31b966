import { firestoreTestLayer, withEmulator } from "../support/firestoreEmulator.js"
import { httpContract } from "./HttpContract.js"

withEmulator("HTTP API: firestore", () => httpContract("firestore", firestoreTestLayer))

import { firestoreTestLayer, withEmulator } from "../support/firestoreEmulator.js"
import { databaseContract } from "./DatabaseContract.js"

withEmulator("DatabaseService contract: firestore", () => databaseContract("firestore", firestoreTestLayer))

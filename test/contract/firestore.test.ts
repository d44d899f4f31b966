import { describe } from "@effect/vitest"
import { emulatorFound, firestoreTestLayer } from "../support/firestoreEmulator.js"
import { databaseContract } from "./DatabaseContract.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => databaseContract("firestore", firestoreTestLayer))

import { describe } from "@effect/vitest"
import { emulatorFound, firestoreTestLayer } from "../support/firestoreEmulator.js"
import { dataStoreSuite } from "./suite.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => dataStoreSuite("firestore", firestoreTestLayer))

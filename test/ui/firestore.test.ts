import { describe } from "@effect/vitest"
import { emulatorFound } from "../support/firestoreEmulator.js"
import { firestoreStores } from "./GofannonStores.js"
import { uiSuite } from "./UiSuite.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => uiSuite("firestore", firestoreStores))

import { describe } from "@effect/vitest"
import { emulatorFound } from "../support/firestoreEmulator.js"
import { firestoreStores } from "../ui/GofannonStores.js"
import { backendSuite } from "../ui/UiSuite.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => backendSuite("firestore", firestoreStores))

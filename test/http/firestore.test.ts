import { describe } from "@effect/vitest"
import { emulatorFound, firestoreTestLayer } from "../support/firestoreEmulator.js"
import { httpContract } from "./HttpContract.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => httpContract("firestore", firestoreTestLayer))

import { describe } from "vitest"
import { emulatorFound, firestoreTestLayer } from "../support/firestoreEmulator.js"
import { signInStorage } from "./SignInStorage.js"

describe.skipIf(!emulatorFound)("Firestore on Google's emulator", () => signInStorage("firestore", firestoreTestLayer))

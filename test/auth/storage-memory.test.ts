import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { signInStorage } from "./SignInStorage.js"

signInStorage("memory", MemoryDatabase.layer)

import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { dataStoreSuite } from "./suite.js"

dataStoreSuite("memory", MemoryDatabase.layer)

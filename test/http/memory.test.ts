import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { httpContract } from "./HttpContract.js"

httpContract("memory", MemoryDatabase.layer)

import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { databaseContract } from "./DatabaseContract.js"

databaseContract("memory", MemoryDatabase.layer)

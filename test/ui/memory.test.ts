import { memoryStores } from "./GofannonStores.js"
import { uiSuite } from "./UiSuite.js"

uiSuite("memory", memoryStores)

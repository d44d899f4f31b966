import { memoryStores } from "../ui/GofannonStores.js"
import { backendSuite } from "../ui/UiSuite.js"

backendSuite("memory", memoryStores)

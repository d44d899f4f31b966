import { dynamoStores } from "./GofannonStores.js"
import { uiSuite } from "./UiSuite.js"

uiSuite("dynamodb", dynamoStores)

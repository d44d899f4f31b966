import { dynamoStores } from "../ui/GofannonStores.js"
import { backendSuite } from "../ui/UiSuite.js"

backendSuite("dynamodb", dynamoStores)

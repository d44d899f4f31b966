import { dynamoTestLayer } from "../support/dynalite.js"
import { signInStorage } from "./SignInStorage.js"

signInStorage("dynamodb", dynamoTestLayer)

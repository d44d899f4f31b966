import { type Config, Layer } from "effect"
import * as FirestoreCatalog from "./FirestoreCatalog.js"
import * as FirestoreDatabase from "./FirestoreDatabase.js"

/** The service's variables, read as the service reads them. */
export const options: Config.Config<FirestoreDatabase.FirestoreOptions> = FirestoreDatabase.optionsConfig

/** The DatabaseService and the CollectionCatalog of one Firestore project. */
export const layer = (o: FirestoreDatabase.FirestoreOptions) => Layer.merge(FirestoreDatabase.layer(o), FirestoreCatalog.layer(o))

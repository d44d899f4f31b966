import { type Config, Layer } from "effect"
import * as CouchDbCatalog from "./CouchDbCatalog.js"
import * as CouchDbDatabase from "./CouchDbDatabase.js"

/** The service's variables, read as the service reads them. */
export const options: Config.Config<CouchDbDatabase.CouchDbOptions> = CouchDbDatabase.optionsConfig

/** The DatabaseService and the CollectionCatalog of one CouchDB server. */
export const layer = (o: CouchDbDatabase.CouchDbOptions) => Layer.merge(CouchDbDatabase.layer(o), CouchDbCatalog.layer(o))

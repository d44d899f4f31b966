import { Config, Layer } from "effect"
import * as CouchDbCatalog from "./CouchDbCatalog.js"
import * as CouchDbDatabase from "./CouchDbDatabase.js"

/** The service's CouchDB variables, read as options (the same as CouchDbDatabase.layerConfig reads). */
export const options: Config.Config<CouchDbDatabase.CouchDbOptions> = Config.all({
  url: Config.nonEmptyString("COUCHDB_URL"),
  username: Config.nonEmptyString("COUCHDB_USER"),
  password: Config.redacted("COUCHDB_PASSWORD"),
  databasePrefix: Config.string("COUCHDB_DATABASE_PREFIX").pipe(Config.withDefault(""))
})

/** The DatabaseService and the CollectionCatalog of one CouchDB server. */
export const layer = (o: CouchDbDatabase.CouchDbOptions) => Layer.merge(CouchDbDatabase.layer(o), CouchDbCatalog.layer(o))

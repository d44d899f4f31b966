import { Config, Layer, Option } from "effect"
import * as FirestoreCatalog from "./FirestoreCatalog.js"
import * as FirestoreDatabase from "./FirestoreDatabase.js"

/** The service's Firestore variables, read as options (the same as FirestoreDatabase.layerConfig reads). */
export const options: Config.Config<FirestoreDatabase.FirestoreOptions> = Config.map(
  Config.all({
    projectId: Config.nonEmptyString("FIRESTORE_PROJECT_ID").pipe(
      Config.orElse(() => Config.nonEmptyString("GOOGLE_CLOUD_PROJECT"))
    ),
    emulatorHost: Config.option(Config.nonEmptyString("FIRESTORE_EMULATOR_HOST"))
  }),
  ({ emulatorHost, projectId }) => ({ projectId, emulatorHost: Option.getOrUndefined(emulatorHost) })
)

/** The DatabaseService and the CollectionCatalog of one Firestore project. */
export const layer = (o: FirestoreDatabase.FirestoreOptions) => Layer.merge(FirestoreDatabase.layer(o), FirestoreCatalog.layer(o))

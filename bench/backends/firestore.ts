import { Effect } from "effect"
import { deleteApp, initializeApp } from "firebase-admin/app"
import { type DocumentReference, FieldPath, type Firestore, initializeFirestore, type Timestamp } from "firebase-admin/firestore"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import { startEmulatorWithHeap } from "../../test/support/firestoreEmulator.js"
import { BENCH_TIMEOUT, type BenchBackend, type RawClient, uniqueName } from "./Backend.js"

// Each raw client is an app of its own: the port bench makes two (the second is its control).
let rawApps = 0

/** The Firestore SDK on the emulator, making the calls the adapter makes, the way a hand-written service would. */
const rawClient = (host: string, projectId: string) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const app = initializeApp({ projectId }, `bench-raw-${projectId}-${++rawApps}`)
        const db = initializeFirestore(app)
        db.settings({ host, ssl: false, universeDomain: "googleapis.com" })
        return { app, db }
      }),
      ({ app }) => Effect.promise(() => deleteApp(app))
    ),
    ({ db }: { db: Firestore }): RawClient => {
      const updated = new Map<string, Timestamp>()
      const ref = (collection: string, id: string): DocumentReference => db.collection(collection).doc(id)
      return {
        get: async (collection, id) => (await ref(collection, id).get()).data(),
        refresh: async (collection, ids) => {
          for (const snapshot of await db.getAll(...ids.map((id) => ref(collection, id)))) {
            if (snapshot.updateTime !== undefined) updated.set(snapshot.id, snapshot.updateTime)
          }
        },
        // Replace at a known update time: a guarded delete and the set, in one commit.
        save: async (collection, id, body) => {
          const target = ref(collection, id)
          const results = await db.batch().delete(target, { lastUpdateTime: updated.get(id)! }).set(target, body).commit()
          updated.set(id, results[1]!.writeTime)
        },
        // In id order, as the adapter pages.
        find: async (collection, field, value, limit) =>
          (await db.collection(collection).where(field, "==", value).orderBy(FieldPath.documentId()).limit(limit).get()).docs.map((d) =>
            d.data()
          ),
        // The documents' data read out, as the adapter returns them (a snapshot decodes its fields only when asked).
        getMany: async (collection, ids) =>
          (await db.getAll(...ids.map((id) => ref(collection, id)))).flatMap((s) => (s.exists ? [s.data()] : [])).length
      }
    }
  )

// Room for every document the bench's Firestore sections write (TEST_HEAP_MB says why).
const HEAP_MB = 4096

/** Google's Firestore emulator, started the way the tests start it but for its heap (or FIRESTORE_EMULATOR_HOST's). */
export const firestore: BenchBackend = {
  name: "firestore",
  start: Effect.map(startEmulatorWithHeap(HEAP_MB), (emulator) => ({
    name: "firestore",
    endpoint: `http://${emulator.host}`,
    protocol: "h2c" as const,
    // A project per namespace: the emulator keeps each project's data apart.
    namespace: () => `bench-${uniqueName()}`,
    docportEnv: (namespace) => ({ FIRESTORE_PROJECT_ID: namespace, FIRESTORE_EMULATOR_HOST: emulator.host }),
    module: "adapters/firestore/FirestoreDatabase",
    options: (namespace) => ({ projectId: namespace, emulatorHost: emulator.host, requestTimeout: BENCH_TIMEOUT }),
    adapter: (namespace, via) =>
      FirestoreDatabase.make({
        projectId: namespace,
        emulatorHost: via === undefined ? emulator.host : new URL(via).host,
        requestTimeout: BENCH_TIMEOUT
      }),
    raw: (namespace) => rawClient(emulator.host, namespace)
  }))
}

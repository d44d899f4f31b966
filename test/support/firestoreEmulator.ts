import { Effect, Layer, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import { accessSync, constants, existsSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { type ChildServer, freePort, startChildServer } from "./ChildServer.js"
import { TEST_DATABASE_TIMEOUT } from "./timeouts.js"

export const DEFAULT_EMULATOR_JAR = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
const INSTALL_HINT = "install it with `apt-get install google-cloud-cli-firestore-emulator` (needs Java 17), " +
  "or set FIRESTORE_EMULATOR_JAR to its jar, or FIRESTORE_EMULATOR_HOST to a running emulator"

/** Where the tests get a Firestore emulator from, in order of preference. */
export type EmulatorSource =
  | { readonly kind: "external"; readonly host: string }
  | { readonly kind: "jar"; readonly jar: string }
  | { readonly kind: "gcloud"; readonly gcloud: string }
  | { readonly kind: "missing" }

const onPath = (command: string): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

const findEmulator = (): EmulatorSource => {
  const host = process.env.FIRESTORE_EMULATOR_HOST
  if (host !== undefined && host !== "") return { kind: "external", host }
  const jar = process.env.FIRESTORE_EMULATOR_JAR
  if (jar !== undefined && jar !== "") {
    if (!existsSync(jar)) throw new Error(`FIRESTORE_EMULATOR_JAR names ${jar}, which does not exist`)
    return { kind: "jar", jar }
  }
  if (existsSync(DEFAULT_EMULATOR_JAR)) return { kind: "jar", jar: DEFAULT_EMULATOR_JAR }
  const gcloud = onPath("gcloud")
  return gcloud === undefined ? { kind: "missing" } : { kind: "gcloud", gcloud }
}

// Each test file runs in its own worker process; the marker (per vitest run, named after the
// parent process) keeps the warning to one line per run instead of one per file.
const warnOnce = (line: string) => {
  try {
    writeFileSync(join(tmpdir(), `docport-no-firestore-emulator-${process.ppid}`), "", { flag: "wx" })
  } catch {
    return
  }
  console.warn(line)
}

export const emulatorSource: EmulatorSource = findEmulator()

if (emulatorSource.kind === "missing") {
  if (process.env.CI === "true") {
    throw new Error(`CI=true and Google's Firestore emulator was not found: ${INSTALL_HINT}`)
  }
  warnOnce(`⚠ FIRESTORE SUITES SKIPPED: Google's Firestore emulator was not found; ${INSTALL_HINT}.`)
}

/**
 * Whether the Firestore suites can run; they wrap themselves in `describe.skipIf(!emulatorFound)`.
 * (This module leaves vitest alone, so that benchmarks can start an emulator with it too.)
 */
export const emulatorFound = emulatorSource.kind !== "missing"

/**
 * The emulator keeps every document in its Java heap. Tests write a few thousand at most; the
 * bench writes a few hundred thousand over its Firestore sections, and at 512 MB the collector
 * took over: in the full runs of 2 December 20:45 and 3 December 04:45 UTC the bulk rounds' saveMany
 * of 10,000 documents took 2.5, 4.5, then 8.7 s, and the last getMany no answer within 30 s.
 */
export const TEST_HEAP_MB = 512

const spawnEmulator = (
  source: { readonly kind: "jar"; readonly jar: string } | { readonly kind: "gcloud"; readonly gcloud: string },
  chosenPort: number | undefined,
  heapMb: number
) =>
  Effect.gen(function*() {
    const port = chosenPort ?? (yield* freePort)
    const server = yield* startChildServer({
      name: "Firestore emulator",
      ...(source.kind === "jar"
        ? {
          command: "java",
          // A small heap, a serial collector and the quick JIT: it serves tests, on a shared machine.
          args: [
            "-Duser.language=en",
            `-Xmx${heapMb}m`,
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            source.jar,
            "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
            "--host",
            "127.0.0.1",
            "--port",
            String(port)
          ]
        }
        : { command: source.gcloud, args: ["emulators", "firestore", "start", `--host-port=127.0.0.1:${port}`, "--quiet"] }),
      ready: (output) => output.includes("Dev App Server is now running"),
      startTimeoutMs: 90_000
    })
    return { host: `127.0.0.1:${port}`, server }
  })

export interface Emulator {
  readonly host: string
  /** The process, when this run started it (absent for FIRESTORE_EMULATOR_HOST). */
  readonly server: ChildServer | undefined
}

/**
 * An emulator of the test's own on 127.0.0.1 (a free port unless one is given, e.g. to restart it
 * where it was), stopped when the scope closes.
 */
export const startOwnEmulator = (port?: number, heapMb = TEST_HEAP_MB): Effect.Effect<Emulator, Error, Scope.Scope> =>
  emulatorSource.kind === "jar" || emulatorSource.kind === "gcloud"
    ? spawnEmulator(emulatorSource, port, heapMb)
    : Effect.fail(new Error(`no Firestore emulator to start (${emulatorSource.kind === "external" ? "FIRESTORE_EMULATOR_HOST is set" : INSTALL_HINT})`))

/** Where the run's shared emulator listens (set by test/support/sharedEmulator.ts), if there is one. */
export const SHARED_HOST_VARIABLE = "DOCPORT_TEST_SHARED_FIRESTORE_HOST"

/**
 * The emulator FIRESTORE_EMULATOR_HOST names, else the one the whole run shares (suites that stop
 * or freeze an emulator start their own with startOwnEmulator), else one of the test's own.
 */
export const startEmulatorWithHeap = (heapMb: number): Effect.Effect<Emulator, Error, Scope.Scope> =>
  Effect.suspend(() => {
    if (emulatorSource.kind === "external") return Effect.succeed({ host: emulatorSource.host, server: undefined })
    const shared = process.env[SHARED_HOST_VARIABLE]
    return shared !== undefined && shared !== "" ? Effect.succeed({ host: shared, server: undefined }) : startOwnEmulator(undefined, heapMb)
  })

export const startEmulator = startEmulatorWithHeap(TEST_HEAP_MB)

/** A project no other suite uses: the emulator keeps each project's data apart. */
export const freshProjectId = () => `docport-test-${randomUUID().slice(0, 8)}`

// On a shared emulator the suite's data would outlive it; the emulator's own endpoint wipes one project.
const wipeProject = (host: string, projectId: string) =>
  Effect.promise(async () => {
    try {
      await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: "DELETE" })
    } catch (error) {
      console.warn(`could not wipe the emulator's test project ${projectId}: ${String(error)}`)
    }
  })

/** Adapter options for a fresh project on the emulator; on a shared one the project is wiped when the scope closes. */
export const testOptions = (emulator: Emulator, extra: Partial<FirestoreDatabase.FirestoreOptions> = {}) =>
  Effect.gen(function*() {
    const projectId = freshProjectId()
    if (emulator.server === undefined) yield* Effect.addFinalizer(() => wipeProject(emulator.host, projectId))
    return { projectId, emulatorHost: emulator.host, requestTimeout: TEST_DATABASE_TIMEOUT, ...extra } satisfies FirestoreDatabase.FirestoreOptions
  })

/** The Firestore DatabaseService for tests: its own emulator (or FIRESTORE_EMULATOR_HOST's) and a fresh project. */
export const firestoreTestLayer = Layer.scoped(
  DatabaseService,
  Effect.gen(function*() {
    const emulator = yield* startEmulator
    return yield* FirestoreDatabase.make(yield* testOptions(emulator))
  })
)

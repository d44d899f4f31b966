import { Effect, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { RawDatabase } from "../../src/ports/RawDatabase.js"
import type { RunningBackend } from "../backends/Backend.js"
import { buildDocport, buildDocportAt, CURRENT_BUILD, type DocportBuild, ROOT } from "../support/processes.js"

/** A version of docport's adapters: the full port, and the raw operations under it. */
export interface AdapterModules {
  /** The commit, for the report; undefined for the working tree. */
  readonly commit: string | undefined
  readonly make: (backend: RunningBackend, namespace: string) => Effect.Effect<DatabaseServiceShape, unknown, Scope.Scope>
  readonly makeRaw: (backend: RunningBackend, namespace: string) => Effect.Effect<RawDatabase, unknown, Scope.Scope>
}

type Made<A> = Effect.Effect<A, unknown, Scope.Scope> | A | ((options: unknown) => Effect.Effect<A, unknown, Scope.Scope> | A)

// make and makeRaw are functions of the options on the remote backends, and an Effect (make) or a
// function without options (makeRaw) on memory.
const call = <A>(made: Made<A> | undefined, options: unknown, what: string): Effect.Effect<A, unknown, Scope.Scope> => {
  if (made === undefined) return Effect.fail(new Error(`this version of the adapter has no ${what}`))
  const result = typeof made === "function" ? (made as (options: unknown) => unknown)(options) : made
  return Effect.isEffect(result) ? result as Effect.Effect<A, unknown, Scope.Scope> : Effect.succeed(result as A)
}

// Compiled as `npm run build` compiles docport, never through tsx: under tsx every closure the
// adapters make per call also paid for a `__name` call, which the service never pays.
const load = (build: Effect.Effect<DocportBuild, Error>, module: string) =>
  Effect.flatMap(build, ({ dist }) =>
    Effect.tryPromise({
      try: () => import(pathToFileURL(join(dist, `${module}.js`)).href) as Promise<Record<string, Made<unknown>>>,
      catch: (cause) => new Error(`cannot load ${module} from ${dist}: ${String(cause)}`)
    }))

const modules = (build: Effect.Effect<DocportBuild, Error>, commit: string | undefined): AdapterModules => {
  const built = Effect.runSync(Effect.cached(build))
  return {
    commit,
    make: (backend, namespace) =>
      Effect.flatMap(load(built, backend.module), (m) => call(m.make as Made<DatabaseServiceShape>, backend.options(namespace), "make")),
    makeRaw: (backend, namespace) =>
      Effect.flatMap(load(built, backend.module), (m) => call(m.makeRaw as Made<RawDatabase>, backend.options(namespace), "makeRaw"))
  }
}

/** The adapters of the working tree, from dist/ as `npm run build` makes it. */
export const currentAdapters: AdapterModules = modules(
  Effect.as(buildDocport, CURRENT_BUILD),
  undefined
)

/** The adapters (and the port) of another commit, built as the HTTP section builds it (bench/.before/). */
export const adaptersAt = (ref: string): AdapterModules => {
  const commit = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim()
  return modules(buildDocportAt(commit), commit)
}

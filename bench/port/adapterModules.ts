import { Effect, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { RawDatabase } from "../../src/ports/RawDatabase.js"
import type { RunningBackend } from "../backends/Backend.js"
import { ROOT } from "../support/processes.js"

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

const load = (root: string | undefined, module: string) =>
  Effect.tryPromise({
    try: () =>
      (root === undefined
        ? import(`../../src/${module}.js`)
        : import(pathToFileURL(join(root, "src", `${module}.ts`)).href)) as Promise<Record<string, Made<unknown>>>,
    catch: (cause) => new Error(`cannot load ${module}${root === undefined ? "" : ` from ${root}`}: ${String(cause)}`)
  })

const modules = (root: string | undefined, commit: string | undefined): AdapterModules => ({
  commit,
  make: (backend, namespace) =>
    Effect.flatMap(load(root, backend.module), (m) => call(m.make as Made<DatabaseServiceShape>, backend.options(namespace), "make")),
  makeRaw: (backend, namespace) =>
    Effect.flatMap(load(root, backend.module), (m) => call(m.makeRaw as Made<RawDatabase>, backend.options(namespace), "makeRaw"))
})

/** The adapters of the working tree. */
export const currentAdapters: AdapterModules = modules(undefined, undefined)

/**
 * The adapters (and the port) of another commit, extracted from git under .benchout/, where they
 * import the same node_modules as the working tree.
 */
export const adaptersAt = (ref: string): AdapterModules => {
  const commit = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim()
  const root = join(ROOT, ".benchout", `src-${commit.slice(0, 12)}`)
  if (!existsSync(join(root, "src"))) {
    mkdirSync(root, { recursive: true })
    execFileSync("sh", ["-c", `git archive ${commit} src | tar -x -C '${root}'`], { cwd: ROOT })
  }
  return modules(root, commit)
}

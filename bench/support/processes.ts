import { Effect, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, portAccepts, startChildServer } from "../../test/support/ChildServer.js"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))

/** The node flags `npm start` gives docport (package.json), so that the bench runs it as it runs. */
export const START_FLAGS: ReadonlyArray<string> = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts.start as string
).split(/\s+/).filter((word) => word.startsWith("--"))

/** A compiled docport: its dist/ directory (the modules the port section loads) and its entry point. */
export interface DocportBuild {
  readonly dist: string
  readonly main: string
}

// What `npm start` runs: the server's bundle (dist/server/, since scripts/bundleServer.mjs), or
// for a build of a commit before it, the entry point among the modules built one by one.
const buildIn = (dist: string): DocportBuild => ({
  dist,
  get main() {
    const bundled = join(dist, "server", "main.js")
    return existsSync(bundled) ? bundled : join(dist, "app", "main.js")
  }
})

/** The working tree's build, made by buildDocport (npm run build). */
export const CURRENT_BUILD: DocportBuild = buildIn(join(ROOT, "dist"))

/** An HTTP server under load, running in a process of its own. */
export interface HttpTarget {
  readonly name: string
  readonly url: string
  readonly pid: number
}

export interface ProcessOptions {
  /** Write a V8 CPU profile into this directory when the process exits. */
  readonly cpuProfileDir?: string | undefined
  /** Node flags after `npm start`'s own, so that these win (V8 takes a flag's last value). */
  readonly nodeFlags?: ReadonlyArray<string> | undefined
  /** Run the process (every thread of it) on this CPU alone, through taskset (cpu.ts, pinningPlan). */
  readonly cpu?: number | undefined
}

/** esbuild with the settings of `npm run build` (package.json), plus what a caller adds. */
export const esbuild = (...args: ReadonlyArray<string>) =>
  execFileSync(join(ROOT, "node_modules", ".bin", "esbuild"), [
    ...args,
    "--format=esm",
    "--platform=node",
    "--target=node20",
    "--log-level=warning"
  ], { cwd: ROOT, stdio: "inherit" })

/**
 * A baseline's TypeScript, bundled by esbuild (its packages left to node_modules) under
 * bench/.build/, once per bench process. Under `--import tsx` the baselines paid for what docport,
 * run from its esbuild build, does not: tsx's `__name` call on every closure they make per
 * request, and the compilation of their sources before the port opened.
 */
const built = new Map<string, string>()

/** scripts/bundleServer.mjs on `entry`, as `npm run build` runs it on docport's main.ts. */
const bundleServer = (entry: string, outdir: string) =>
  execFileSync(process.execPath, [join(ROOT, "scripts", "bundleServer.mjs"), entry, outdir], { cwd: ROOT, stdio: "inherit" })

/**
 * A baseline server bundled as docport's server is (scripts/bundleServer.mjs: the Effect packages
 * in the bundle) under bench/.build/<name>/, once per bench process: bundling alone took 7 - 9 %
 * off a GET's CPU for either server (4 December), which the comparison must not credit to docport.
 */
const bundledServers = new Map<string, string>()
export const bundledServer = (script: string): string => {
  const known = bundledServers.get(script)
  if (known !== undefined) return known
  const outdir = join(ROOT, "bench", ".build", basename(script, ".ts"))
  bundleServer(script, outdir)
  const main = join(outdir, `${basename(script, ".ts")}.js`)
  bundledServers.set(script, main)
  return main
}
export const compiled = (script: string): string => {
  const known = built.get(script)
  if (known !== undefined) return known
  const outfile = join(ROOT, "bench", ".build", `${basename(script, ".ts")}.mjs`)
  esbuild(script, "--bundle", "--packages=external", `--outfile=${outfile}`)
  built.set(script, outfile)
  return outfile
}

// The server runs in this very process (no wrapper process between the signal and the server),
// so V8 flags such as --cpu-prof apply to it. docport runs from its build (dist/, made by `npm run
// build`), as `npm start` runs it; the baselines from theirs (compiled above).
const serverArgs = (script: string, options: ProcessOptions) => [
  ...(options.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`]),
  // The baselines too: they are compared under the same runtime settings.
  ...START_FLAGS,
  ...(options.nodeFlags ?? []),
  script.endsWith(".ts") ? bundledServer(script) : script
]

const startServerProcess = (
  name: string,
  script: string,
  env: Record<string, string>,
  ready: string,
  options: ProcessOptions
): Effect.Effect<HttpTarget, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    // taskset execs node in its own place: the pid is the server's.
    const server = yield* startChildServer({
      name,
      command: options.cpu === undefined ? process.execPath : "taskset",
      args: options.cpu === undefined ? serverArgs(script, options) : ["-c", String(options.cpu), process.execPath, ...serverArgs(script, options)],
      cwd: ROOT,
      env: { ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
      ready: (output) => output.includes(ready),
      // Its port open counts too: a server started with LOG_LEVEL=warn never prints the line.
      probe: () => portAccepts(port),
      startTimeoutMs: 60_000
    })
    return { name, url: `http://127.0.0.1:${port}`, pid: server.process.pid ?? 0 }
  })

/** docport itself, exactly as `npm start` runs it, on the backend the environment names. */
export const startDocport = (env: Record<string, string>, options: ProcessOptions = {}) =>
  Effect.zipRight(buildDocport, startBuiltDocport(env, options))

/** dist/, as `npm start`'s prestart makes it. */
export const buildDocport = Effect.sync(() => execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" }))


/** docport from the dist/ already built, so that the time to its port opening counts only the process. */
export const startBuiltDocport = (env: Record<string, string>, options: ProcessOptions = {}) =>
  startServerProcess("docport", CURRENT_BUILD.main, env, "Listening on", options)

/** Whether `commit` holds `path`. */
const hasFile = (commit: string, path: string): boolean => {
  try {
    execFileSync("git", ["-C", ROOT, "cat-file", "-e", `${commit}:${path}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/**
 * docport's sources at `rev`, built as `npm run build` builds them, under bench/.before/<commit>/
 * (node_modules resolve from the root). Kept by the commit `rev` names, not by `rev` itself: a
 * branch or HEAD would otherwise reuse the build of wherever it pointed the first time.
 */
export const buildDocportAt = (rev: string): Effect.Effect<DocportBuild, Error> =>
  Effect.try({
    try: () => {
      const commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--verify", `${rev}^{commit}`], { encoding: "utf8" }).trim()
      const dir = join(ROOT, "bench", ".before", commit)
      const build = buildIn(join(dir, "dist"))
      if (!existsSync(build.main)) {
        mkdirSync(dir, { recursive: true })
        execFileSync("sh", ["-c", `git -C "${ROOT}" archive "${commit}" src | tar -x -C "${dir}"`], { stdio: "inherit" })
        esbuild(`${dir}/src/**/*.ts`, `--outdir=${build.dist}`)
        // Its server bundled where its commit had scripts/bundleServer.mjs (by this tree's copy of it).
        if (hasFile(commit, "scripts/bundleServer.mjs")) {
          bundleServer(`${dir}/src/app/main.ts`, join(build.dist, "server"))
        }
      }
      return build
    },
    catch: (cause) => new Error(`cannot build docport at ${rev}: ${String(cause)}`)
  })

/** A docport build made by buildDocportAt, on memory, under the name given. */
export const startDocportBuild = (name: string, build: DocportBuild, options: ProcessOptions = {}, env: Record<string, string> = {}) =>
  startServerProcess(name, build.main, { DATABASE_PROVIDER: "memory", ...env }, "Listening on", options)

/** The plain node:http + Map server of bench/baseline. */
export const startBaseline = (options: ProcessOptions = {}) =>
  startServerProcess("baseline", "bench/baseline/server.ts", {}, "baseline listening", options)

/** The same routes on bare @effect/platform: the floor of docport's HTTP stack. */
export const startPlatformFloor = (options: ProcessOptions = {}) =>
  startServerProcess("platform", "bench/baseline/platformServer.ts", {}, "Listening on", options)

/** docport's agent routes as a bare HttpApi over a Map: docport's own cost is what it adds above this. */
export const startHttpApiBaseline = (options: ProcessOptions = {}, env: Record<string, string> = {}) =>
  startServerProcess("httpapi", "bench/baseline/httpApiServer.ts", env, "Listening on", options)

/** The bare HttpApi trained before its port opens as docport trains itself (bench/baseline/httpApiTraining.ts). */
export const startTrainedHttpApiBaseline = (options: ProcessOptions = {}) =>
  startServerProcess("httpapi-trained", "bench/baseline/httpApiServer.ts", { BASELINE_WARMUP: "on" }, "Listening on", options)

/** The bare HttpApi with docport's sign-in middleware declared, answered by a constant principal. */
export const startSecuredHttpApiBaseline = (options: ProcessOptions = {}) =>
  startServerProcess("httpapi-signin", "bench/baseline/httpApiServer.ts", { BASELINE_SIGN_IN: "on" }, "Listening on", options)

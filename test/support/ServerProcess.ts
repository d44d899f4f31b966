import { type ChildProcess, spawn } from "node:child_process"
import { Effect } from "effect"
import { freePort } from "./ChildServer.js"
import { TEST_DATABASE_TIMEOUT_TEXT } from "./timeouts.js"

export interface ServerProcess {
  readonly child: ChildProcess
  /** stdout and stderr, interleaved. */
  readonly output: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
  /** Resolves once the output contains `text`; rejects after `ms` with the output so far. */
  readonly waitFor: (text: string, ms?: number) => Promise<void>
  /** SIGTERM (or another signal) to the whole process group, as a supervisor stops a service. */
  readonly signalGroup: (signal?: NodeJS.Signals) => void
}

/**
 * docport as a process of its own, in a process group of its own: `npm start`, or node on the
 * build directly (faster, for tests of node's own behaviour). Killed with its group if the
 * test leaves it running.
 */
/** `env` over the defaults below; a variable given as undefined is left unset. */
export const startServerProcess = (how: "npm" | "node", env: Record<string, string | undefined>): ServerProcess => {
  let output = ""
  let stderr = ""
  // The global setup built dist/ once. npm start's prestart would rebuild it while other suites
  // run from it (a half-written module fails their import), so the tests skip the pre-script.
  const [command, args] = how === "npm" ? ["npm", ["start", "--ignore-scripts"]] as const : [process.execPath, ["dist/server/main.js"]] as const
  const child = spawn(command, [...args], {
    // No start-up warm-up unless a test asks for it: it would add seconds to every server of the suite (test/app/warmup.test.ts proves it).
    env: Object.fromEntries(
      Object.entries({ ...process.env, DATABASE_PROVIDER: "memory", HOST: "127.0.0.1", DATABASE_TIMEOUT: TEST_DATABASE_TIMEOUT_TEXT, WARMUP: "off", ...env })
        .filter(([, value]) => value !== undefined)
    ),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => {
    output += d
    stderr += d
  })
  // "close", not "exit": at "exit" the pipes may still hold the process's last lines unread (a
  // loaded machine once gave a test a start-up failure's exit code with an empty stderr).
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  const leftover = () => {
    try {
      process.kill(-child.pid!, "SIGKILL")
    } catch {
      // already gone
    }
  }
  process.once("exit", leftover)
  void exit.then(() => process.off("exit", leftover))
  const waitFor = async (text: string, ms = 60_000) => {
    const until = Date.now() + ms
    while (!output.includes(text)) {
      if (Date.now() > until) throw new Error(`no '${text}' within ${ms} ms:\n${output}`)
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before '${text}':\n${output}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  return { child, output: () => output, stderr: () => stderr, exit, waitFor, signalGroup: (signal = "SIGTERM") => process.kill(-child.pid!, signal) }
}

/** Milliseconds from now until the promise settles. */
export const timed = async <A>(promise: Promise<A>): Promise<[A, number]> => {
  const start = Date.now()
  const value = await promise
  return [value, Date.now() - start]
}

/**
 * `use` run against docport started with node on a free port (`env` over the defaults), once it
 * listens; the process is killed afterwards, whatever `use` did.
 */
export const withServingProcess = async (env: Record<string, string | undefined>, use: (port: number) => Promise<void>, startMs = 90_000) => {
  const port = await Effect.runPromise(freePort)
  const run = startServerProcess("node", { ...env, PORT: String(port) })
  try {
    await run.waitFor("Listening on", startMs)
    await use(port)
  } finally {
    run.signalGroup("SIGKILL")
    await run.exit
  }
}

// Counting instructions with valgrind (callgrind) instead of timing. valgrind starts the process
// with its instrumentation off, so start-up and warm-up run uncounted (and some ten times faster
// than counted); the process opens one window around the work to count (countedWindow.ts), and
// the driver switches instrumentation on and off for it with callgrind_control. Inside, the
// process's clocks and ids are made repeatable (countedWindow.ts). Repeated windows of 2,000
// `GET`s of one build agreed within 0.7 %, one run beside two busy loops came 1.6 % low (probably
// Node's timers, which still run on the wall clock), and a rebuilt bundle moves a count by about
// 1 %, where differences of whole runs moved by 10 - 20 % (bench/HISTORY.md, "Instructions instead of seconds"). Instructions are not seconds: cache misses, branch
// misses and the kernel are left out, so the timed benches stay the judge of speed; a count says
// where instructions go.
import { execFile, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { copyFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import type { Duplex } from "node:stream"
import { esbuild, ROOT } from "./processes.js"

export interface Bundle {
  readonly path: string
  readonly remove: () => void
}

/**
 * `entry` bundled as `npm run build` compiles the server (packages left to node_modules), never
 * run through tsx. Inside the package, so its imports resolve; a name of its own, so that a change
 * made while another count runs does not reach that one.
 */
export const bundle = (entry: string): Bundle => {
  const path = join(ROOT, "node_modules", ".cache", `callgrind-${randomUUID()}.mjs`)
  esbuild(entry, "--bundle", "--packages=external", `--outfile=${path}`)
  const remove = () => {
    // Beside the profiles it ran for, so that callgrindFunctions.ts can name its lines' modules.
    if (process.env.CALLGRIND_OUT !== undefined) copyFileSync(path, join(process.env.CALLGRIND_OUT, basename(path)))
    rmSync(path, { force: true })
  }
  return { path, remove }
}

/**
 * Node's flags under valgrind. --predictable runs V8 without background threads (valgrind counts
 * every thread); the rest keep timing out of V8's heap: the old generation is otherwise sized from
 * timed GC and allocation speeds, the memory reducer collects on a timer, and incremental marking
 * and scavenges run partly as tasks the event loop takes when it can. With them, counts of whole
 * runs still moved by up to 0.4 % with the load (a run's start-up dwarfs its requests), and a
 * window by the little the header says. (--predictable-gc-schedule would fix the GC too, but shrinks the
 * young generation to 4 MB, far from the server's 32.)
 */
const NODE_FLAGS = [
  "--predictable",
  "--no-memory-reducer",
  "--heap-growing-percent=100",
  "--no-incremental-marking",
  "--no-minor-gc-task",
  "--random-seed=1",
  "--hash-seed=1",
  "--max-semi-space-size=32"
]

// With CALLGRIND_OUT, node names its compiled code in /tmp/perf-<pid>.map for callgrindFunctions.ts;
// V8's own log, which the flag turns on too, is not wanted.
const PROFILE_FLAGS = ["--perf-basic-prof", "--no-logfile-per-isolate", "--logfile=/dev/null"]

/**
 * valgrind names the files its controller talks through after $USER and $HOST as the counted
 * process saw them: a process started with HOST set (a server's bind address) must be switched
 * with the same HOST, or the switch answers OK and changes nothing.
 */
export const switchInstrumentation = (pid: number, state: string, env: NodeJS.ProcessEnv = process.env) =>
  new Promise<void>((resolve, reject) =>
    execFile("callgrind_control", ["-i", state, String(pid)], { env }, (error) => error === null ? resolve() : reject(error))
  )

/**
 * valgrind's command line for node running `script` with its instrumentation off, as every count
 * starts it. CALLGRIND_OUT=dir keeps each run's profile (callgrind.<pid>) for callgrindFunctions.ts.
 * `simulate` adds valgrind's model of the caches and branch predictors (eventsIn): what a count of
 * instructions leaves out, modelled on a generic CPU rather than measured on this one.
 */
export const valgrindArgs = (script: string, args: ReadonlyArray<string> = [], simulate = false) => {
  const out = process.env.CALLGRIND_OUT
  return [
    "--tool=callgrind",
    ...(simulate ? ["--cache-sim=yes", "--branch-sim=yes"] : []),
    "--instr-atstart=no",
    `--callgrind-out-file=${out === undefined ? "/dev/null" : join(out, "callgrind.%p")}`,
    process.execPath,
    ...NODE_FLAGS,
    ...(out === undefined ? [] : PROFILE_FLAGS),
    script,
    ...args
  ]
}

/**
 * Every event valgrind's summary says it collected, by its name: Ir (instructions), and with the
 * simulation on I1mr / D1mr / D1mw (first-level cache misses: instruction, data read, data write),
 * ILmr / DLmr / DLmw (the same at the last level), Bc / Bcm and Bi / Bim (conditional and indirect
 * branches, and their mispredictions). Empty when it printed none.
 */
export const eventsIn = (log: string): ReadonlyMap<string, number> => {
  const names = /Events\s*:\s*([A-Za-z0-9 ]+)/.exec(log)?.[1]?.trim().split(/\s+/) ?? []
  const values = /Collected\s*:\s*([\d ]+)/.exec(log)?.[1]?.trim().split(/\s+/).map(Number) ?? []
  return new Map(names.map((name, i) => [name, values[i] ?? Number.NaN]))
}

/** The instructions valgrind's summary says it collected, or undefined when it printed none. */
export const collectedIn = (log: string): number | undefined => eventsIn(log).get("Ir")

/**
 * Instructions in the window `script` opens (countedWindow.ts), as callgrind's summary gives them
 * (child processes not counted). A script that opens no window fails rather than counting 0.
 */
export const countInstructions = (script: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn("valgrind", valgrindArgs(script, args), { cwd: ROOT, env: { ...process.env, ...env, CALLGRIND_WINDOW: "fd3" }, stdio: ["ignore", "ignore", "pipe", "pipe"] })
    let log = ""
    let opened = false
    child.stderr!.on("data", (chunk) => log += chunk)
    // valgrind runs node in its own process, so the child's pid is the one to switch.
    const channel = child.stdio[3] as Duplex
    channel.setEncoding("utf8")
    channel.on("data", (lines: string) => {
      for (const state of lines.trim().split("\n")) {
        if (state === "on") opened = true
        switchInstrumentation(child.pid!, state).then(
          () => channel.write("ok\n"),
          (error: unknown) => { log += `callgrind_control -i ${state}: ${String(error)}\n`; child.kill() }
        )
      }
    })
    child.on("close", (code) => {
      const collected = collectedIn(log)
      if (code === 0 && opened && collected !== undefined) resolve(collected)
      else reject(new Error(`${args.join(" ")}: exit ${code}${opened ? "" : ", no counted window opened"}\n${log.slice(-2000)}`))
    })
  })

/**
 * One run of each subject with a window of `count` requests or calls, two runs at a time
 * (valgrind runs a process on one core). The exchange that switches instrumentation is counted
 * in: 1.5 - 1.9 M instructions in an empty window, 0.15 % of one of 2,000 `GET`s. A run that fails
 * is reported and gives NaN, so that one subject does not cost the others.
 */
export const countRuns = async (subjects: ReadonlyArray<{ readonly key: string; readonly run: () => Promise<number> }>) => {
  const queue = [...subjects]
  const results = new Map<string, number>()
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const result = await job.run().catch((error: unknown) => {
        console.error(`${job.key} failed: ${String(error)}`)
        return Number.NaN
      })
      results.set(job.key, result)
      console.error(`${job.key}: ${result.toLocaleString("en")}`)
    }
  }
  await Promise.all([worker(), worker()])
  return results
}

/** A subject's instructions per request or call, in thousands (NaN if its run failed). */
export const perUnit = (results: ReadonlyMap<string, number>, key: string, count: number) =>
  (results.get(key) ?? Number.NaN) / count / 1000

/** A report's table row: its label cells, then subjects `a` and `b` per request or call, and a / b. */
export const ratioRow = (results: ReadonlyMap<string, number>, count: number, label: ReadonlyArray<string>, a: string, b: string) => {
  const x = perUnit(results, a, count)
  const y = perUnit(results, b, count)
  return `| ${[...label, x.toFixed(1), y.toFixed(1), (x / y).toFixed(3)].join(" | ")} |`
}

/** Prints the report and keeps it as bench/results/<name>-<date>.md, with every count it came from. */
export const writeReport = (name: string, lines: ReadonlyArray<string>, counts: ReadonlyMap<string, number>) => {
  const text = [
    ...lines,
    "",
    "Instructions in each run's window (valgrind's count):",
    "",
    ...[...counts].map(([key, n]) => `- ${key}: ${n.toLocaleString("en")}`),
    ""
  ].join("\n")
  console.log(text)
  writeFileSync(join(ROOT, "bench", "results", `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.md`), text)
}

// Counting instructions with valgrind (callgrind) instead of timing. A count moves far less with
// the machine's load than a timing does, but not little enough yet: NODE_FLAGS below says how far
// it moves, and a difference of two whole runs over 1,000 requests inherits all of it (README,
// "Instructions instead of seconds"). Instructions are not seconds either: cache misses, branch
// misses and the kernel are left out, so the timed benches stay the judge.
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
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
  return { path, remove: () => rmSync(path, { force: true }) }
}

/**
 * Node's flags under valgrind. --predictable runs V8 without background threads; V8 still sizes
 * the old generation from timed GC and allocation speeds, the memory reducer collects on a timer,
 * and incremental marking and scavenges run partly as tasks the event loop takes when it can, so
 * those are fixed or turned off too. What is left still moves with the wall clock: the same run
 * twice side by side came 0.006 % apart, but one given half its twin's CPU 0.17 % (22 M
 * instructions), two base runs made at different times 0.4 % (50 M, where 1,000 GETs count
 * 600 M), and with eight counts on two cores some counted runs came out below their base.
 * (--predictable-gc-schedule would fix the GC too, but shrinks the young generation to 4 MB, far
 * from the server's 32.)
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

/** Instructions of one whole run of `script`, as callgrind's summary gives them (child processes not counted). */
export const countInstructions = (script: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn("valgrind", [
      "--tool=callgrind", "--callgrind-out-file=/dev/null",
      process.execPath, ...NODE_FLAGS, script, ...args
    ], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] })
    let log = ""
    child.stderr.on("data", (chunk) => log += chunk)
    child.on("close", (code) => {
      const collected = /Collected : (\d+)/.exec(log)
      if (code === 0 && collected !== null) resolve(Number(collected[1]))
      else reject(new Error(`${args.join(" ")}: exit ${code}\n${log.slice(-2000)}`))
    })
  })

/**
 * The base and counted runs of each subject (`run(0)` and `run(count)`), two at a time (valgrind
 * runs a process on one core), each pair side by side so that both meet the same load. A run
 * that fails is reported and gives NaN, so that one subject does not cost the others.
 */
export const countPairs = async (
  subjects: ReadonlyArray<{ readonly key: string; readonly run: (n: number) => Promise<number> }>,
  count: number
) => {
  const queue = subjects.flatMap((subject) => [0, count].map((n) => ({ key: `${subject.key} ${n}`, run: () => subject.run(n) })))
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

/** A subject's instructions per request or call, in thousands: (counted - base) / count (NaN if either run is missing). */
const perUnit = (results: ReadonlyMap<string, number>, key: string, count: number) =>
  ((results.get(`${key} ${count}`) ?? Number.NaN) - (results.get(`${key} 0`) ?? Number.NaN)) / count / 1000

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
    "Instructions of each whole run (valgrind's count):",
    "",
    ...[...counts].map(([key, n]) => `- ${key}: ${n.toLocaleString("en")}`),
    ""
  ].join("\n")
  console.log(text)
  writeFileSync(join(ROOT, "bench", "results", `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.md`), text)
}

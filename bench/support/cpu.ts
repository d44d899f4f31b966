import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const TICKS_PER_SECOND = 100

/**
 * CPU time (user + system, ms) a process has used so far, from /proc; undefined where there is
 * no /proc. CPU per request stays meaningful on a shared machine where requests/s do not.
 */
export const processCpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Which CPU the servers under measurement run on, and which the load generator (this process and its load workers, load.ts) runs on. */
export interface Pinning {
  readonly server: number
  readonly load: number
}

/** Whether taskset (util-linux), which pins a process to CPUs, is installed. */
export const hasTaskset = (): boolean => {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

// "pid 123's current affinity list: 0,1" (or "0-3,6")
const currentAffinity = () => execFileSync("taskset", ["-pc", String(process.pid)], { encoding: "utf8" }).split(":").pop()!.trim()

const expand = (list: string): Array<number> =>
  list.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number)
    return to === undefined ? [from!] : Array.from({ length: to - from! + 1 }, (_, i) => from! + i)
  })

/** The CPUs this process may run on (taskset must be installed). */
export const allowedCpus = (): Array<number> => expand(currentAffinity())

/**
 * Servers on the last CPU this process may run on, the load generator on the first, where it may
 * run on two or more and taskset (util-linux) is installed; undefined otherwise. This machine
 * slows down one CPU at a time for seconds on end (bench/machine/cpuSpeed.ts): servers compared
 * turn by turn must share one CPU, or one may run in a slow stretch while the other does not.
 */
export const pinningPlan = (): Pinning | undefined => {
  if (!hasTaskset()) return undefined
  const cpus = allowedCpus()
  return cpus.length >= 2 ? { server: cpus[cpus.length - 1]!, load: cpus[0]! } : undefined
}

const setAffinity = (cpus: string) => execFileSync("taskset", ["-a", "-pc", cpus, String(process.pid)], { stdio: "ignore" })

/** This process (every thread) on the plan's load CPU while the scope lasts, then where it was before. */
export const loadGeneratorPinned = (plan: Pinning | undefined) =>
  plan === undefined
    ? Effect.void
    : Effect.acquireRelease(
      Effect.sync(() => {
        const before = currentAffinity()
        setAffinity(String(plan.load))
        return before
      }),
      (before) => Effect.sync(() => setAffinity(before))
    )

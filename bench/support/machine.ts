import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as os from "node:os"
import { ROOT } from "./processes.js"

export interface Machine {
  readonly cpus: number
  readonly cpuModel: string
  readonly memoryGB: number
  readonly os: string
  readonly node: string
  readonly commit: string
}

const git = (...args: Array<string>) => {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim()
  } catch {
    return "unknown"
  }
}

export const machine = (): Machine => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGB: Math.round(os.totalmem() / 1024 ** 3),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  commit: `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") === "" ? "" : " (with local changes)"}`
})

// Read from node_modules directly: some packages (firebase-admin) do not export their package.json.
const versionOf = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(`${ROOT}node_modules/${pkg}/package.json`, "utf8")) as { version: string }).version
  } catch {
    return "not installed"
  }
}

export const versions = (): Record<string, string> =>
  Object.fromEntries(
    [
      "effect",
      "@effect/platform",
      "@effect/platform-node",
      "autocannon",
      "nano",
      "@aws-sdk/lib-dynamodb",
      "firebase-admin",
      "pouchdb-server",
      "dynalite",
      "tsx"
    ].map((pkg) => [pkg, versionOf(pkg)])
  )

interface CpuTimes {
  readonly busy: number
  readonly total: number
}

const cpuTimes = (): CpuTimes | undefined => {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number)
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
    const total = fields.reduce((a, b) => a + b, 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

/** How busy the machine was while the bench ran: load averages and the share of all CPUs in use. */
export interface Noise {
  readonly loadAverages: ReadonlyArray<number>
  readonly busyShare: number | undefined
}

/** Samples the 1-minute load average every few seconds until stopped. */
export const watchLoad = (everyMs = 5_000) => {
  const samples: Array<number> = [os.loadavg()[0]!]
  const startCpu = cpuTimes()
  const timer = setInterval(() => samples.push(os.loadavg()[0]!), everyMs)
  timer.unref()
  return {
    stop: (): Noise => {
      clearInterval(timer)
      samples.push(os.loadavg()[0]!)
      const endCpu = cpuTimes()
      return {
        loadAverages: samples.map((s) => Math.round(s * 100) / 100),
        busyShare: startCpu && endCpu && endCpu.total > startCpu.total
          ? (endCpu.busy - startCpu.busy) / (endCpu.total - startCpu.total)
          : undefined
      }
    }
  }
}

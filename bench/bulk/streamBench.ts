import { Effect } from "effect"
import { spawn } from "node:child_process"
import type { RunningBackend } from "../backends/Backend.js"
import { ROOT } from "../support/processes.js"

export interface StreamRun {
  readonly backend: string
  readonly documents: number
  readonly pageSize: number
  readonly ms: number
  /** Peak heap in use above the heap before the stream, garbage included. */
  readonly extraHeapMB: number
  /** The same, sampled right after a forced collection: what the stream keeps alive. */
  readonly extraLiveHeapMB: number
  readonly extraRssMB: number
  /** For contrast: the heap that listAll of the same collection holds. */
  readonly listAllHeapMB: number
}

/** Runs streamChild.ts in a fresh process over fresh collections of the backend. */
export const streamBench = (backend: RunningBackend, documents: number, pageSize: number, log: (line: string) => void) =>
  Effect.async<StreamRun, Error>((resume) => {
    const env = { ...process.env, ...backend.docportEnv(backend.namespace()), DATABASE_PROVIDER: backend.name }
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/bulk/streamChild.ts", String(documents), String(pageSize)], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? ""
      if (code !== 0 || !line.startsWith("{")) {
        return resume(Effect.fail(new Error(`the stream bench on ${backend.name} failed (exit ${code}):\n${err}${out}`)))
      }
      const run: StreamRun = { backend: backend.name, ...(JSON.parse(line) as Omit<StreamRun, "backend">) }
      log(
        `  ${backend.name} stream ${documents} (pages of ${pageSize}): ${run.ms.toFixed(0)} ms, peak extra heap ` +
          `${run.extraHeapMB.toFixed(1)} MB (${run.extraLiveHeapMB.toFixed(1)} MB live), RSS +${run.extraRssMB.toFixed(1)} MB; ` +
          `listAll holds ${run.listAllHeapMB.toFixed(1)} MB`
      )
      resume(Effect.succeed(run))
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

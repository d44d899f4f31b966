import { Context, Layer } from "effect"
import * as Progress from "./Progress.js"
import type { Tally } from "./Tally.js"
import type { CollectionDiff } from "./Verify.js"

/** How a run ended, as the process's exit code says it. */
export const ExitCode = {
  /** Everything went over (verify: source and target are identical). */
  Ok: 0,
  /** The run stopped: bad configuration or command line, a backend out of reach, a file error. */
  Failed: 1,
  /** The run finished, but some documents did not go over (verify: differences found). */
  Incomplete: 2,
  /** Interrupted (Ctrl-C, SIGTERM): start the same command again to continue. */
  Interrupted: 130
} as const

export interface RunResult {
  readonly command: "export" | "import" | "copy" | "verify"
  readonly exitCode: number
  readonly tallies: ReadonlyArray<Tally>
  readonly diffs: ReadonlyArray<CollectionDiff>
}

/** Where commands print their reports and record how they ended (a test keeps both). */
export interface OutputShape {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly record: (result: RunResult) => void
  /** Progress reports, at most one plain line per interval when not on a terminal. */
  readonly progress: (intervalMs: number) => Progress.ProgressShape
}

export class Output extends Context.Tag("docport/cli/Output")<Output, OutputShape>() {}

/** The process's stdout and stderr; the last result's exit code is what the process exits with. */
export const makeProcess = () => {
  let exitCode: number = ExitCode.Ok
  const output: OutputShape = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    record: (result) => (exitCode = result.exitCode),
    progress: (intervalMs) =>
      Progress.make({ write: (text) => process.stderr.write(text), tty: process.stderr.isTTY === true, intervalMs })
  }
  return { layer: Layer.succeed(Output, output), exitCode: () => exitCode }
}

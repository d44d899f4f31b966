import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer } from "effect"
import * as Backends from "./Backends.js"
import { run } from "./Commands.js"
import { ExitCode, makeProcess } from "./Output.js"

const output = makeProcess()

const program = run(process.argv).pipe(
  Effect.provide(Layer.mergeAll(NodeContext.layer, Backends.layer, output.layer))
)

NodeRuntime.runMain(program, {
  // The commands print their own one-line errors; a wrong command line gets @effect/cli's help.
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? output.exitCode()
        : Cause.isInterruptedOnly(exit.cause)
        ? ExitCode.Interrupted
        : ExitCode.Failed
    )
})

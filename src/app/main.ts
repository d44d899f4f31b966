// First, before the application allocates: V8's garbage collector is set up for the CPUs this process has.
import "./runtime/oneCpuGc.js"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { isConfigError } from "effect/ConfigError"
import { describeCause } from "./http/describeCause.js"
import { ObservabilityLive } from "./observability/ObservabilityLive.js"
import type { WorkerDidNotStart } from "./Cluster.js"
import type * as Server from "./Server.js"
import { role } from "./Workers.js"

// Each role loads only its own code: the one server (WORKERS=1) never loads node:cluster, and the
// primary of a cluster never loads the application it does not serve.
const program = Effect.flatMap(role, (role): Effect.Effect<void, Effect.Effect.Error<typeof Server.single> | WorkerDidNotStart> => {
  switch (role._tag) {
    case "single":
      return Effect.flatMap(Effect.promise(() => import("./Server.js")), (server) => server.single)
    case "worker":
      return Effect.flatMap(Effect.promise(() => import("./Server.js")), (server) => server.worker(role.slot))
    case "primary":
      return Effect.flatMap(Effect.promise(() => import("./Cluster.js")), (cluster) => cluster.primary(role.workers))
  }
}).pipe(
  Effect.provide(ObservabilityLive),
  // One readable line on stderr instead of a stack trace: start-up fails on configuration or an unreachable backend.
  Effect.tapError((error) =>
    Console.error(
      `docport could not start: ${
        isConfigError(error)
          ? String(error)
          // The platform's ServeError (port taken, say) has no message of its own, only a cause.
          : error.message || describeCause("cause" in error ? error.cause : undefined) || error._tag
      }`
    )
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })

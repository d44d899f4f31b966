import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect } from "effect"
import { DatabaseService } from "../../ports/DatabaseService.js"
import { DocportApi, Unhealthy } from "./Api.js"
import { groupInLeanContext } from "./LeanContext.js"
import { redactSecrets } from "./describeCause.js"

const PING_TIMEOUT = "2 seconds"

export const HealthLive = HttpApiBuilder.group(DocportApi, "health", (handlers) =>
  Effect.gen(function*() {
    const db = yield* DatabaseService
    return handlers.handle("health", () =>
      db.ping.pipe(
        Effect.timeoutFail({
          duration: PING_TIMEOUT,
          onTimeout: () => ({ _tag: "Timeout" as const, message: `no answer within ${PING_TIMEOUT}` })
        }),
        Effect.as({ status: "healthy" as const, database: { provider: db.provider, ok: true } }),
        Effect.catchAll((error) =>
          Effect.logWarning(redactSecrets(`health check failed: ${error.message}`)).pipe(
            Effect.zipRight(Effect.fail(
              new Unhealthy({
                message: `the ${db.provider} database does not answer`,
                detail: `the ${db.provider} database does not answer`,
                status: "unhealthy",
                database: { provider: db.provider, ok: false }
              })
            ))
          )
        )
      ))
  })).pipe(groupInLeanContext(DatabaseService))

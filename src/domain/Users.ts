import { Clock, Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"
import { idProblem } from "../ports/Validation.js"
import type { Principal } from "./Principal.js"
import { secretId } from "./Secrets.js"
import { retryConflicts } from "./retryConflicts.js"
import { noInvalidName } from "./StoreFailure.js"

export const USERS = "users"

export interface UsersShape {
  /** Creates the user's document at first login, refreshes name, e-mail and last login after. */
  readonly recordLogin: (user: Omit<Principal, "via">) => Effect.Effect<void, DatabaseError>
}

export class Users extends Context.Tag("docport/Users")<Users, UsersShape>() {}

/** The uid is the document id, as in Gofannon, unless a provider's subject is not a valid id. */
export const userDocumentId = (uid: string): string => idProblem(uid) === undefined ? uid : `uid-${secretId(uid)}`

export const make = Effect.map(DatabaseService, (db): UsersShape => ({
  recordLogin: (user) =>
    Effect.gen(function*() {
      const id = userDocumentId(user.uid)
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      const current = yield* db.get(USERS, id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
      const basicInfo = { displayName: user.displayName, email: user.email }
      if (current === undefined) {
        // Gofannon's User model with its defaults, so its other routes find what they expect.
        yield* db.save(USERS, id, {
          uid: user.uid,
          providerType: user.providerType,
          basicInfo,
          billingInfo: { plan: null, status: null },
          usageInfo: { monthlyAllowance: 100, allowanceResetDate: 0, spendRemaining: 100, usage: [] },
          apiKeys: {},
          createdAt: now,
          updatedAt: now,
          lastLoginAt: now
        }, { mode: "create" })
      } else {
        const { _id, _rev, ...body } = current
        yield* db.save(USERS, id, { ...body, basicInfo, updatedAt: now, lastLoginAt: now }, { expectedRev: _rev })
      }
    }).pipe(
      // Two logins of one user at once: the loser reads again.
      (attempt) => retryConflicts(attempt, { times: 5 }),
      Effect.catchTag("Conflict", () => Effect.void),
      noInvalidName("Users.recordLogin"),
      Effect.withSpan("Users.recordLogin")
    )
}))

export const layer = Layer.effect(Users, make)

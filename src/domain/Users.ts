import { Clock, Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { Document, DocumentPage } from "../ports/Document.js"
import { DatabaseError, type InvalidDocument, NotFound } from "../ports/Errors.js"
import { idProblem } from "../ports/Validation.js"
import type { Principal } from "./Principal.js"
import { secretId } from "./Secrets.js"
import { makeKeyedLock } from "./keyedLock.js"
import { keptChanging, MERGE_BUDGET, mergeRetries, retryConflicts } from "./retryConflicts.js"
import { noInvalidName } from "./StoreFailure.js"
import { applyUsageChange, type KeyProvider, newUserDocument, type UsageChange, withApiKey } from "./UserProfile.js"

export const USERS = "users"

type User = Omit<Principal, "via">

export interface UsersShape {
  /** Creates the user's document at first login, refreshes name, e-mail and last login after. */
  readonly recordLogin: (user: User) => Effect.Effect<void, DatabaseError>
  /** The user's document, created with Gofannon's defaults if there is none yet (a token or local-mode user). */
  readonly profile: (user: User) => Effect.Effect<Document, DatabaseError>
  /** Stores (or, with null, clears) the user's key for one provider; answers the document as saved. */
  readonly setApiKey: (
    user: User,
    provider: KeyProvider,
    key: string | null
  ) => Effect.Effect<Document, InvalidDocument | DatabaseError>
  /** Every user, a page at a time. */
  readonly pages: Effect.Effect<DocumentPage, DatabaseError>
  /** An administrator's change to a user's allowance; NotFound for an id no user has. */
  readonly updateUsage: (
    id: string,
    change: UsageChange
  ) => Effect.Effect<Document, NotFound | InvalidDocument | DatabaseError>
}

export class Users extends Context.Tag("docport/Users")<Users, UsersShape>() {}

/** The uid is the document id, as in Gofannon, unless a provider's subject is not a valid id. */
export const userDocumentId = (uid: string): string => idProblem(uid) === undefined ? uid : `uid-${secretId(uid)}`

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

// Two writers of one user at once (two logins, a login and a key change, another process): the
// loser reads again, within the entities' time budget.
const userRetries = mergeRetries(MERGE_BUDGET)

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  // 30 key changes of one user at once once gave 15 – 19 conflicts after five retries each.
  const oneWriterAt = yield* makeKeyedLock
  const onConflictRetry = (id: string) => <A, E extends { readonly _tag: string }, R>(attempt: Effect.Effect<A, E, R>) =>
    retryConflicts(attempt, { schedule: userRetries }, { inTurn: oneWriterAt(id), within: MERGE_BUDGET })
  const current = (id: string) => db.get(USERS, id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))

  /** Reads the document, changes its body, and saves it on the revision it read. */
  const change = (doc: Document, update: (body: Record<string, unknown>) => Record<string, unknown>) =>
    Effect.gen(function*() {
      const { _id, _rev, ...body } = doc
      const next = { ...update(body), updatedAt: yield* nowIso }
      const saved = yield* db.save(USERS, _id, next, { expectedRev: _rev })
      return { ...next, _id, _rev: saved.rev } as Document
    })

  const profile = (user: User) =>
    Effect.gen(function*() {
      const id = userDocumentId(user.uid)
      const found = yield* current(id)
      if (found !== undefined) return found
      const body = newUserDocument(user, yield* nowIso)
      const saved = yield* db.save(USERS, id, body, { mode: "create" })
      return { ...body, _id: id, _rev: saved.rev } as Document
    })

  const users: UsersShape = {
    recordLogin: (user) =>
      Effect.gen(function*() {
        const id = userDocumentId(user.uid)
        const now = yield* nowIso
        const found = yield* current(id)
        const basicInfo = { displayName: user.displayName, email: user.email }
        if (found === undefined) {
          yield* db.save(USERS, id, { ...newUserDocument(user, now), lastLoginAt: now }, { mode: "create" })
        } else {
          yield* change(found, (body) => ({ ...body, basicInfo, lastLoginAt: now }))
        }
      }).pipe(
        onConflictRetry(userDocumentId(user.uid)),
        Effect.catchTag("Conflict", () => Effect.void),
        noInvalidName("Users.recordLogin"),
        Effect.withSpan("Users.recordLogin")
      ),
    profile: (user) =>
      profile(user).pipe(
        onConflictRetry(userDocumentId(user.uid)),
        // Created and deleted by others throughout the budget while this one read: not a client's mistake.
        keptChanging("Users.profile", "the user document", "change"),
        noInvalidName("Users.profile"),
        Effect.withSpan("Users.profile")
      ),
    setApiKey: (user, provider, key) =>
      Effect.flatMap(profile(user), (doc) => change(doc, (body) => ({ ...body, apiKeys: withApiKey(body["apiKeys"], provider, key) }))).pipe(
        onConflictRetry(userDocumentId(user.uid)),
        keptChanging("Users.setApiKey", "the user document", "change"),
        // The id is made from the uid, so an invalid one is docport's mistake; a document grown
        // too large (Gofannon's usage history) stays InvalidDocument, for the client to be told.
        Effect.catchTag("InvalidName", (e) => Effect.fail(new DatabaseError({ operation: "Users.setApiKey", message: e.message }))),
        Effect.withSpan("Users.setApiKey", { attributes: { provider } })
      ),
    pages: noInvalidName("Users.pages")(db.pages(USERS)),
    updateUsage: (id, usage) =>
      Effect.flatMap(db.get(USERS, id), (doc) =>
        change(doc, (body) => ({ ...body, usageInfo: applyUsageChange(body["usageInfo"], usage) }))).pipe(
          onConflictRetry(id),
          keptChanging("Users.updateUsage", "the user document", "change"),
          // An id no document can have is no user's.
          Effect.catchTag("InvalidName", () => Effect.fail(new NotFound({ collection: USERS, id }))),
          Effect.withSpan("Users.updateUsage")
        )
  }
  return users
})

export const layer = Layer.scoped(Users, make)

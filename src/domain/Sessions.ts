import { Clock, Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"
import { type Principal, Workspace } from "./Principal.js"
import { randomSecret, secretId } from "./Secrets.js"
import { noInvalidName } from "./StoreFailure.js"
import type { Memberships } from "./WorkspaceRefresh.js"

export const SESSIONS = "user_sessions"

/** A session document, as Gofannon's `models/session.py` stores it (the id is the cookie's digest). */
const StoredSession = Schema.Struct({
  userUid: Schema.String,
  providerType: Schema.String,
  displayName: Schema.String,
  email: Schema.NullOr(Schema.String),
  // docport's own field: absent from Gofannon's sessions and from docport's before 6 December 2026,
  // which then count as unverified (a user let in by address alone signs in again).
  emailVerified: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  workspaces: Schema.Array(Workspace),
  isSiteAdmin: Schema.Boolean,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  expiresAt: Schema.String,
  lastRefreshAt: Schema.String
})
const decodeSession = Schema.decodeUnknownOption(StoredSession)

export type SessionLookup =
  | { readonly _tag: "Valid"; readonly principal: Principal }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Expired" }

export interface SessionsShape {
  /** A new session for a signed-in user; `sid` goes into the cookie and is stored only as a digest. */
  readonly create: (
    user: Omit<Principal, "via">,
    ttl: Duration.Duration
  ) => Effect.Effect<{ readonly sid: string; readonly expiresAt: Date }, DatabaseError>
  /** A hard expiry: an expired session is deleted and reported as such, whatever the cookie says. */
  readonly lookup: (sid: string) => Effect.Effect<SessionLookup, DatabaseError>
  /** Logout; a missing session is already logged out. */
  readonly remove: (sid: string) => Effect.Effect<void, DatabaseError>
  /**
   * Stores what the user's memberships are now on the session, as Gofannon's refresh does, and
   * answers what the session said before (none when there is no such session).
   */
  readonly refresh: (sid: string, now: Memberships) => Effect.Effect<Option.Option<Memberships>, DatabaseError>
}

export class Sessions extends Context.Tag("docport/Sessions")<Sessions, SessionsShape>() {}

export const make = Effect.map(DatabaseService, (db): SessionsShape => {
  /** The session document under `id`, or undefined when there is none. */
  const stored = (id: string, operation: string) =>
    db.get(SESSIONS, id).pipe(
      noInvalidName(operation),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined))
    )

  const create: SessionsShape["create"] = (user, ttl) =>
    Effect.gen(function*() {
      const sid = randomSecret()
      const now = yield* Clock.currentTimeMillis
      const expiresAt = new Date(now + Duration.toMillis(ttl))
      const stamp = new Date(now).toISOString()
      yield* db.save(SESSIONS, secretId(sid), {
        userUid: user.uid,
        providerType: user.providerType,
        displayName: user.displayName,
        email: user.email,
        emailVerified: user.emailVerified,
        workspaces: user.workspaces,
        isSiteAdmin: user.isSiteAdmin,
        createdAt: stamp,
        updatedAt: stamp,
        expiresAt: expiresAt.toISOString(),
        lastRefreshAt: stamp
      }, { mode: "create" }).pipe(noInvalidName("Sessions.create"))
      return { sid, expiresAt }
    }).pipe(
      // A digest collision between two random 256-bit ids does not happen; create-only makes sure.
      Effect.catchTag("Conflict", () => create(user, ttl)),
      Effect.withSpan("Sessions.create")
    )

  const lookup: SessionsShape["lookup"] = (sid) =>
    Effect.gen(function*() {
      const id = secretId(sid)
      const doc = yield* stored(id, "Sessions.lookup")
      if (doc === undefined) return { _tag: "Missing" } as const
      const session = decodeSession(doc)
      const now = yield* Clock.currentTimeMillis
      if (session._tag === "None" || !(Date.parse(session.value.expiresAt) > now)) {
        // A corrupt or expired session is evicted; losing that race to another request is fine.
        yield* db.delete(SESSIONS, id).pipe(Effect.ignore)
        return session._tag === "None" ? { _tag: "Missing" } as const : { _tag: "Expired" } as const
      }
      const s = session.value
      return {
        _tag: "Valid",
        principal: {
          uid: s.userUid,
          displayName: s.displayName,
          email: s.email,
          emailVerified: s.emailVerified,
          providerType: s.providerType,
          workspaces: s.workspaces,
          isSiteAdmin: s.isSiteAdmin,
          via: "session"
        }
      } as const
    }).pipe(Effect.withSpan("Sessions.lookup"))

  const remove: SessionsShape["remove"] = (sid) =>
    db.delete(SESSIONS, secretId(sid)).pipe(
      noInvalidName("Sessions.remove"),
      Effect.catchTags({ NotFound: () => Effect.void, Conflict: () => Effect.void }),
      Effect.withSpan("Sessions.remove")
    )

  const refresh: SessionsShape["refresh"] = (sid, now) =>
    Effect.gen(function*() {
      const id = secretId(sid)
      const doc = yield* stored(id, "Sessions.refresh")
      const session = doc === undefined ? Option.none() : decodeSession(doc)
      if (doc === undefined || Option.isNone(session)) return Option.none()
      const stamp = new Date(yield* Clock.currentTimeMillis).toISOString()
      // Conditional on the revision read; a concurrent refresh stores the same memberships, and a
      // logout in between leaves nothing to refresh: neither is a failure.
      yield* db.save(SESSIONS, id, { ...doc, workspaces: now.workspaces, isSiteAdmin: now.isSiteAdmin, updatedAt: stamp, lastRefreshAt: stamp }).pipe(
        noInvalidName("Sessions.refresh"),
        Effect.catchTag("Conflict", () => Effect.void)
      )
      return Option.some({ workspaces: session.value.workspaces, isSiteAdmin: session.value.isSiteAdmin })
    }).pipe(Effect.withSpan("Sessions.refresh"))

  return { create, lookup, remove, refresh }
})

export const layer = Layer.effect(Sessions, make)

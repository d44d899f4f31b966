import { Clock, Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { DatabaseService } from "../ports/DatabaseService.js"
import { DatabaseError, NotFound } from "../ports/Errors.js"
import { personalWorkspace, type Principal } from "./Principal.js"
import { randomSecret, secretId } from "./Secrets.js"
import { noInvalidName } from "./StoreFailure.js"

export const ACCESS_TOKENS = "access_tokens"
/** Recognisable in logs and by secret scanners. */
export const TOKEN_PREFIX = "dpt_"
/** Writing the last-used time on every request would double the writes; once a minute is enough to see use. */
const LAST_USED_RESOLUTION = Duration.minutes(1)

/** What a token's owner sees of it: never the secret, which exists only in the creation response. */
export const AccessTokenInfo = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  createdAt: Schema.String,
  expiresAt: Schema.String,
  lastUsedAt: Schema.NullOr(Schema.String)
}).annotations({ identifier: "AccessTokenInfo" })
export type AccessTokenInfo = typeof AccessTokenInfo.Type

const StoredToken = Schema.Struct({
  ...AccessTokenInfo.fields,
  userUid: Schema.String,
  providerType: Schema.String,
  displayName: Schema.String,
  email: Schema.NullOr(Schema.String),
  // Absent from tokens made before 6 December 2026: their address then counts as unverified.
  emailVerified: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
type StoredToken = typeof StoredToken.Type
const decodeToken = Schema.decodeUnknownOption(StoredToken)

export type TokenLookup =
  | { readonly _tag: "Valid"; readonly principal: Principal }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Expired" }

export interface AccessTokensShape {
  readonly create: (
    owner: Principal,
    name: string,
    lifetime: Duration.Duration
  ) => Effect.Effect<AccessTokenInfo & { readonly token: string }, DatabaseError>
  readonly list: (ownerUid: string) => Effect.Effect<ReadonlyArray<AccessTokenInfo>, DatabaseError>
  /** NotFound also for someone else's token: a token's existence is not revealed to other users. */
  readonly revoke: (ownerUid: string, id: string) => Effect.Effect<void, NotFound | DatabaseError>
  /** The principal a bearer token stands for; an expired token is deleted on sight. */
  readonly verify: (token: string) => Effect.Effect<TokenLookup, DatabaseError>
}

export class AccessTokens extends Context.Tag("docport/AccessTokens")<AccessTokens, AccessTokensShape>() {}

const info = (t: StoredToken): AccessTokenInfo => ({
  id: t.id,
  name: t.name,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt
})

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  yield* db.ensureIndex(ACCESS_TOKENS, ["userUid"]).pipe(noInvalidName("AccessTokens.ensureIndex"))

  const owned = (ownerUid: string) =>
    Effect.map(
      db.find(ACCESS_TOKENS, { userUid: ownerUid }),
      (docs) => docs.flatMap((doc) => Option.toArray(Option.map(decodeToken(doc), (t) => ({ doc, t }))))
    )

  const create: AccessTokensShape["create"] = (owner, name, lifetime) =>
    Effect.gen(function*() {
      const token = TOKEN_PREFIX + randomSecret()
      const now = yield* Clock.currentTimeMillis
      const stored: StoredToken = {
        id: randomUUID(),
        name,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + Duration.toMillis(lifetime)).toISOString(),
        lastUsedAt: null,
        userUid: owner.uid,
        providerType: owner.providerType,
        displayName: owner.displayName,
        email: owner.email,
        emailVerified: owner.emailVerified
      }
      yield* db.save(ACCESS_TOKENS, secretId(token), stored, { mode: "create" })
      return { ...info(stored), token }
    }).pipe(
      Effect.catchTag("Conflict", () =>
        Effect.fail(new DatabaseError({ operation: "AccessTokens.create", message: "token id collision" }))),
      noInvalidName("AccessTokens.create"),
      Effect.withSpan("AccessTokens.create")
    )

  const list: AccessTokensShape["list"] = (ownerUid) =>
    owned(ownerUid).pipe(
      Effect.map((tokens) => tokens.map(({ t }) => info(t)).sort((a, b) => a.createdAt.localeCompare(b.createdAt))),
      noInvalidName("AccessTokens.list"),
      Effect.withSpan("AccessTokens.list")
    )

  const revoke: AccessTokensShape["revoke"] = (ownerUid, id) =>
    Effect.gen(function*() {
      const match = (yield* owned(ownerUid)).find(({ t }) => t.id === id)
      if (match === undefined) return yield* new NotFound({ collection: ACCESS_TOKENS, id })
      yield* db.delete(ACCESS_TOKENS, match.doc._id).pipe(Effect.catchTag("Conflict", () => Effect.void))
    }).pipe(noInvalidName("AccessTokens.revoke"), Effect.withSpan("AccessTokens.revoke"))

  const verify: AccessTokensShape["verify"] = (token) =>
    Effect.gen(function*() {
      if (!token.startsWith(TOKEN_PREFIX)) return { _tag: "Missing" } as const
      const id = secretId(token)
      const doc = yield* db.get(ACCESS_TOKENS, id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
      const decoded = doc === undefined ? Option.none() : decodeToken(doc)
      if (doc === undefined || Option.isNone(decoded)) return { _tag: "Missing" } as const
      const t = decoded.value
      const now = yield* Clock.currentTimeMillis
      if (!(Date.parse(t.expiresAt) > now)) {
        yield* db.delete(ACCESS_TOKENS, id).pipe(Effect.ignore)
        return { _tag: "Expired" } as const
      }
      if (t.lastUsedAt === null || now - Date.parse(t.lastUsedAt) >= Duration.toMillis(LAST_USED_RESOLUTION)) {
        // Best effort: a concurrent use or a revocation in between wins.
        const { _id, _rev, ...body } = doc
        yield* db.save(ACCESS_TOKENS, id, { ...body, lastUsedAt: new Date(now).toISOString() }, { expectedRev: _rev })
          .pipe(Effect.ignore)
      }
      return {
        _tag: "Valid",
        principal: {
          uid: t.userUid,
          displayName: t.displayName,
          email: t.email,
          emailVerified: t.emailVerified,
          providerType: t.providerType,
          workspaces: [personalWorkspace(t.userUid)],
          isSiteAdmin: false,
          via: "token"
        }
      } as const
    }).pipe(noInvalidName("AccessTokens.verify"), Effect.withSpan("AccessTokens.verify"))

  return { create, list, revoke, verify } satisfies AccessTokensShape
})

export const layer = Layer.effect(AccessTokens, make)

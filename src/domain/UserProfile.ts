import { Predicate, Schema } from "effect"
import type { Document } from "../ports/Document.js"
import { MIN_MAGNITUDE } from "../ports/DocumentLimits.js"
import type { Principal } from "./Principal.js"

/** The providers a user may store a key for, and the `apiKeys` field each goes in (Gofannon's PROVIDER_KEY_MAP). */
export const KEY_FIELDS = {
  openai: "openaiApiKey",
  anthropic: "anthropicApiKey",
  gemini: "geminiApiKey",
  perplexity: "perplexityApiKey",
  openrouter: "openrouterApiKey"
} as const
export type KeyProvider = keyof typeof KEY_FIELDS

export const isKeyProvider = (provider: string): provider is KeyProvider => Object.hasOwn(KEY_FIELDS, provider)

/** Gofannon's defaults for a user it has not seen (models/user.py). */
export const DEFAULT_USAGE = { monthlyAllowance: 100, allowanceResetDate: 0, spendRemaining: 100, usage: [] }

/** A new `users` document, in Gofannon's shape with its defaults, so its other routes find what they expect. */
export const newUserDocument = (user: Omit<Principal, "via">, now: string) => ({
  uid: user.uid,
  providerType: user.providerType,
  basicInfo: { displayName: user.displayName, email: user.email },
  billingInfo: { plan: null, status: null },
  usageInfo: DEFAULT_USAGE,
  apiKeys: {},
  createdAt: now,
  updatedAt: now
})

// Bounded so that a typo is the client's 422, not a number some backend cannot store.
const Amount = Schema.Number.pipe(
  Schema.filter((n) => Number.isFinite(n) && (n === 0 || (n >= MIN_MAGNITUDE && n <= 1e12)), {
    description: "a number from 0 to 1e12 (none between 0 and 1e-130, which no backend stores)"
  })
)
const Timestamp = Schema.Number.pipe(
  Schema.filter((n) => Number.isInteger(n) && n >= 0 && n <= 8.64e15, {
    description: "a time in milliseconds since 1970 (0 for none)"
  })
)

/** What an administrator may change (Gofannon's AdminUpdateUserRequest); an absent or null field stays as it is. */
export const UsageChange = Schema.Struct({
  monthlyAllowance: Schema.optional(Schema.NullOr(Amount)),
  /** Milliseconds since the epoch, as the admin page sends it; 0 for none. */
  allowanceResetDate: Schema.optional(Schema.NullOr(Timestamp)),
  spendRemaining: Schema.optional(Schema.NullOr(Amount))
}).annotations({ identifier: "UsageChange" })
export type UsageChange = typeof UsageChange.Type

export const ApiKeyUpdate = Schema.Struct({
  provider: Schema.String,
  // Provider keys are tokens of visible ASCII, a few hundred characters at most. Whitespace around a
  // pasted key is dropped; anything else is refused rather than stored as a key that cannot work.
  api_key: Schema.Trim.pipe(
    Schema.compose(Schema.String.pipe(Schema.pattern(/^[\x21-\x7e]{1,4096}$/, {
      description: "a key of 1 to 4,096 visible ASCII characters, without spaces"
    })))
  )
}).annotations({ identifier: "ApiKeyUpdate" })

type KeyField = (typeof KEY_FIELDS)[KeyProvider]
const Masked = Schema.NullOr(Schema.String)
/** One field a provider, from KEY_FIELDS: each `null` or the key masked. */
export const ApiKeysView = Schema.Struct(
  Object.fromEntries(Object.values(KEY_FIELDS).map((field) => [field, Masked])) as Record<KeyField, typeof Masked>
).annotations({ identifier: "ApiKeys" })

/** Gofannon's `User` as its routes answer it, with every stored key masked. */
export const UserView = Schema.Struct({
  _id: Schema.String,
  _rev: Schema.String,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  basicInfo: Schema.Struct({ displayName: Schema.NullOr(Schema.String), email: Schema.NullOr(Schema.String) }),
  billingInfo: Schema.Struct({ plan: Schema.NullOr(Schema.String), status: Schema.NullOr(Schema.String) }),
  usageInfo: Schema.Struct({
    monthlyAllowance: Schema.Number,
    allowanceResetDate: Schema.Number,
    spendRemaining: Schema.Number,
    usage: Schema.Array(Schema.Struct({ timestamp: Schema.String, responseCost: Schema.Number, metadata: Schema.Unknown }))
  }),
  apiKeys: ApiKeysView
}).annotations({ identifier: "User" })
export type UserView = typeof UserView.Type

export const EffectiveKey = Schema.Struct({
  provider: Schema.String,
  has_key: Schema.Boolean,
  source: Schema.NullOr(Schema.Literal("user", "env"))
}).annotations({ identifier: "EffectiveApiKey" })

type Fields = Readonly<Record<string, unknown>>

const record = (value: unknown): Fields => Predicate.isRecord(value) ? value as Fields : {}
const text = (value: unknown): string | null => typeof value === "string" ? value : null
const amount = (value: unknown, fallback: number): number => typeof value === "number" && Number.isFinite(value) ? value : fallback

/** The last four characters of a long key say which one is stored; a short one shows nothing of itself. */
export const maskKey = (key: string): string => key.length >= 16 ? `****${key.slice(-4)}` : "****"

export const storedKey = (doc: Fields, provider: KeyProvider): string | null => {
  const key = text(record(doc["apiKeys"])[KEY_FIELDS[provider]])
  return key === null || key === "" ? null : key
}

export const apiKeysView = (doc: Fields): typeof ApiKeysView.Type => {
  const keys = {} as Record<string, string | null>
  for (const provider of Object.keys(KEY_FIELDS) as Array<KeyProvider>) {
    const key = storedKey(doc, provider)
    keys[KEY_FIELDS[provider]] = key === null ? null : maskKey(key)
  }
  return keys as typeof ApiKeysView.Type
}

/**
 * A stored user as Gofannon's `User`. Total, like pydantic's defaults: a document Gofannon or an
 * older docport wrote without a field, or with one of another type, answers that field's default
 * rather than failing the whole list an administrator reads.
 */
export const userView = (doc: Document): UserView => {
  const basic = record(doc["basicInfo"])
  const billing = record(doc["billingInfo"])
  const usage = record(doc["usageInfo"])
  const entries = Array.isArray(usage["usage"]) ? usage["usage"] as ReadonlyArray<unknown> : []
  return {
    _id: doc._id,
    _rev: doc._rev,
    createdAt: text(doc["createdAt"]) ?? "",
    updatedAt: text(doc["updatedAt"]) ?? "",
    basicInfo: { displayName: text(basic["displayName"]), email: text(basic["email"]) },
    billingInfo: { plan: text(billing["plan"]), status: text(billing["status"]) },
    usageInfo: {
      monthlyAllowance: amount(usage["monthlyAllowance"], DEFAULT_USAGE.monthlyAllowance),
      allowanceResetDate: amount(usage["allowanceResetDate"], DEFAULT_USAGE.allowanceResetDate),
      spendRemaining: amount(usage["spendRemaining"], DEFAULT_USAGE.spendRemaining),
      usage: entries.map((entry) => {
        const e = record(entry)
        return { timestamp: text(e["timestamp"]) ?? "", responseCost: amount(e["responseCost"], 0), metadata: e["metadata"] ?? null }
      })
    },
    apiKeys: apiKeysView(doc)
  }
}

/**
 * Gofannon's update_user_usage_info: a new allowance also lowers what is left to it; an explicit
 * spendRemaining, applied last, is taken as given.
 */
export const applyUsageChange = (usageInfo: unknown, change: UsageChange): Fields => {
  const current = record(usageInfo)
  const next: Record<string, unknown> = { ...DEFAULT_USAGE, ...current }
  if (change.monthlyAllowance != null) {
    next["monthlyAllowance"] = change.monthlyAllowance
    if (amount(next["spendRemaining"], DEFAULT_USAGE.spendRemaining) > change.monthlyAllowance) {
      next["spendRemaining"] = change.monthlyAllowance
    }
  }
  if (change.allowanceResetDate != null) next["allowanceResetDate"] = change.allowanceResetDate
  if (change.spendRemaining != null) next["spendRemaining"] = change.spendRemaining
  return next
}

/** The document's `apiKeys` with this provider's key set, or cleared (null, as Gofannon clears it). */
export const withApiKey = (apiKeys: unknown, provider: KeyProvider, key: string | null): Fields => ({
  ...record(apiKeys),
  [KEY_FIELDS[provider]]: key
})

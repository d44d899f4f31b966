import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Config, Effect, Option, Redacted } from "effect"
import { Users } from "../../domain/Users.js"
import { apiKeysView, isKeyProvider, type KeyProvider, storedKey, userView } from "../../domain/UserProfile.js"
import type { Document } from "../../ports/Document.js"
import { forbidden } from "../auth/AuthErrors.js"
import { currentUser } from "../auth/CurrentUser.js"
import { DocportApi } from "./Api.js"
import { BadRequestError, errorBody, httpErrors } from "./ApiErrors.js"
import { jsonPagesResponse } from "./JsonArrayStream.js"

/** The variables Gofannon's runtime falls back to when a user has no key of their own (config/provider_config.py). */
const ENV_KEYS: Readonly<Record<string, string>> = {
  openai: "OPENAI_API_KEY",
  gemini: "GEMINI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  perplexity: "PERPLEXITYAI_API_KEY",
  bedrock: "AWS_BEARER_TOKEN_BEDROCK",
  openrouter: "OPENROUTER_API_KEY"
}

// Only whether each is set is kept: the values never enter docport. An empty or blank one is no
// key a runtime falling back to it could use, so it counts as unset.
const envKeysSet = Effect.map(
  Config.all(Object.values(ENV_KEYS).map((name) => Config.option(Config.redacted(name)))),
  (values) =>
    new Set(Object.keys(ENV_KEYS).filter((_, i) => Option.exists(values[i]!, (value) => Redacted.value(value).trim() !== "")))
)

// The name comes from the client: a plain one as Gofannon words it, any other quoted and cut, so
// that the detail stays one short line.
const providerText = (provider: string) =>
  /^[A-Za-z0-9_.-]{1,40}$/.test(provider) ? provider : `${JSON.stringify(provider.slice(0, 40))}${provider.length > 40 ? "…" : ""}`

const unknownProvider = (provider: string) =>
  Effect.fail(new BadRequestError(errorBody(`Unknown provider: ${providerText(provider)}`)))

const keyProvider = (provider: string): Effect.Effect<KeyProvider, BadRequestError> =>
  isKeyProvider(provider) ? Effect.succeed(provider) : unknownProvider(provider)

const setByAdministrator = forbidden(
  "allowances and usage are set by an administrator (PUT /admin/users/{id} with X-Admin-Password), not by the user"
)

export const UsersLive = HttpApiBuilder.group(DocportApi, "users", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    const envKeys = yield* envKeysSet
    const fromProfile = <B>(answer: (doc: Document) => B) =>
      Effect.flatMap(currentUser, (user) => httpErrors(Effect.map(users.profile(user), answer)))
    const setKey = (provider: string, key: string | null) =>
      Effect.flatMap(Effect.zip(currentUser, keyProvider(provider)), ([user, known]) =>
        httpErrors(Effect.map(users.setApiKey(user, known, key), userView)))
    return handlers
      .handle("me", () => fromProfile(userView))
      .handle("apiKeys", () => fromProfile(apiKeysView))
      .handle("setApiKey", ({ payload }) => setKey(payload.provider, payload.api_key))
      .handle("clearApiKey", ({ path }) => setKey(path.provider, null))
      .handle("effectiveKey", ({ path: { provider } }) =>
        !isKeyProvider(provider) && !Object.hasOwn(ENV_KEYS, provider)
          ? unknownProvider(provider)
          : fromProfile((doc) => {
            const source = isKeyProvider(provider) && storedKey(doc, provider) !== null
              ? "user" as const
              : envKeys.has(provider) ? "env" as const : null
            return { provider, has_key: source !== null, source }
          }))
      .handle("setMonthlyAllowance", () => setByAdministrator)
      .handle("setAllowanceResetDate", () => setByAdministrator)
      .handle("setSpendRemaining", () => setByAdministrator)
      .handle("resetAllowance", () => setByAdministrator)
      .handle("addUsage", () => setByAdministrator)
  }))

export const AdminLive = HttpApiBuilder.group(DocportApi, "admin", (handlers) =>
  Effect.gen(function*() {
    const users = yield* Users
    // The password is checked before these run (AdminGate).
    return handlers
      .handle("listUsers", () => httpErrors(jsonPagesResponse(users.pages, { encode: userView, what: "GET /admin/users" })))
      .handle("updateUser", ({ path, payload }) => httpErrors(Effect.map(users.updateUsage(path.id, payload), userView)))
  }))

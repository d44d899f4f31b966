import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { Context, Schema } from "effect"
import { ApiKeysView, ApiKeyUpdate, EffectiveKey, UsageChange, UserView } from "../../domain/UserProfile.js"
import { AdminGate } from "../auth/AdminGate.js"
import { Forbidden, TooManyRequests, Unauthorized } from "../auth/AuthErrors.js"
import { signedIn } from "../auth/CurrentUser.js"
import {
  BadRequestError,
  ConflictError,
  DatabaseFailure,
  DatabaseUnavailable,
  DocumentTooLarge,
  NotFoundError
} from "./ApiErrors.js"
import { readable } from "./ReadableIssue.js"

const ProviderParam = Schema.Struct({ provider: Schema.String })
const AdminPassword = Schema.Struct({ "x-admin-password": Schema.optional(Schema.String) })

/** On Gofannon's routes kept so that their callers learn why: each always answers 403. */
const REFUSED = Context.make(OpenApi.Deprecated, true).pipe(Context.add(
  OpenApi.Description,
  "Always 403: allowances and usage are set by an administrator (PUT /admin/users/{id}), not by the user."
))

/** The signed-in user's own profile (Gofannon's profile page): usage and provider keys, keys always masked. */
export class UsersApi extends signedIn(
  HttpApiGroup.make("users")
    .add(HttpApiEndpoint.get("me", "/users/me").addSuccess(UserView))
    .add(HttpApiEndpoint.get("apiKeys", "/users/me/api-keys").addSuccess(ApiKeysView))
    .add(HttpApiEndpoint.put("setApiKey", "/users/me/api-keys").setPayload(readable(ApiKeyUpdate)).addSuccess(UserView))
    .add(HttpApiEndpoint.del("clearApiKey", "/users/me/api-keys/:provider").setPath(ProviderParam).addSuccess(UserView))
    .add(
      HttpApiEndpoint.get("effectiveKey", "/users/me/api-keys/:provider/effective").setPath(ProviderParam).addSuccess(EffectiveKey)
    )
    // Gofannon lets users set their own allowance and what is left of it; docport leaves that to an administrator.
    .add(HttpApiEndpoint.put("setMonthlyAllowance", "/users/me/monthly-allowance").annotateContext(REFUSED))
    .add(HttpApiEndpoint.put("setAllowanceResetDate", "/users/me/allowance-reset-date").annotateContext(REFUSED))
    .add(HttpApiEndpoint.put("setSpendRemaining", "/users/me/spend-remaining").annotateContext(REFUSED))
    .add(HttpApiEndpoint.post("resetAllowance", "/users/me/reset-allowance").annotateContext(REFUSED))
    .add(HttpApiEndpoint.post("addUsage", "/users/me/usage").annotateContext(REFUSED))
    .addError(BadRequestError).addError(ConflictError).addError(DocumentTooLarge).addError(Forbidden)
    .addError(DatabaseFailure).addError(DatabaseUnavailable)
) {}

/** Gofannon's admin panel: every user's allowance, behind X-Admin-Password (ADMIN_PANEL_PASSWORD) as well as sign-in. */
export class AdminApi extends signedIn(
  HttpApiGroup.make("admin")
    .add(HttpApiEndpoint.get("listUsers", "/admin/users").setHeaders(AdminPassword).addSuccess(Schema.Array(UserView)))
    .add(
      HttpApiEndpoint.put("updateUser", "/admin/users/:id").setPath(Schema.Struct({ id: Schema.String }))
        .setHeaders(AdminPassword).setPayload(readable(UsageChange)).addSuccess(UserView)
    )
    // Added before signedIn's Authentication, so it runs after sign-in and before the body is read.
    .middleware(AdminGate)
    .addError(NotFoundError).addError(BadRequestError).addError(ConflictError).addError(DocumentTooLarge)
    .addError(Unauthorized).addError(Forbidden).addError(TooManyRequests)
    .addError(DatabaseFailure).addError(DatabaseUnavailable)
) {}

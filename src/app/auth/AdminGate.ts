import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import { Schema } from "effect"
import { Forbidden, TooManyRequests, Unauthorized } from "./AuthErrors.js"

/**
 * The admin password, checked as a middleware of the admin routes, so before their body is read:
 * checked in the handler, a wrong or missing password with an invalid body got the body's 422,
 * uncounted, and told whoever guessed what the route accepts (AdminAccess.ts implements it).
 */
export class AdminGate extends HttpApiMiddleware.Tag<AdminGate>()("docport/AdminGate", {
  failure: Schema.Union(Unauthorized, Forbidden, TooManyRequests)
}) {}

import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import {
  answerTo,
  BadRequestError,
  badRequest,
  conflict,
  ConflictError,
  DatabaseFailure,
  DatabaseUnavailable,
  DocumentTooLarge,
  errorBody,
  notFound,
  NotFoundError,
  tooLarge
} from "../../src/app/http/ApiErrors.js"
import { DatabaseError, NotFound } from "../../src/ports/Errors.js"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"

const bodyText = (response: HttpServerResponse.HttpServerResponse) =>
  Effect.sync(() => {
    expect(response.body._tag).toBe("Uint8Array")
    return response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
  })

// The endpoints answer their declared errors as responses built directly (ApiErrors.ts), not
// through the API's encoding of a failure: each answer must be what that encoding sends, so
// that the typed client and the OpenAPI document, which read the declarations, stay right.
const encoded = (error: Schema.Schema.All & { new(body: { message: string; detail: string }): unknown }, message: string) =>
  Schema.encodeSync(error as unknown as Schema.Schema<unknown, unknown>)(new error(errorBody(message)))

describe("errors answered by the endpoints", () => {
  const cases = [
    ["NotFound", notFound, NotFoundError, 404],
    ["Conflict", conflict, ConflictError, 409],
    ["BadRequest", badRequest, BadRequestError, 400],
    ["DocumentTooLarge", tooLarge, DocumentTooLarge, 413]
  ] as const

  for (const [tag, answer, error, status] of cases) {
    it.effect(`${tag}: the declared status, and the body the API would encode`, () =>
      Effect.gen(function*() {
        const response = answer("document 'x' not found")
        expect(response.status).toBe(status)
        expect(response.status).toBe(HttpApiSchema.getStatusError(error))
        expect(response.body.contentType).toBe("application/json")
        const body = JSON.parse(yield* bodyText(response))
        expect(body).toEqual(encoded(error, "document 'x' not found"))
        // What the typed client does with it.
        const decoded = Schema.decodeUnknownSync(error as unknown as Schema.Schema<unknown>)(body)
        expect(decoded).toBeInstanceOf(error)
      }))
  }

  it.effect("a port failure becomes its declared answer; a database failure hides the backend's words", () =>
    Effect.gen(function*() {
      const missing = yield* answerTo(new NotFound({ collection: "agents", id: "a1" }))
      expect(missing.status).toBe(404)
      expect(JSON.parse(yield* bodyText(missing))).toEqual(encoded(NotFoundError, "document 'a1' not found in 'agents'"))
      const down = yield* answerTo(
        new DatabaseError({ operation: "get", message: "connect ECONNREFUSED http://admin:secret@10.0.0.1", unavailable: true, cause: undefined })
      )
      expect(down.status).toBe(HttpApiSchema.getStatusError(DatabaseUnavailable))
      const failed = yield* answerTo(new DatabaseError({ operation: "save", message: "boom", unavailable: false, cause: undefined }))
      expect(failed.status).toBe(HttpApiSchema.getStatusError(DatabaseFailure))
      for (const response of [down, failed]) {
        const text = yield* bodyText(response)
        expect(text).not.toContain("secret")
        expect(text).not.toContain("10.0.0.1")
        expect(text).not.toContain("boom")
      }
    }))
})

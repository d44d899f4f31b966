import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/**
 * An error answered at the HTTP edge, before or around the endpoints, in the shape of every other
 * error body: `_tag`, `message` and `detail` (the one line Gofannon's UI shows).
 */
export const errorResponse = (
  status: number,
  _tag: string,
  message: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ _tag, message, detail: message }, { status, headers })

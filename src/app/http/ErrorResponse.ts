import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** The body of every error docport answers: `_tag`, `message` and `detail` (the one line Gofannon's UI shows). */
export const errorBody = (_tag: string, message: string) => ({ _tag, message, detail: message })

/** An error answered at the HTTP edge, before or around the endpoints, with errorBody's shape. */
export const errorResponse = (
  status: number,
  _tag: string,
  message: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(errorBody(_tag, message), { status, headers })

import { Context, FiberRef, FiberRefs, HashMap, Logger, Option, Tracer } from "effect"

/** The attribute of a request's span that holds its request id. */
export const REQUEST_ID_ATTRIBUTE = "http.request.id"

/**
 * The id RequestObservability put on a request's span, found from a span of that request (the
 * request's own or one opened beneath it); undefined outside a request.
 */
const requestIdOfSpan = (span: Tracer.AnySpan | undefined): string | undefined => {
  let current = span
  while (current !== undefined && current._tag === "Span") {
    const id = current.attributes.get(REQUEST_ID_ATTRIBUTE)
    if (typeof id === "string") return id
    current = Option.getOrUndefined(current.parent)
  }
  return undefined
}

/**
 * `logger`, with the id of the request whose fiber logs a line among that line's annotations: the
 * id is looked up only for the lines a request logs besides its access line (which carries it
 * already), rather than set on every request's log annotations.
 */
export const withRequestIds = <M, O>(logger: Logger.Logger<M, O>): Logger.Logger<M, O> =>
  Logger.mapInputOptions(logger, (options) => {
    if (HashMap.has(options.annotations, "requestId")) return options
    const span = Context.getOption(FiberRefs.getOrDefault(options.context, FiberRef.currentContext), Tracer.ParentSpan)
    const id = requestIdOfSpan(Option.getOrUndefined(span))
    return id === undefined ? options : { ...options, annotations: HashMap.set(options.annotations, "requestId", id as unknown) }
  })

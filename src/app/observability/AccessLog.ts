import { type Fiber, FiberRef, HashMap, Inspectable, List } from "effect"
import { globalValue } from "effect/GlobalValue"
import { writeLogLine } from "./LogSink.js"
import { seriesCache } from "./SeriesCache.js"

/** What one access line says about its request, beyond the fiber's own log annotations. */
export interface AccessEntry {
  readonly requestId: string
  readonly method: string
  readonly route: string
  readonly status: number
  readonly durationMs: number
  readonly provider: string
}

export type AccessWriter = (fiber: Fiber.RuntimeFiber<unknown, unknown>, entry: AccessEntry) => void

/**
 * How the access line of a request is written, when LoggingLive has chosen (undefined otherwise:
 * the line then goes through Effect's loggers like any other, so a logger of one's own sees it).
 *
 * The line is the one Effect's logfmt or JSON logger writes for `Effect.logInfo` with these
 * annotations, written here directly because it is the one line every request pays for: through
 * Effect's logger (the fiber's annotations updated, a HashMap built, every installed logger run,
 * the span given an event that repeats its own attributes) it cost a fifth of a request's CPU.
 */
export const currentAccessWriter = globalValue(
  Symbol.for("docport/AccessLog/currentAccessWriter"),
  () => FiberRef.unsafeMake<AccessWriter | undefined>(undefined)
)

const TEXT_ONLY = /^[^\s"=]*$/
const logfmtValue = (value: string) => TEXT_ONLY.test(value) ? value : JSON.stringify(value)
const logfmtLabel = (label: string) => label.replace(/[\s="]/g, "_")

// Date#toISOString was most of an access line's cost; within one second only the milliseconds change.
let second = Number.NaN
let secondText = ""

/** `now` (epoch milliseconds) as Date#toISOString writes it. */
export const isoTimestamp = (now: number): string => {
  const ms = now % 1000
  if (now - ms !== second) {
    second = now - ms
    secondText = new Date(second).toISOString().slice(0, 20)
  }
  return secondText + (ms < 10 ? "00" : ms < 100 ? "0" : "") + ms + "Z"
}

/**
 * A fiber's id as `#${id}` writes it, without going through V8's number-to-string cache. That
 * cache lives in the old generation and keeps the string of each number it converts until another
 * number takes its slot; every request's fiber has an id never seen before, so each id's string
 * outlived two scavenges and was promoted: 26 of the 37 bytes a `GET` promoted, measured
 * (bench/HISTORY.md, 4 December). toFixed(0) writes an integer's digits as String does.
 */
export const fiberLabel = (id: number): string => `#${id.toFixed(0)}`

/** The access line's message, however it is written. */
export const accessMessage = (entry: Pick<AccessEntry, "method" | "route" | "status">) => `${entry.method} ${entry.route} ${entry.status}`

// What the lines of one method, route and status share, formatted once.
const logfmtPartsOf = seriesCache((method, route, status) => ({
  message: ` message=${JSON.stringify(accessMessage({ method, route, status }))}`,
  fields: ` method=${logfmtValue(method)} route=${logfmtValue(route)} status=${status}`
}))

let provider = ""
let providerText = " provider="

type LineSink = (line: string) => void

// Writers are made by these factories so that a silenced twin runs the very same code.
const makeLogfmtAccess = (write: LineSink): AccessWriter => (fiber, entry) => {
  const now = Date.now()
  const parts = logfmtPartsOf(entry.method, entry.route, entry.status)
  let line = `timestamp=${isoTimestamp(now)} level=INFO fiber=${fiberLabel(fiber.id().id)}${parts.message}`
  const spans = fiber.getFiberRef(FiberRef.currentLogSpan)
  if (List.isCons(spans)) for (const span of spans) line += ` ${logfmtLabel(span.label)}=${now - span.startTime}ms`
  const annotations = fiber.getFiberRef(FiberRef.currentLogAnnotations)
  if (HashMap.size(annotations) > 0) {
    for (const [label, value] of annotations) line += ` ${logfmtLabel(label)}=${logfmtValue(Inspectable.toStringUnknown(value, 0))}`
  }
  if (entry.provider !== provider) providerText = ` provider=${logfmtValue(provider = entry.provider)}`
  write(`${line} requestId=${logfmtValue(entry.requestId)}${parts.fields} durationMs=${entry.durationMs}${providerText}`)
}

const makeJsonAccess = (write: LineSink): AccessWriter => (fiber, entry) => {
  const now = Date.now()
  const annotations: Record<string, unknown> = {}
  for (const [label, value] of fiber.getFiberRef(FiberRef.currentLogAnnotations)) annotations[label] = Inspectable.toJSON(value)
  annotations.requestId = entry.requestId
  annotations.method = entry.method
  annotations.route = entry.route
  annotations.status = entry.status
  annotations.durationMs = entry.durationMs
  annotations.provider = entry.provider
  const spans: Record<string, number> = {}
  for (const span of fiber.getFiberRef(FiberRef.currentLogSpan)) spans[span.label] = now - span.startTime
  write(JSON.stringify({
    message: accessMessage(entry),
    logLevel: "INFO",
    timestamp: isoTimestamp(now),
    annotations,
    spans,
    fiberId: fiberLabel(fiber.id().id)
  }))
}

/** logfmt, as Effect's Logger.logfmtLogger formats an entry (the fiber's annotations first). */
export const logfmtAccess: AccessWriter = makeLogfmtAccess(writeLogLine)

/** One JSON object, as Effect's Logger.jsonLogger writes an entry. */
export const jsonAccess: AccessWriter = makeJsonAccess(writeLogLine)

const dropLine: LineSink = () => {}
const dropAccess: AccessWriter = () => {}
const silentTwins = new Map<AccessWriter, AccessWriter>([
  [logfmtAccess, makeLogfmtAccess(dropLine)],
  [jsonAccess, makeJsonAccess(dropLine)]
])

/**
 * `writer`, formatting every line as it does and dropping it: the start-up warm-up's, so that it
 * trains the code real requests run (undefined stays undefined: the lines then go to the loggers).
 */
export const silenced = (writer: AccessWriter | undefined): AccessWriter | undefined =>
  writer === undefined ? undefined : silentTwins.get(writer) ?? dropAccess

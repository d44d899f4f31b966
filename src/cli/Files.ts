import { NodeStream } from "@effect/platform-node"
import { Data, Effect, Exit, type Scope, Stream } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { rename, unlink } from "node:fs/promises"
import { pipeline, type Readable, type Writable } from "node:stream"
import { createGunzip, createGzip } from "node:zlib"
import { MAX_DOCUMENT_BYTES } from "../ports/DocumentLimits.js"

/** A file the run could not read or write. */
export class FileError extends Data.TaggedError("FileError")<{ readonly path: string; readonly message: string }> {}

const fileError = (path: string) => (cause: unknown) =>
  new FileError({ path, message: `${path}: ${cause instanceof Error ? cause.message : String(cause)}` })

const STDIO = "-"
const gzipped = (path: string) => path.endsWith(".gz")

/**
 * Characters past which a line cannot hold a document any backend stores (MAX_DOCUMENT_BYTES of
 * JSON, with its collection around it), so it is not held: a file without newlines, or with one
 * enormous line, would otherwise be read whole into memory.
 */
export const MAX_LINE_CHARS = 4 * MAX_DOCUMENT_BYTES

/** A line that was longer than the bound: only its length is kept. */
export class OverlongLine {
  constructor(readonly length: number) {}
}

export type Line = string | OverlongLine

/** Text split at `\n` (a `\r` before it dropped), any line over `max` characters kept as its length alone. */
export const boundedLines = (max: number) => <E>(text: Stream.Stream<string, E>): Stream.Stream<Line, E> =>
  Stream.suspend(() => {
    let partial = ""
    let dropped = 0 // characters of the current line let go once it went over `max`; 0 while it is kept
    const add = (piece: string) => {
      if (dropped > 0) dropped += piece.length
      else if (partial.length + piece.length > max) {
        dropped = partial.length + piece.length
        partial = ""
      } else partial += piece
    }
    const end = (): Line => {
      const line: Line = dropped > 0 ? new OverlongLine(dropped) : partial.endsWith("\r") ? partial.slice(0, -1) : partial
      partial = ""
      dropped = 0
      return line
    }
    const lines = (chunk: string): Array<Line> => {
      const out: Array<Line> = []
      let start = 0
      for (let newline = chunk.indexOf("\n"); newline !== -1; newline = chunk.indexOf("\n", start)) {
        add(chunk.slice(start, newline))
        out.push(end())
        start = newline + 1
      }
      add(chunk.slice(start))
      return out
    }
    return Stream.concat(
      Stream.mapConcat(text, lines),
      Stream.suspend(() => (partial === "" && dropped === 0 ? Stream.empty : Stream.make(end())))
    )
  })

/** The lines of a file (`-`: stdin), gunzipped when its name ends in .gz; streamed, never read whole. */
export const readLines = (path: string): Stream.Stream<Line, FileError> => {
  const open = (): Readable => {
    const source: Readable = path === STDIO ? process.stdin : createReadStream(path)
    // pipeline forwards an error of the file (missing, unreadable) to the stream we read.
    return gzipped(path) ? pipeline(source, createGunzip(), () => {}) : source
  }
  return NodeStream.fromReadable(open, fileError(path)).pipe(Stream.decodeText(), boundedLines(MAX_LINE_CHARS))
}

export interface LineSink {
  /** Appends text (whole lines), waiting when the file or pipe is behind. */
  readonly write: (text: string) => Effect.Effect<void, FileError>
  /** Flushes and, for a file, gives it its final name: until then it is FILE.partial. */
  readonly close: Effect.Effect<void, FileError>
}

const waitFor = (stream: Writable, event: "drain" | "finish" | "close", path: string) =>
  Effect.async<void, FileError>((resume) => {
    const done = () => {
      stream.off("error", failed)
      resume(Effect.void)
    }
    const failed = (error: unknown) => {
      stream.off(event, done)
      resume(Effect.fail(fileError(path)(error)))
    }
    stream.once(event, done)
    stream.once("error", failed)
  })

/**
 * A file being written (`-`: stdout), gzipped when the name ends in .gz. A file is written as
 * FILE.partial and renamed when closed, so an interrupted export never leaves a file that looks whole.
 */
export const writeLines = (path: string): Effect.Effect<LineSink, FileError, Scope.Scope> =>
  Effect.gen(function*() {
    const partial = `${path}.partial`
    // A partial file left by a killed run would keep its mode: the new one is made afresh.
    if (path !== STDIO) yield* Effect.promise(() => unlink(partial).catch(() => undefined))
    // Readable by its owner only: an export holds every user's API keys and sessions in clear.
    const target: Writable = path === STDIO ? process.stdout : createWriteStream(partial, { mode: 0o600 })
    const gzip = gzipped(path) ? createGzip() : undefined
    if (gzip !== undefined) gzip.pipe(target, { end: path !== STDIO })
    const head: Writable = gzip ?? target
    let closed = false
    let failure: unknown = undefined
    head.on("error", (error) => (failure = error))
    target.on("error", (error) => (failure = error))

    yield* Effect.addFinalizer((exit) =>
      Exit.isSuccess(exit) && closed || path === STDIO
        ? Effect.void
        : Effect.promise(async () => {
          head.destroy()
          target.destroy()
          await unlink(partial).catch(() => undefined)
        })
    )

    const check = Effect.suspend(() => failure === undefined ? Effect.void : Effect.fail(fileError(path)(failure)))

    const write = (text: string) =>
      Effect.zipRight(check, Effect.suspend(() => head.write(text) ? Effect.void : waitFor(head, "drain", path)))

    const close = Effect.gen(function*() {
      yield* check
      if (path === STDIO) {
        if (gzip !== undefined) {
          const flushed = waitFor(gzip, "finish", path)
          gzip.end()
          yield* flushed
        }
        return
      }
      const finished = waitFor(target, "close", path)
      head.end()
      yield* finished
      yield* Effect.tryPromise({ try: () => rename(partial, path), catch: fileError(path) })
      closed = true
    })
    return { write, close }
  })

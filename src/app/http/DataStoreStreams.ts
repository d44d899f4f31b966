import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Chunk, Effect, Stream } from "effect"
import type { DataRecord } from "../../domain/DataRecord.js"

/**
 * A JSON array written as the records arrive, one piece per page, so that the response never
 * holds the whole namespace. The status was decided by the first page, read before answering; a
 * failure later cuts the body short (the client sees invalid JSON) and is logged.
 */
export const streamedJsonArray = <E extends { readonly message: string }>(
  records: Stream.Stream<DataRecord, E>,
  open = "[",
  close = "]"
) =>
  HttpServerResponse.stream(
    Stream.make(open).pipe(
      Stream.concat(
        records.pipe(
          Stream.zipWithIndex,
          Stream.mapChunks((chunk) =>
            Chunk.of(Chunk.join(Chunk.map(chunk, ([record, i]) => (i === 0 ? "" : ",") + JSON.stringify(record)), ""))
          )
        )
      ),
      Stream.concat(Stream.make(close)),
      Stream.tapError((error) => Effect.logError(`data-store listing cut short: ${error.message}`)),
      Stream.encodeText
    ),
    { contentType: "application/json" }
  )

import { Schema } from "effect"

/** The document (or the collection holding it) does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  collection: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `document '${this.id}' not found in '${this.collection}'`
  }
}

/** A conditional write lost: the stored revision differs, the document is gone, or (create-only) it exists. */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  collection: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `document '${this.id}' in '${this.collection}' was changed by another writer or already exists`
  }
}

/**
 * A collection name, document id or field name that some backend would reject or misread.
 * Kept apart from DatabaseError because it is the caller's mistake (HTTP 400), not the backend's.
 */
export class InvalidName extends Schema.TaggedError<InvalidName>()("InvalidName", {
  kind: Schema.Literal("collection", "id", "field"),
  value: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    const shown = this.value.length > 60 ? `${this.value.slice(0, 60)}…` : this.value
    return `invalid ${this.kind} '${shown}': ${this.reason}`
  }
}

/**
 * Any failure of the backend itself. `unavailable` marks failures where the backend could not be
 * reached at all (refused, reset, timed out), which the HTTP edge reports as 503 rather than 500.
 * `cause` is kept for logs and never serialised into a response.
 */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  operation: Schema.String,
  message: Schema.String,
  unavailable: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /**
   * A create whose answer never came: the backend may still store it under this id, which the
   * caller could not otherwise learn (the server makes it), so a retry would make a second one.
   */
  unconfirmed: Schema.optional(Schema.Struct({ collection: Schema.String, id: Schema.String })),
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A document that docport refuses on every backend alike (see DocumentLimits): too large, nested
 * too deep, with too many values, or holding a value or key some backend cannot store faithfully. The caller's mistake:
 * HTTP 413 for `size`, 400 otherwise.
 */
export class InvalidDocument extends Schema.TaggedError<InvalidDocument>()("InvalidDocument", {
  collection: Schema.String,
  id: Schema.String,
  limit: Schema.Literal("size", "depth", "count", "value", "key"),
  reason: Schema.String
}) {
  override get message(): string {
    if (this.id === "") return `cannot store the new document in '${this.collection}': ${this.reason}`
    const shown = this.id.length > 60 ? `${this.id.slice(0, 60)}…` : this.id
    return `cannot store document '${shown}' in '${this.collection}': ${this.reason}`
  }
}

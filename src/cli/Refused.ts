import { Data } from "effect"

/** A command line or configuration the CLI will not run with; the message says what to change. */
export class Refused extends Data.TaggedError("Refused")<{ readonly message: string }> {}

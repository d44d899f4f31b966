import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

// V8 gives `gc` to contexts made after the flag is set, so a test process needs no --expose-gc.
setFlagsFromString("--expose-gc")

/** A full collection of V8's heap, on demand. */
export const fullCollection = runInNewContext("gc") as () => void

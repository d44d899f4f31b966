/**
 * Characters that move the cursor, clear the screen or reorder text on a terminal: C0 (newline,
 * ESC…), DEL, C1 (a lone CSI, 0x9b, starts a sequence too), the line and paragraph separators,
 * and the bidirectional overrides.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const CONTROLS = new RegExp(CONTROL.source, "g")

/**
 * Text from the input or a backend (a collection name, an id, a reason quoting them) as it may be
 * printed: as it is when it holds no control character, else quoted as a JSON string with every
 * control character escaped, so that an id cannot forge a line of the report or drive the terminal.
 */
export const printable = (text: string): string =>
  CONTROL.test(text)
    ? JSON.stringify(text).replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : text

/**
 * Characters that break a line or hide text when it is shown: C0 and C1 controls (NEL is a line
 * break to some log readers), the line and paragraph separators (line breaks to JavaScript and many
 * viewers), the bidirectional overrides, isolates and marks (which make a terminal or a page show
 * text in another order), and the zero-width characters and BOM (which make two values look alike).
 */
export const LINE_BREAKING_OR_INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/

// White space, the default-ignorable code points (soft hyphen, fillers, joiners, variation
// selectors, tags…) and the braille blank: none of them shows a mark.
const VISIBLE = /[^\s\p{Default_Ignorable_Code_Point}\u2800]/u

/** Whether the text shows anything at all where it is listed. */
export const showsSomething = (text: string): boolean => VISIBLE.test(text)

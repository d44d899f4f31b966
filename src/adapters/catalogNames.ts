import { collectionProblem } from "../ports/Validation.js"

/**
 * The collections among a backend's database or table names: those under the prefix whose rest is
 * a name docport accepts (system databases such as CouchDB's `_users` never are), sorted.
 */
export const collectionsUnder = (prefix: string, names: Iterable<string>): ReadonlyArray<string> =>
  [...names]
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length))
    .filter((name) => collectionProblem(name) === undefined)
    .sort()

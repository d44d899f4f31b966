import { execFileSync } from "node:child_process"

/**
 * vitest global setup: the tests that run docport as a process run what `npm start` runs, the
 * build in dist/, made once here from the current sources (the same command as `npm run build`).
 */
export default function setup() {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" })
}

/** Prints where a CPU profile spent its time: `tsx bench/profile.ts <file.cpuprofile> [rows]` */
import { formatProfile, readProfile, summarizeProfile } from "./support/profile.js"

const [path, rows] = process.argv.slice(2)
if (path === undefined) {
  console.error("usage: tsx bench/profile.ts <file.cpuprofile> [rows]")
  process.exit(2)
}
console.log(formatProfile(summarizeProfile(readProfile(path), rows === undefined ? 25 : Number(rows))))

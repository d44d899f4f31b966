import { appendFileSync } from "node:fs"

export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_MODULES_LOG, `${url}\n`)
  return next(url, context)
}

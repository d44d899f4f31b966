import * as HttpServer from "@effect/platform/HttpServer"
import { Context } from "effect"

/** The TCP port a built HttpServer listens on (0 for any other kind of address). */
export const portOf = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "TcpAddress" ? address.port : 0
}

import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect } from "effect"
import { Deployments } from "../../domain/Deployments.js"
import { Authentication } from "../auth/CurrentUser.js"
import { DocportApi } from "./Api.js"
import { httpErrors } from "./ApiErrors.js"
import { jsonArrayResponse } from "./JsonArrayStream.js"
import { groupInLeanContext } from "./LeanContext.js"

export const DeploymentsLive = HttpApiBuilder.group(DocportApi, "deployments", (handlers) =>
  Effect.map(Deployments, (deployments) => handlers.handle("list", () => httpErrors(jsonArrayResponse(deployments.stream, { what: "GET /deployments" }))))).pipe(groupInLeanContext(Deployments, Authentication))

import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect } from "effect"
import { Demo } from "../../domain/Demo.js"
import { Demos } from "../../domain/Demos.js"
import { Authentication, currentUser } from "../auth/CurrentUser.js"
import { DocportApi } from "./Api.js"
import { httpErrors } from "./ApiErrors.js"
import { jsonPagesResponse } from "./JsonArrayStream.js"
import { groupInLeanContext } from "./LeanContext.js"
import { storedJson } from "./StoredJson.js"

const demo = storedJson(Demo)
const created = storedJson(Demo, 201)

export const DemosLive = HttpApiBuilder.group(DocportApi, "demos", (handlers) =>
  Effect.map(Demos, (demos) =>
    handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(currentUser, (user) => httpErrors(Effect.map(demos.create(payload, user.uid), created.one))))
      .handle("list", () => httpErrors(jsonPagesResponse(demos.pages, { encode: demo.declared, what: "GET /demos" })))
      .handle("get", ({ path }) => httpErrors(Effect.map(demos.get(path.id), demo.one)))
      .handle("replace", ({ path, payload }) =>
        Effect.flatMap(currentUser, (user) => httpErrors(Effect.map(demos.replace(path.id, payload, user.uid), demo.one))))
      .handle("remove", ({ path }) => httpErrors(demos.remove(path.id))))).pipe(groupInLeanContext(Demos, Authentication))

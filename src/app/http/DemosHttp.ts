import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Demos } from "../../domain/Demos.js"
import { DocportApi } from "./Api.js"
import { httpErrors } from "./ApiErrors.js"

export const DemosLive = HttpApiBuilder.group(DocportApi, "demos", (handlers) =>
  Effect.map(Demos, (demos) =>
    handlers
      .handle("create", ({ payload }) => httpErrors(demos.create(payload)))
      .handle("list", () => httpErrors(demos.list))
      .handle("get", ({ path }) => httpErrors(demos.get(path.id)))
      .handle("update", ({ path, payload }) => httpErrors(demos.update(path.id, payload)))
      .handle("remove", ({ path }) => httpErrors(demos.remove(path.id)))))

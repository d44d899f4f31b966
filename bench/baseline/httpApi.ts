/**
 * docport's agent routes as a bare HttpApi on the same @effect/platform: the same paths, payload
 * and success schemas (src/domain/Agent.ts), the same error classes and statuses (404, 409), and
 * handlers over a Map, with the framework's defaults for everything else (its request span, its
 * encoding of every response through the success schema). No domain, no database port, no
 * authentication, no access log, no metrics: what docport costs above this is docport's own.
 *
 * The secured variant declares, in addition, docport's own sign-in middleware on the agent routes
 * (src/app/auth/CurrentUser.ts: the same 401/403/429/503 statuses), implemented by letting every
 * request in: what running a middleware before each handler costs the platform whatever decides
 * who the caller is, so that docport's figure over it is what its own decision, observability,
 * domain and port cost.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Effect, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { Authentication } from "../../src/app/auth/CurrentUser.js"
import { ConflictError, errorBody, NotFoundError } from "../../src/app/http/ApiErrors.js"
import { Agent, AgentCreate, AgentUpdate } from "../../src/domain/Agent.js"
import { makeRevisions } from "./agents.js"

const IdParam = Schema.Struct({ id: Schema.String })

const Health = Schema.Struct({
  status: Schema.Literal("healthy"),
  database: Schema.Struct({ provider: Schema.String, ok: Schema.Boolean })
})

const HealthGroup = HttpApiGroup.make("health").add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))

const AgentsGroup = HttpApiGroup.make("agents")
  .add(HttpApiEndpoint.post("create", "/agents").setPayload(AgentCreate).addSuccess(Agent, { status: 201 }))
  .add(HttpApiEndpoint.get("list", "/agents").addSuccess(Schema.Array(Agent)))
  .add(HttpApiEndpoint.get("get", "/agents/:id").setPath(IdParam).addSuccess(Agent).addError(NotFoundError))
  .add(
    HttpApiEndpoint.put("update", "/agents/:id").setPath(IdParam).setPayload(AgentUpdate).addSuccess(Agent)
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("remove", "/agents/:id").setPath(IdParam).addError(NotFoundError))

class BareApi extends HttpApi.make("bare").add(HealthGroup).add(AgentsGroup) {}

class SecuredApi extends HttpApi.make("bare").add(HealthGroup).add(AgentsGroup.middleware(Authentication)) {}

const agents = new Map<string, Agent>()
const nextRev = makeRevisions()

const notFound = (id: string) => new NotFoundError(errorBody(`agents/${id} not found`))

interface ById {
  readonly path: { readonly id: string }
}

// The handlers, shared by both APIs.
const list = () => Effect.sync(() => Array.from(agents.values()))

const get = ({ path }: ById) =>
  Effect.suspend(() => {
    const agent = agents.get(path.id)
    return agent === undefined ? Effect.fail(notFound(path.id)) : Effect.succeed(agent)
  })

const create = ({ payload }: { readonly payload: AgentCreate }) =>
  Effect.sync(() => {
    const now = new Date().toISOString()
    const agent: Agent = { ...payload, createdAt: now, updatedAt: now, _id: randomUUID(), _rev: nextRev(undefined) }
    agents.set(agent._id, agent)
    return agent
  })

const update = ({ path, payload }: ById & { readonly payload: AgentUpdate }) =>
  Effect.suspend((): Effect.Effect<Agent, NotFoundError | ConflictError> => {
    const current = agents.get(path.id)
    if (current === undefined) return Effect.fail(notFound(path.id))
    const { _rev: expected, ...changes } = payload
    if (expected !== undefined && expected !== current._rev) {
      return Effect.fail(new ConflictError(errorBody(`agents/${path.id} has changed since revision ${expected}`)))
    }
    const next: Agent = { ...current, ...changes, updatedAt: new Date().toISOString(), _rev: nextRev(current._rev) }
    agents.set(path.id, next)
    return Effect.succeed(next)
  })

const remove = ({ path }: ById) => (agents.delete(path.id) ? Effect.void : Effect.fail(notFound(path.id)))

const health = () => Effect.succeed({ status: "healthy" as const, database: { provider: "httpapi", ok: true } })

const BareLive = HttpApiBuilder.api(BareApi).pipe(
  Layer.provide(HttpApiBuilder.group(BareApi, "agents", (handlers) =>
    handlers.handle("list", list).handle("get", get).handle("create", create).handle("update", update).handle("remove", remove))),
  Layer.provide(HttpApiBuilder.group(BareApi, "health", (handlers) => handlers.handle("health", health)))
)

// Every request is let in, as docport's local mode lets in a loopback client.
const ConstantPrincipal = Layer.succeed(Authentication, Authentication.of(Effect.void))

const SecuredLive = HttpApiBuilder.api(SecuredApi).pipe(
  Layer.provide(HttpApiBuilder.group(SecuredApi, "agents", (handlers) =>
    handlers.handle("list", list).handle("get", get).handle("create", create).handle("update", update).handle("remove", remove))),
  Layer.provide(HttpApiBuilder.group(SecuredApi, "health", (handlers) => handlers.handle("health", health))),
  Layer.provide(ConstantPrincipal)
)

/** The bare HttpApi served on whatever HttpServer is provided. */
export const BareHttpApiLive = HttpApiBuilder.serve().pipe(Layer.provide(BareLive))

/** The same, with docport's sign-in middleware declared on the agent routes. */
export const SecuredHttpApiLive = HttpApiBuilder.serve().pipe(Layer.provide(SecuredLive))

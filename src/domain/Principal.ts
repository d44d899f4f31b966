import { Schema } from "effect"

/** A workspace the user belongs to, as Gofannon's session documents list them. */
export const Workspace = Schema.Struct({
  workspaceId: Schema.String,
  role: Schema.Literal("member", "admin"),
  displayName: Schema.String,
  source: Schema.String
})
export type Workspace = typeof Workspace.Type

/** Who a request acts for, however it proved it: a session cookie, a personal access token or local mode. */
export interface Principal {
  /** `{providerType}:{externalId}`, e.g. `dev_stub:alice`, `google:1043…`, `local:local`. */
  readonly uid: string
  readonly displayName: string
  readonly email: string | null
  /** Whether the provider vouched for `email` at sign-in: only then does it count for SITE_ADMINS or an allow list. */
  readonly emailVerified: boolean
  readonly providerType: string
  readonly workspaces: ReadonlyArray<Workspace>
  readonly isSiteAdmin: boolean
  readonly via: "session" | "token" | "local"
}

/** Every user has a personal workspace, as in Gofannon (`personal:{provider}:{externalId}`). */
export const personalWorkspace = (uid: string): Workspace => ({
  workspaceId: `personal:${uid}`,
  role: "admin",
  displayName: "Personal",
  source: "auto_personal"
})

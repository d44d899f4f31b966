import { Schema } from "effect"
import type { Principal, Workspace } from "./Principal.js"

/** What a session says of its user's memberships. */
export type Memberships = Pick<Principal, "workspaces" | "isSiteAdmin">

/** Gofannon's answer to POST /auth/refresh-workspaces (models/auth.py `RefreshWorkspacesDiff`): what moved. */
export const WorkspaceChanges = Schema.Struct({
  added: Schema.Array(Schema.String),
  removed: Schema.Array(Schema.String),
  roleChanges: Schema.Array(Schema.String),
  siteAdminChanged: Schema.Boolean
}).annotations({ identifier: "RefreshWorkspacesDiff" })
export type WorkspaceChanges = typeof WorkspaceChanges.Type

const byId = (workspaces: ReadonlyArray<Workspace>) => new Map(workspaces.map((w) => [w.workspaceId, w]))

/** Workspace ids added, removed and whose role changed (each sorted), and whether site admin changed. */
export const workspaceChanges = (before: Memberships, after: Memberships): WorkspaceChanges => {
  const old = byId(before.workspaces)
  const now = byId(after.workspaces)
  return {
    added: [...now.keys()].filter((id) => !old.has(id)).sort(),
    removed: [...old.keys()].filter((id) => !now.has(id)).sort(),
    roleChanges: [...now.values()].filter((w) => old.has(w.workspaceId) && old.get(w.workspaceId)!.role !== w.role).map((w) => w.workspaceId).sort(),
    siteAdminChanged: before.isSiteAdmin !== after.isSiteAdmin
  }
}

import type { Principal } from "../../domain/Principal.js"
import type { AuthProvider, ProviderUser } from "./AuthProvider.js"
import type { SignInSettingsShape } from "./SignInSettings.js"

/** What admission reads of a user, at the callback (from the provider) or later (from a session or token). */
export interface Applicant {
  readonly uid: string
  readonly providerType: string
  readonly email: string | null
  readonly emailVerified: boolean
}

/**
 * Who may be let in, asked at the callback and again on every request a session or token makes,
 * so that taking someone off SITE_ADMINS or an allow list takes effect at once rather than when
 * their sessions and tokens expire (up to a year for a token). A uid is matched exactly (OpenID
 * subjects are case-sensitive: `google:ROOT` is not `google:root`, as in Gofannon's own check),
 * an e-mail address without case and only when the provider vouched for it.
 */
export interface Admission {
  readonly isSiteAdmin: (user: Applicant) => boolean
  /**
   * A site admin, or allowed by its provider's own lists; a provider no longer configured admits
   * no one. In local mode, the local user.
   */
  readonly admits: (user: Applicant) => boolean
}

/** The one user of local mode (no sign-in provider configured). */
export const LOCAL_UID = "local:local"

const externalIdOf = (user: Applicant) => user.uid.slice(user.providerType.length + 1)

export const makeAdmission = (
  settings: Pick<SignInSettingsShape, "siteAdmins" | "localMode">,
  providers: ReadonlyArray<Pick<AuthProvider, "type" | "allows">>
): Admission => {
  const adminUids = new Set(settings.siteAdmins)
  const adminEmails = new Set(settings.siteAdmins.filter((entry) => entry.includes("@")).map((entry) => entry.toLowerCase()))
  const isSiteAdmin = (user: Applicant) =>
    // Local mode's one user is its site admin, with a token too.
    user.uid === LOCAL_UID ? settings.localMode :
    adminUids.has(user.uid) || (user.email !== null && user.emailVerified && adminEmails.has(user.email.toLowerCase()))
  const byType = new Map(providers.map((provider) => [provider.type, provider]))
  return {
    isSiteAdmin,
    admits: (user) => {
      // Local mode's tokens belong to its one user, and open nothing once sign-in is configured.
      if (user.uid === LOCAL_UID) return settings.localMode
      // Checked before SITE_ADMINS: a site admin signed in through a provider since removed (a
      // dev_stub of a test set-up, whose addresses count as verified) is let in no more either.
      const provider = byType.get(user.providerType)
      if (provider === undefined || !user.uid.startsWith(`${user.providerType}:`)) return false
      if (isSiteAdmin(user)) return true
      const asProviderSaid: ProviderUser = {
        externalId: externalIdOf(user),
        displayName: "",
        email: user.email,
        emailVerified: user.emailVerified
      }
      return provider.allows(asProviderSaid)
    }
  }
}

/** The principal with `isSiteAdmin` as SITE_ADMINS says now. */
export const withSiteAdmin = (admission: Admission, principal: Principal): Principal => ({
  ...principal,
  isSiteAdmin: admission.isSiteAdmin(principal)
})

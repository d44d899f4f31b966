/**
 * A value made once for each method, route and status, then found again by three Map lookups on
 * the strings and number a request already has, rather than by a key string built (and hashed)
 * per request. The keys are few: the methods Node's parser accepts, the router's patterns (or
 * "unmatched"), the statuses the application answers.
 */
export const seriesCache = <A>(make: (method: string, route: string, status: number) => A) => {
  const byMethod = new Map<string, Map<string, Map<number, A>>>()
  return (method: string, route: string, status: number): A => {
    let byRoute = byMethod.get(method)
    if (byRoute === undefined) byMethod.set(method, byRoute = new Map())
    let byStatus = byRoute.get(route)
    if (byStatus === undefined) byRoute.set(route, byStatus = new Map())
    let value = byStatus.get(status)
    if (value === undefined) byStatus.set(status, value = make(method, route, status))
    return value
  }
}

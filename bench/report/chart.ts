import type { BackendHttp, Comparison } from "./summary.js"

const COLORS: Record<string, string> = {
  baseline: "#9aa0a6",
  platform: "#fbbc04",
  memory: "#1a73e8",
  couchdb: "#e8710a",
  dynamodb: "#188038",
  firestore: "#a142f4"
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const format = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n >= 1000 ? `${(n / 1000).toFixed(2)}k` : n.toFixed(0))

/**
 * Requests/s per scenario: the baseline, docport on memory (with the ratio), and docport on each
 * remote backend measured. Horizontal bars on one linear scale, so the gaps read as they are.
 */
export const httpChart = (comparisons: ReadonlyArray<Comparison>, backends: ReadonlyArray<BackendHttp>, subtitle: string): string => {
  const remote = [...new Set(backends.map((b) => b.backend))].filter((b) => b !== "memory")
  const floor = comparisons.some((c) => c.platform !== undefined)
  const series = ["baseline", ...(floor ? ["platform"] : []), "memory", ...remote]
  const label = (s: string) =>
    s === "baseline" ? "baseline (node:http + Map)" : s === "platform" ? "bare @effect/platform + Map" : `docport on ${s}`
  const value = (c: Comparison, s: string): number | undefined =>
    s === "baseline"
      ? c.baseline.rps
      : s === "platform"
      ? c.platform?.rps
      : s === "memory"
      ? c.docport.rps
      : backends.find((b) => b.backend === s && b.scenario === c.scenario)?.figures.rps
  const max = Math.max(1, ...comparisons.flatMap((c) => series.map((s) => value(c, s) ?? 0)))

  const width = 820
  const left = 150
  const right = 110
  const bar = 13
  const gap = 3
  const groupGap = 16
  const top = 74
  const plot = width - left - right
  const groupHeight = series.length * (bar + gap) + groupGap
  const height = top + comparisons.length * groupHeight + 20

  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold">docport vs a raw node:http baseline: requests/s, 32 connections (median of rounds)</text>`,
    `<text x="16" y="42" fill="#555">${escape(subtitle)}</text>`
  ]
  series.forEach((s, i) => {
    const x = 16 + i * 175
    out.push(`<rect x="${x}" y="52" width="10" height="10" fill="${COLORS[s] ?? "#444"}"/>`)
    out.push(`<text x="${x + 14}" y="61">${escape(label(s))}</text>`)
  })
  comparisons.forEach((c, g) => {
    const y0 = top + g * groupHeight
    out.push(`<text x="${left - 8}" y="${y0 + bar}" text-anchor="end" font-weight="bold">${escape(c.label)}</text>`)
    out.push(`<text x="${left - 8}" y="${y0 + 2 * bar + gap}" text-anchor="end" fill="#1a73e8">${c.ratio.toFixed(2)}× baseline</text>`)
    series.forEach((s, i) => {
      const v = value(c, s)
      if (v === undefined) return
      const y = y0 + i * (bar + gap)
      const w = Math.max(1, (v / max) * plot)
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[s] ?? "#444"}"/>`)
      out.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + bar - 2}" fill="#333">${format(v)}</text>`)
    })
  })
  out.push(`</svg>`)
  return out.join("\n") + "\n"
}

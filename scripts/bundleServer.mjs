// The server as `npm start` runs it: an entry point and the Effect packages it imports, bundled by
// esbuild into one directory. Each dynamic import (a backend, sign-in, tracing, the Swagger page,
// the cluster's primary) stays a chunk of its own, loaded only when used.
//
// Why: through node_modules a started docport loads about 840 modules, most of effect's whole
// barrel, which V8 then holds (their functions, scopes and module records) and marks in every full
// collection. Bundled, esbuild keeps only what is used and calls across modules directly: on
// memory the live heap after a load fell from 34.6 to 21.2 MB, a GET took about 7 % less CPU, and
// a PUT load's 6-s windows that held a full collection read p99 / p50 1.7 - 2.0 instead of 3.0 -
// 3.6 (bench/HISTORY.md, 4 December).
//
// Only the Effect packages and the pure ESM libraries they import are bundled. Everything else
// (the backends' SDKs, OpenTelemetry, openid-client, undici, ws) stays in node_modules, as
// CommonJS or as it ships: none of them imports effect, so the process holds one copy of effect,
// whose services (Context tags) would not match across two.
import { build } from "esbuild"
import { rmSync } from "node:fs"
import { basename, extname } from "node:path"
import { pathToFileURL } from "node:url"

const BUNDLED = /^(effect|@effect\/[^/]+|fast-check|pure-rand|find-my-way-ts|multipasta)(\/|$)/

const onlyEffectBundled = {
  name: "only-effect-bundled",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.test(args.path) || args.kind === "entry-point" ? undefined : { path: args.path, external: true }
    )
  }
}

/** Bundles `entry` into `outdir`, emptied first; its entry module is `outdir/<entry's name>.js`. */
export const bundleServer = async (entry, outdir) => {
  // Chunks are named by their content: without this, every build would leave the last one's behind.
  rmSync(outdir, { recursive: true, force: true })
  await build({
    entryPoints: [entry],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [onlyEffectBundled]
  })
  return `${outdir}/${basename(entry, extname(entry))}.js`
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry = "src/app/main.ts", outdir = "dist/server"] = process.argv.slice(2)
  await bundleServer(entry, outdir)
}

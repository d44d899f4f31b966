import { Command, Options } from "@effect/cli"
import { Cause, Effect, Exit, Option, type Scope, Stream } from "effect"
import { isConfigError } from "effect/ConfigError"
import { PROVIDERS, type Provider } from "../adapters/Providers.js"
import { Backends, type Role } from "./Backends.js"
import { copy } from "./Copy.js"
import { exportTo } from "./Export.js"
import { readLines, writeLines } from "./Files.js"
import { importFrom } from "./Import.js"
import { ExitCode, Output, type RunResult } from "./Output.js"
import * as Progress from "./Progress.js"
import { printable } from "./Printable.js"
import { chooseProvider, LASTING, type ProviderSetting, SERVICE, SOURCE, TARGET } from "./ProviderChoice.js"
import { refuseSameBackend } from "./SameBackend.js"
import { allWentOver, formatSummary, type Tally } from "./Tally.js"
import { type CollectionDiff, formatDiffs, identical, verify } from "./Verify.js"

const provider = (setting: ProviderSetting) =>
  Options.choice(setting.option, PROVIDERS).pipe(
    Options.optional,
    Options.withDescription(`the backend (${LASTING.join(", ")}); default: ${setting.variable}`)
  )

const collections = Options.text("collections").pipe(
  Options.optional,
  Options.map(Option.map((list) => list.split(",").map((name) => name.trim()).filter((name) => name !== ""))),
  Options.map(Option.getOrUndefined),
  Options.withDescription("comma-separated collections; default: every collection the backend lists")
)

// A page of no documents, or fewer, is no page: refused with the option, before any backend is opened.
const pageSize = Options.integer("page-size").pipe(
  Options.filterMap((n) => Option.liftPredicate(n, (x: number) => x >= 1), "--page-size must be 1 or more"),
  Options.withDefault(100),
  Options.withDescription("documents read, held and written at a time (1 or more)")
)

// Fractions allowed, for a line about every page of a quick run; 0 or less is no interval at all.
const progressInterval = Options.float("progress-interval").pipe(
  Options.filterMap((n) => Option.liftPredicate(n, (x: number) => x > 0), "--progress-interval must be more than 0 seconds"),
  Options.withDefault(10),
  Options.withDescription("seconds between progress lines when stderr is not a terminal (more than 0; 0.5 allowed)")
)

const mode = Options.choice("mode", ["create", "upsert"]).pipe(
  Options.withDefault("create" as const),
  Options.withDescription("create: an id already in the target with another body is reported, never overwritten; upsert: replaced")
)

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("read and compare, write nothing"))

const describeError = (error: unknown): string =>
  isConfigError(error) ? String(error) : error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error)

/**
 * Runs a command's work with its backends and progress, then prints the report and records the
 * exit code, also when the run failed or was interrupted half-way (the report says how far it got).
 */
const runReported = <E>(
  command: RunResult["command"],
  intervalSeconds: number,
  work: (tallies: Array<Tally>, diffs: Array<CollectionDiff>) => Effect.Effect<void, E, Backends | Progress.Progress | Scope.Scope>,
  report: (
    tallies: ReadonlyArray<Tally>,
    diffs: ReadonlyArray<CollectionDiff>,
    finished: boolean
  ) => { readonly text: string; readonly complete: boolean },
  toStderr = false
) =>
  Effect.flatMap(Output, (output) => {
    const tallies: Array<Tally> = []
    const diffs: Array<CollectionDiff> = []
    // Reported on every exit, interruption included (onExit runs uninterruptibly): how far it got.
    const reportExit = (exit: Exit.Exit<void, E>) =>
      Effect.sync(() => {
        const { complete, text } = report(tallies, diffs, Exit.isSuccess(exit))
        if (tallies.length > 0 || diffs.length > 0) (toStderr ? output.err : output.out)(text)
        let exitCode: number
        if (Exit.isSuccess(exit)) exitCode = complete ? ExitCode.Ok : ExitCode.Incomplete
        else if (Cause.isInterruptedOnly(exit.cause)) {
          // A copy or import skips what is already there; an export or verify starts afresh.
          output.err(`docport ${command} interrupted; run the same command again to ${command === "copy" || command === "import" ? "continue" : "start it again"}`)
          exitCode = ExitCode.Interrupted
        } else {
          const failure = Cause.failureOption(exit.cause)
          // A failure's message can quote an id or a name from the input; a defect's trace is ours.
          const reason = Option.match(failure, { onNone: () => Cause.pretty(exit.cause), onSome: (error) => printable(describeError(error)) })
          output.err(`docport ${command} stopped: ${reason}`)
          exitCode = ExitCode.Failed
        }
        output.record({ command, exitCode, tallies, diffs })
      })
    return work(tallies, diffs).pipe(
      Effect.scoped,
      Effect.provideService(Progress.Progress, output.progress(intervalSeconds * 1000)),
      Effect.onExit(reportExit),
      // Already reported, with the exit code recorded.
      Effect.catchAll(() => Effect.void)
    )
  })

const open = (role: Role, which: Provider) => Effect.flatMap(Backends, (backends) => backends.open(role, which))

const openBoth = (from: Option.Option<Provider>, to: Option.Option<Provider>) =>
  Effect.gen(function*() {
    // Both chosen before either is opened, so that a missing choice is said before any connection.
    const fromProvider = yield* chooseProvider(from, SOURCE)
    const toProvider = yield* chooseProvider(to, TARGET)
    yield* refuseSameBackend(fromProvider, toProvider)
    return { source: yield* open("source", fromProvider), target: yield* open("target", toProvider) }
  })

const copyReport = (dry: boolean) => (tallies: ReadonlyArray<Tally>) => ({
  text: formatSummary(tallies, dry),
  complete: allWentOver(tallies)
})

const exportCommand = Command.make("export", {
  to: Options.text("to").pipe(Options.withDescription("NDJSON file to write (- for stdout; gzip when it ends in .gz)")),
  provider: provider(SERVICE),
  collections,
  pageSize,
  progressInterval
}, (args) =>
  runReported(
    "export",
    args.progressInterval,
    (tallies) =>
      Effect.gen(function*() {
        const backend = yield* open("service", yield* chooseProvider(args.provider, SERVICE))
        const sink = yield* writeLines(args.to)
        yield* exportTo(backend, sink, { collections: args.collections, pageSize: args.pageSize }, tallies)
        yield* sink.close
      }),
    copyReport(false),
    true
  )).pipe(Command.withDescription("write every document (or those of --collections) to an NDJSON file"))

const countLines = (path: string) =>
  path === "-" ? Effect.succeed(undefined) : readLines(path).pipe(
    Stream.runFold(0, (n, line) => (typeof line === "string" && line.trim() === "" ? n : n + 1)),
    Effect.orElseSucceed(() => undefined)
  )

const importCommand = Command.make("import", {
  from: Options.text("from").pipe(Options.withDescription("NDJSON file to read (- for stdin; gunzip when it ends in .gz)")),
  provider: provider(SERVICE),
  mode,
  dryRun,
  collections,
  pageSize,
  progressInterval
}, (args) =>
  runReported(
    "import",
    args.progressInterval,
    (tallies) =>
      Effect.gen(function*() {
        const backend = yield* open("service", yield* chooseProvider(args.provider, SERVICE))
        const total = yield* countLines(args.from)
        yield* importFrom(backend, readLines(args.from), { ...args, total }, tallies)
      }),
    copyReport(args.dryRun)
  )).pipe(Command.withDescription("write the documents of an NDJSON file with the backend's bulk writes"))

const copyCommand = Command.make("copy", {
  fromProvider: provider(SOURCE),
  toProvider: provider(TARGET),
  mode,
  dryRun,
  collections,
  pageSize,
  progressInterval
}, (args) =>
  runReported(
    "copy",
    args.progressInterval,
    (tallies) =>
      Effect.gen(function*() {
        const { source, target } = yield* openBoth(args.fromProvider, args.toProvider)
        yield* copy(source, target, args, tallies)
      }),
    copyReport(args.dryRun)
  )).pipe(Command.withDescription("copy documents from the SOURCE_ backend to the TARGET_ backend; safe to run again"))

const verifyCommand = Command.make("verify", {
  fromProvider: provider(SOURCE),
  toProvider: provider(TARGET),
  collections,
  pageSize,
  progressInterval
}, (args) =>
  runReported(
    "verify",
    args.progressInterval,
    (_, diffs) =>
      Effect.gen(function*() {
        const { source, target } = yield* openBoth(args.fromProvider, args.toProvider)
        yield* verify(source, target, args, diffs)
      }),
    (_, diffs, finished) => ({ text: formatDiffs(diffs, finished), complete: identical(diffs) })
  )).pipe(Command.withDescription("compare source and target: counts, and every missing, extra or differing document"))

export const docport = Command.make("docport").pipe(
  Command.withDescription("export, import, copy and verify docport's documents between backends"),
  Command.withSubcommands([exportCommand, importCommand, copyCommand, verifyCommand])
)

export const run = Command.run(docport, { name: "docport", version: "0.1.0" })

/**
 * `deno task repro <experiment> [options]` — thin: parses, validates, then
 * imports and runs the action. Bad input: one line on stderr, exit status 2.
 *
 * @module
 */
import { parseArgs } from "node:util";

import {
  defaultSeeds,
  parseSeeds,
  parseShard,
  PROFILES,
  profileSettings,
  resolveConfig,
  shardFromEnvironment,
} from "./config/resolve.ts";
import { compactSeeds, pilotSeedWarning, protocol, protocolStanding } from "./config/protocol.ts";
import { suggestion, UsageError } from "./errors.ts";
import { IMAGE_PROFILES, type ProfileName } from "./config/experiments.ts";
import { DATASET_HELP } from "./run/data.ts";
import { listSome } from "./folder/result_folder.ts";
import { experimentNamed, experiments } from "./config/registry.ts";

/** The run settings `--set` accepts (every profile has the same keys), and those that are every arm's defaults. */
const RUN_SETTINGS = Object.keys(IMAGE_PROFILES.default);
const EMBEDDED: readonly string[] = ["mnist", "fashion-mnist"];
const ARM_DEFAULTS = ["batchSize", "width", "hidden", "dItersSchedule"];

const HELP = `wgan-bench repro: rerun the WGAN paper's experiments across seeds

Usage:
  deno task repro <experiment> [options]
  deno task repro path/to/study.toml [options]   (an experiment file: TOML, YAML or JSON; see --list)
  deno task repro merge <result-folder>... --out <folder> [--partial]
  deno task repro rebuild <published-folder> --out <folder>   (its tables again, from its rows)
  deno task repro --list

Options:
  --profile NAME     quick | default | paper (default: default)
  --seeds LIST       seeds to run, e.g. 20-25 or 0,3,7 (default profile: the protocol's verdict seeds, see
                     repro/protocol.toml; other profiles: the profile's count from 0; pilots: seeds >= 100);
                     each from 0 to 4294967295 (2^32 - 1), at most 10,000 in all
  --backend NAME     auto | native | cpu | wasm | webgpu | tensorflow (default: auto: tensorflow,
                     a real GPU, native (OpenBLAS), wasm, cpu — the first that starts)
  --set KEY=VALUE    override any setting or hyperparameter (repeatable), typed and checked:
                     run settings: ${RUN_SETTINGS.filter((k) => !ARM_DEFAULTS.includes(k)).join(", ")},
                       ${ARM_DEFAULTS.join(", ")} (the last four for every arm);
                     arm keys, for one arm (ARM.KEY) or every arm that has the key:
                       wgan.lr=1e-4, lambda=5, nCritic=10, critic.init=he, generator.hiddenLayers=3,
                       and optional ones an arm leaves out: wgan-div.points=interpolates
  --print-config     print the resolved configuration as an experiment file (TOML: every key --set
                     accepts but the optional ones left out; it runs as it is: deno task repro FILE) and exit
  --dataset SPEC     ${DATASET_HELP}
  --out DIR          result folder (default: out/<experiment id>-<profile>)
  --jobs N           run (arm, seed) pairs in N worker processes, cores split between them
                     (default: the number of cores for the single-threaded cpu and wasm backends, else 1;
                     at most the number of cores)
  --shard I/N        run only every N-th (arm, seed) pair starting at the I-th (default inside a Slurm
                     array: the task's rank; in a Kubernetes Indexed Job: JOB_COMPLETION_INDEX + 1 of
                     WGAN_BENCH_SHARDS)
  --fresh            start over: delete what wgan-bench wrote in the result folder (refused when the
                     folder holds anything else)
  --allow-mixed      continue a folder whose runs were computed with another backend, thread count
                     (--jobs) or numerics version (refused otherwise; each row records its own)
  --partial          (merge) merge what is finished even when some planned runs are missing or unfinished
  --sbatch N         print a Slurm job-array script that runs this command as N shards (one array task each,
                     its time limit from the measured cost), and the merge to run after; runs nothing
  --quiet            print only errors and the final verdicts
  --list             list experiments and their settings
  -h, --help         this help

Examples:
  deno task repro toy-8gaussians --profile quick
  deno task repro mnist-mlp --seeds 0-4 --jobs 2
  deno task repro mnist-dcgan --dataset fashion-mnist --set iterations=2000
  deno task repro mnist-mlp --shard 2/4 --out out/shard2   # then: deno task repro merge out/shard* --out out/all

Results: steps.csv, summary.csv, verdict.md and sample PNGs in the result folder.
Ctrl-C or SIGTERM (kill, a scheduler's time limit) stops after the current iteration with a checkpoint
(exit 130 or 143); interrupted runs continue from their last checkpoint when the same command is rerun.`;

const OPTIONS = {
  profile: { type: "string" },
  seeds: { type: "string" },
  backend: { type: "string" },
  set: { type: "string", multiple: true },
  dataset: { type: "string" },
  out: { type: "string" },
  shard: { type: "string" },
  jobs: { type: "string" },
  fresh: { type: "boolean" },
  "allow-mixed": { type: "boolean" },
  partial: { type: "boolean" },
  sbatch: { type: "string" },
  quiet: { type: "boolean" },
  list: { type: "boolean" },
  "print-config": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function listExperiments(): string {
  const lines = [
    "experiments (deno task repro <id>; each is a file in experiments/, and a file of your own runs the same way:",
    "deno task repro path/to/study.toml — copy one, see docs/experiment-files.md):",
    "",
  ];
  for (const e of experiments()) {
    const d = profileSettings(e, "default");
    lines.push(`  ${e.id.padEnd(24)} ${e.title}`);
    lines.push(
      `  ${"".padEnd(24)} arms: ${e.arms.map((a) => a.id).join(", ")}; default (${
        protocol().experiments[e.id] ? `protocol v${protocol().version}` : "not in the protocol yet: pilots only"
      }): ` +
        `seeds ${compactSeeds(defaultSeeds(e, "default", d))} × ${d.iterations} iterations; source: ${e.source}` +
        (e.data.kind === "image" && e.data.dataset && !EMBEDDED.includes(e.data.dataset)
          ? `; needs your ${e.data.dataset} files (--dataset ${e.data.dataset}:...)`
          : ""),
    );
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // node's unknown-option message goes on about positional arguments after "--": its first sentence says it all
    const first = String((e as Error).message).split("\n")[0];
    const msg = /^Unknown option '[^']*'/.exec(first)?.[0] ?? first;
    const flag = /'(--?[\w-]+)'/.exec(msg)?.[1];
    const hint = flag
      ? suggestion(flag.replace(/^-+/, ""), Object.keys(OPTIONS)).replace(/"(\w[\w-]*)"/, '"--$1"')
      : "";
    throw new UsageError(`${msg.replace(/\.$/, "")}${hint} (see --help)`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (v.list) {
    console.log(listExperiments());
    return 0;
  }
  if (positionals[0] === "merge") {
    if (!v.out) throw new UsageError("Cannot merge: --out <folder> is required");
    const { mergeResults } = await import("./publish/merge.ts");
    const r = await mergeResults(positionals.slice(1), v.out, { partial: v.partial });
    const { claims, missingFigures } = r;
    console.log(
      `merged ${r.runs} runs into ${v.out}` +
        (r.duplicates ? ` (${r.duplicates} found twice, identical, taken once)` : "") +
        (r.missing.length
          ? `; ${r.missing.length} planned runs missing (${listSome(r.missing)}` +
            `${r.unfinished.length ? `; ${r.unfinished.length} of them unfinished` : ""}): the tables are partial`
          : ""),
    );
    printClaims(claims);
    return await reportMissingFigures(v.out, missingFigures);
  }
  if (positionals[0] === "rebuild") {
    if (!v.out || positionals.length !== 2) {
      throw new UsageError("Cannot rebuild: name one published result folder and --out <folder>");
    }
    const { rebuildTables } = await import("./publish/rebuild.ts");
    const { claims, missingFigures } = await rebuildTables(positionals[1], v.out);
    console.log(`rebuilt the tables of ${positionals[1]} in ${v.out}`);
    printClaims(claims);
    return await reportMissingFigures(v.out, missingFigures);
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "Cannot run: name an experiment (see --list)"
        : `Cannot run: expected one experiment, got ${positionals.join(" ")}`,
    );
  }
  const experiment = await experimentNamed(positionals[0]);
  const profile = (v.profile ?? "default") as ProfileName;
  if (!PROFILES.includes(profile)) {
    throw new UsageError(
      `Cannot use profile "${profile}": unknown${suggestion(profile, PROFILES)} (choose ${PROFILES.join(", ")})`,
    );
  }
  const config = resolveConfig(experiment, profile, v.set ?? []);
  if (v["print-config"]) {
    const { experimentToml, printedProtocol } = await import("./config/experiment_file.ts");
    const entry = printedProtocol(experiment, config);
    const from = experiment.file
      ? `the [protocol] of ${experiment.file.path}`
      : `copied from repro/protocol.toml v${protocol().version} (fingerprint ${protocol().fingerprint})`;
    const set = (v.set ?? []).map((a) => ` --set ${a}`).join("");
    console.log(experimentToml(
      experiment,
      config,
      entry ? { entry, from } : null,
      `${experiment.file ? experiment.file.path : experiment.id}, profile ${profile}${set}, resolved by wgan-bench`,
    ));
    return 0;
  }
  const seeds = v.seeds ? parseSeeds(v.seeds) : defaultSeeds(experiment, profile, config.settings);
  const standing = protocolStanding(experiment, {
    seeds,
    iterations: config.settings.iterations,
    evalEvery: config.settings.evalEvery,
  });
  const warning = pilotSeedWarning(experiment, standing, seeds);
  if (warning && !v.quiet) console.error(warning);
  if (v.sbatch !== undefined) {
    if (!/^\d+$/.test(v.sbatch)) throw new UsageError(`Cannot use --sbatch "${v.sbatch}": expected a number of shards`);
    if (v.shard || v.jobs || v.fresh) {
      throw new UsageError(
        "Cannot combine --sbatch with --shard, --jobs or --fresh: the script gives each task its own",
      );
    }
    const { sbatchScript } = await import("./run/sbatch.ts");
    console.log(sbatchScript({
      experiment,
      profile,
      config,
      seeds,
      set: v.set ?? [],
      dataset: v.dataset,
      backend: v.backend ?? "native",
      out: v.out ?? `out/${experiment.id}-${profile}`,
      shards: Number(v.sbatch),
      root: new URL("..", import.meta.url).pathname.replace(/\/$/, ""),
      deno: Deno.execPath(),
    }));
    return 0;
  }
  const shard = v.shard ? parseShard(v.shard) : shardFromEnvironment(Deno.env.toObject()) ?? undefined;
  if (shard && shard.from !== "--shard" && !v.quiet) {
    console.error(`shard ${shard.index}/${shard.count}, from ${shard.from} (give --shard to choose another)`);
  }
  const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
  if (jobs !== undefined && !(/^\d+$/.test(v.jobs!) && jobs >= 1 && jobs <= 256)) {
    throw new UsageError(`Cannot use --jobs "${v.jobs}": expected a whole number from 1 to 256`);
  }
  const backend = v.backend ?? "auto";
  const { BACKEND_NAMES } = await import("../lib/backend/select.ts");
  if (!BACKEND_NAMES.includes(backend as never)) {
    throw new UsageError(
      `Cannot use backend "${backend}": unknown${suggestion(backend, BACKEND_NAMES)} (choose ${
        BACKEND_NAMES.join(", ")
      })`,
    );
  }
  // Ctrl-C (SIGINT) and SIGTERM (kill, scancel, a scheduler's time limit) alike: stop after this iteration with
  // a checkpoint, release the folder, exit 128 + the signal's number; the same signal again quits at once
  const controller = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => () => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (controller.signal.aborted) Deno.exit(code);
    stoppedBy = signal;
    console.error(
      `\n${signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"}: stopping after this iteration (checkpointing); ` +
        `${signal === "SIGINT" ? "press Ctrl-C again" : "send SIGTERM again"} to quit at once`,
    );
    controller.abort();
  };
  const listeners = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
  for (const [signal, listener] of Object.entries(listeners)) Deno.addSignalListener(signal as Deno.Signal, listener);
  // Under `deno task` (which sets INIT_CWD), this process is the task runner's child: if the runner is killed
  // (kill -9 of the pid a user sees), stop at the next iteration with a checkpoint instead of training on as an
  // orphan. Started directly (e.g. under nohup), nothing is watched.
  if (Deno.env.get("INIT_CWD") !== undefined) {
    const { watchParent } = await import("./folder/lock.ts");
    watchParent(Deno.ppid, () => {
      console.error("\nthe deno task process that started this run is gone: stopping after this iteration");
      controller.abort();
    });
  }
  const { runExperiment } = await import("./run/run.ts");
  const result = await runExperiment({
    experiment,
    profile,
    config,
    seeds,
    backend: backend as never,
    outDir: v.out ?? `out/${experiment.id}-${profile}`,
    dataset: v.dataset,
    shard,
    jobs,
    fresh: v.fresh,
    allowMixed: v["allow-mixed"],
    signal: controller.signal,
    quiet: v.quiet,
  });
  for (const [signal, listener] of Object.entries(listeners)) {
    Deno.removeSignalListener(signal as Deno.Signal, listener);
  }
  if (result.interrupted) return stoppedBy === "SIGTERM" ? 143 : 130;
  console.log(`\nresults in ${result.outDir}: steps.csv, summary.csv, verdict.md`);
  printClaims(result.claims);
  return await reportMissingFigures(result.outDir, result.missingFigures);
}

/** The exit status once the tables are written: 1, with one line naming them, when figures are missing. */
async function reportMissingFigures(
  outDir: string,
  missing: readonly { name: string; why: string }[],
): Promise<number> {
  if (!missing.length) return 0;
  const { missingFiguresMessage } = await import("./analysis/tables.ts");
  console.error(`error: ${missingFiguresMessage(outDir, missing)}`);
  return 1;
}

function printClaims(claims: { claim: string; ours: string; verdict: string }[]): void {
  for (const c of claims) console.log(`  [${c.verdict}] ${c.claim}: ${c.ours}`);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    const expected = e instanceof UsageError ||
      ["BackendUnavailableError", "DataFileError"].includes((e as Error).name) ||
      String((e as Error).message).startsWith("Cannot ");
    console.error(`error: ${String((e as Error).message).split("\n")[0]}`);
    if (!expected) console.error((e as Error).stack);
    Deno.exit(expected && e instanceof UsageError ? 2 : 1);
  }
}

export { main };

/**
 * The run plan: everything a command's runs share, resolved once by {@linkcode planRun} — configuration, backend,
 * threads per run, result folder, data set, environment record — and handed unchanged to the in-process path and,
 * as JSON, to every worker process. {@linkcode prepareRuns} turns a plan into what `runOne` needs (data, evaluator,
 * the run context) the same way in both places, and {@linkcode describeResolved} is what a worker reports back so
 * that the parent can check it resolved the same thing.
 *
 * @module
 */
import { cpus } from "node:os";
import { type BackendInfo, type BackendName, selectBackend } from "../../mod.ts";
import type { ExperimentSpec, ProfileName } from "../config/experiments.ts";
import { type RunConfig, type RunKey, type Shard, shardRuns } from "../config/resolve.ts";
import { describeEnvironment, type Environment } from "../folder/environment.ts";
import { exists } from "../folder/files.ts";
import { runDir } from "../folder/layout.ts";
import { checkClearable, checkWritableResultFolder, folderKind } from "../folder/result_folder.ts";
import { describeDifferences, differences, type Execution, execution } from "../folder/resume_key.ts";
import { UsageError } from "../errors.ts";
import { loadExperimentData } from "./data.ts";
import { createEvaluator } from "./evaluate.ts";
import { checkOutDir } from "../folder/lock.ts";
import type { RunContext } from "./run_one.ts";
import { findExperiment } from "../config/registry.ts";

/** Backends whose kernels run on one thread: as many workers as cores by default. */
const SINGLE_THREADED = new Set(["cpu", "wasm"]);

/** The default `--jobs`: the number of cores for a single-threaded backend, else 1. */
export function defaultJobs(backend: string): number {
  return SINGLE_THREADED.has(backend) ? Math.max(1, cpus().length) : 1;
}

/** Threads of each of `workers` worker processes: an equal share of the cores, at least 1. */
export function workerThreads(workers: number): number {
  return Math.max(1, Math.floor(cpus().length / workers));
}

/** What every run of one command shares; JSON-serialisable (a worker receives it on standard input). */
export interface RunPlan {
  experimentId: string;
  /** The experiment itself when it came from a user's file (a worker cannot look it up by id). */
  experimentSpec?: ExperimentSpec;
  profile: ProfileName;
  /** Settings and arms, resolved once (`resolveConfig`). */
  config: RunConfig;
  /** The backend selected (never "auto": every process uses this one). */
  backend: Exclude<BackendName, "auto">;
  /** CPU threads each run's kernels get (only the native backend's count changes numbers). */
  threads: number;
  outDir: string;
  dataset?: string;
  cacheDir: string;
  /** Continue runs whose rows were computed with another backend, device or hardware (`--allow-mixed`). */
  allowMixed: boolean;
  /** The environment record every row carries (commit, versions, hardware); a worker adds its own device. */
  environment: Environment;
}

/** What a command asks for (the CLI's flags, resolved). */
export interface PlanOptions {
  experiment: ExperimentSpec;
  profile: ProfileName;
  config: RunConfig;
  seeds: number[];
  backend: BackendName;
  outDir: string;
  dataset?: string;
  shard?: Shard;
  fresh?: boolean;
  cacheDir?: string;
  /** Worker processes for the (arm, seed) runs (default: cores for a single-threaded backend, else 1). */
  jobs?: number;
  allowMixed?: boolean;
}

/** A plan, with what {@linkcode planRun} learned about the folder and the machine on the way. */
export interface PlannedRun {
  plan: RunPlan;
  backend: BackendInfo;
  /** The resume key: what must match to continue in the folder. */
  identity: ReturnType<typeof resumeKey>;
  /** The folder's config.json when it holds runs this command continues (null: a new or `--fresh` folder). */
  previous: StoredFolderConfig | null;
  /** This command's (arm, seed) runs, and those of them not finished yet. */
  keys: RunKey[];
  unfinished: RunKey[];
  /** Worker processes asked for (at most the cores). */
  workers: number;
  execution: Execution;
  /** Execution changes accepted with `--allow-mixed`, oldest first. */
  mixed: { from: Partial<Execution>; to: Execution; at: string }[];
}

/** The parts of a result folder's config.json a plan reads. */
export interface StoredFolderConfig {
  identity: ReturnType<typeof resumeKey> & { execution?: Execution };
  seeds?: number[];
  mixed?: PlannedRun["mixed"];
  environment?: { backend?: string };
}

/** The part of the configuration that must match to continue in an existing folder. */
export function resumeKey(o: Pick<PlanOptions, "experiment" | "profile" | "config" | "dataset">) {
  // how many seeds a profile runs by default is not a property of any run: a folder grows by seeds
  const { seeds: _seeds, ...settings } = o.config.settings;
  return {
    experiment: o.experiment.id,
    profile: o.profile,
    settings,
    arms: o.config.arms,
    dataset: o.dataset ?? "default",
  };
}

/**
 * CPU threads each run's kernels get: with worker processes, cores/workers each (or `WGAN_BENCH_THREADS`, which
 * every process honours); in this process, what the backend uses. Only the native backend's count changes numbers.
 */
export function runThreads(backend: Pick<BackendInfo, "name" | "threads">, workers: number): number {
  if (backend.name !== "native") return backend.threads;
  const pinned = Deno.env.get("WGAN_BENCH_THREADS");
  if (pinned !== undefined) return Number(pinned);
  return workers > 1 ? workerThreads(workers) : backend.threads;
}

/** How to get back the execution a folder was made with, as flags (empty when no flag can). */
function matchingFlags(stored: Partial<Execution>, current: Execution): string[] {
  const flags: string[] = [];
  if (stored.backend !== undefined && stored.backend !== current.backend) flags.push(`--backend ${stored.backend}`);
  if (stored.threads !== undefined && stored.threads !== current.threads && current.backend === "native") {
    const cores = Math.max(1, cpus().length);
    flags.push(
      stored.threads === cores
        ? "--jobs 1"
        : cores % stored.threads === 0
        ? `--jobs ${cores / stored.threads}`
        : `WGAN_BENCH_THREADS=${stored.threads}`,
    );
  }
  return flags;
}

/** Refuses to continue a folder that holds runs of another configuration. */
function checkSameConfiguration(outDir: string, previous: StoredFolderConfig, id: ReturnType<typeof resumeKey>) {
  // folders written before the seed count left the identity carry it in their settings
  const { execution: _e, ...stored } = previous.identity;
  delete (stored.settings as { seeds?: unknown }).seeds;
  const diffs = differences(stored, id);
  if (diffs.length) {
    throw new UsageError(
      `Cannot continue in "${outDir}": it holds a run with other settings (folder's → this run's: ` +
        `${describeDifferences(diffs)}); use --fresh to start over or --out for another folder`,
    );
  }
}

/**
 * Resolves a command into its plan, refusing before any work what cannot be done: a folder that is not the
 * harness's, one that holds another configuration, runs that would continue under another execution (backend,
 * threads, tfjs, numerics) without `--allow-mixed`, an unavailable backend.
 */
export async function planRun(o: PlanOptions, log: (line: string) => void): Promise<PlannedRun> {
  checkOutDir(o.outDir);
  // never write into a folder wgan-bench did not make; with --fresh, never into one it could not empty whole
  if (o.fresh) checkClearable(o.outDir);
  else checkWritableResultFolder(o.outDir, "write results to");
  const identity = resumeKey(o);
  const stored: StoredFolderConfig | null = folderKind(o.outDir) === "results"
    ? JSON.parse(await Deno.readTextFile(`${o.outDir}/config.json`))
    : null;
  const previous = o.fresh ? null : stored;
  if (previous) checkSameConfiguration(o.outDir, previous, identity);
  const backend = await selectBackend(o.backend);
  const cores = Math.max(1, cpus().length);
  let workers = o.jobs ?? defaultJobs(backend.name);
  if (workers > cores) {
    // said even with --quiet: the run does not do what was asked
    console.error(`--jobs ${workers}: this machine has ${cores} cores; running ${cores} worker processes`);
    workers = cores;
  }
  const threads = runThreads(backend, workers);
  const exec = execution(backend.name, threads, backend.tfjsVersion);
  const keys = shardRuns(o.experiment, o.seeds, o.shard);
  // only runs still to train could mix: a folder whose runs are all done just has its tables rebuilt
  const unfinished: RunKey[] = [];
  for (const k of keys) if (!(await exists(`${runDir(o.outDir, k)}/done.json`))) unfinished.push(k);
  let mixed = previous?.mixed ?? [];
  // folders written before the execution was recorded: their backend is in the environment record
  const previousExec: Partial<Execution> | undefined = previous
    ? previous.identity.execution ?? { backend: previous.environment?.backend }
    : undefined;
  if (previousExec && unfinished.length) {
    const diffs = differences(previousExec, exec).filter((d) => d.stored !== undefined);
    if (diffs.length && !o.allowMixed) {
      const flags = matchingFlags(previousExec, exec);
      const show = (side: "stored" | "current") => diffs.map((d) => `${d.key} ${d[side]}`).join(", ");
      throw new UsageError(
        `Cannot continue in "${o.outDir}": its runs were computed with ${show("stored")}; this run would use ` +
          `${show("current")} (${flags.length ? `rerun with ${flags.join(" ")}, ` : ""}use --out for another ` +
          "folder, or --allow-mixed to continue here: each row records its backend and device)",
      );
    }
    if (diffs.length) {
      mixed = [...mixed, { from: previousExec, to: exec, at: new Date().toISOString() }];
      log(
        `--allow-mixed: continuing "${o.outDir}" with ${
          describeDifferences(diffs)
        }; each row records its own backend and device`,
      );
    }
  }
  const plan: RunPlan = {
    experimentId: o.experiment.id,
    ...(o.experiment.file ? { experimentSpec: o.experiment } : {}),
    profile: o.profile,
    config: o.config,
    backend: backend.name,
    threads,
    outDir: o.outDir,
    ...(o.dataset !== undefined ? { dataset: o.dataset } : {}),
    cacheDir: o.cacheDir ?? ".cache/wgan-bench",
    allowMixed: o.allowMixed ?? false,
    environment: await describeEnvironment(backend),
  };
  return { plan, backend, identity, previous, keys, unfinished, workers, execution: exec, mixed };
}

/** A plan made ready to train: the experiment, the data, the evaluator and the context `runOne` takes. */
export interface PreparedRuns {
  experiment: ExperimentSpec;
  backend: BackendInfo;
  context: Omit<RunContext, "signal" | "onIteration">;
}

/**
 * Loads what the plan's runs need — the same way in the parent and in each worker: the backend (already chosen),
 * the data, the evaluator (its image classifier trained and cached once, by the first caller).
 */
export async function prepareRuns(plan: RunPlan, log: (line: string) => void = () => {}): Promise<PreparedRuns> {
  const experiment = plan.experimentSpec ?? findExperiment(plan.experimentId);
  const backend = await selectBackend(plan.backend);
  const settings = plan.config.settings;
  const data = await loadExperimentData(experiment, settings, plan.dataset);
  const evaluator = await createEvaluator(experiment, settings, data, plan.cacheDir, log);
  return {
    experiment,
    backend,
    context: {
      experimentId: plan.experimentId,
      profile: plan.profile,
      iterations: settings.iterations,
      evalEvery: settings.evalEvery,
      logEvery: settings.logEvery,
      arms: plan.config.arms,
      data,
      evaluator,
      // the plan's record, with this process's device (a worker's thread count)
      env: { ...plan.environment, device: backend.device },
      outDir: plan.outDir,
      allowMixed: plan.allowMixed,
    },
  };
}

/**
 * What a process resolved from a plan, for comparison across processes: the configuration, the backend and the
 * threads its kernels use, the data, and the evaluator's columns.
 */
export function describeResolved(plan: RunPlan, prepared: PreparedRuns, inWorker: boolean) {
  const { data, evaluator } = prepared.context;
  return {
    experiment: plan.experimentId,
    profile: plan.profile,
    config: plan.config,
    backend: prepared.backend.name,
    // a worker's kernels run on the plan's threads; in the parent the plan says what they will be
    threads: inWorker ? runThreads(prepared.backend, 1) : plan.threads,
    data: {
      name: data.name,
      fit: data.fit.name,
      images: "count" in data.fit ? data.fit.count : null,
      sampleShape: data.sampleShape,
    },
    // (not the evaluator's calibrated numbers: a worker computes them on its own thread count, the same in every
    // worker, and the parent scores nothing when workers train)
    evaluator: { columns: evaluator.columns, primary: evaluator.primary },
  };
}

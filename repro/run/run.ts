/**
 * Runs an experiment: resolves the command into a run plan (`plan.ts`), prepares the data and evaluator, trains
 * every (arm, seed) of the shard — in this process or in worker processes, resuming or skipping what is already
 * there — and writes the tables.
 *
 * @module
 */
import type { RunKey } from "../config/resolve.ts";
import { writeAtomic } from "../folder/files.ts";
import { type RunRecord, stepColumns } from "../folder/layout.ts";
import { clearResultFolder, FOLDER_FORMAT } from "../folder/result_folder.ts";
import { protocolContext, type TableContext, writeTables } from "../analysis/tables.ts";
import type { FigureFailure } from "../analysis/figures.ts";
import type { ClaimResult } from "../analysis/claims.ts";
import { sweepTempFiles } from "../../lib/io/write_atomic.ts";
import { BACKEND_TIME_FACTOR, estimateSeconds, makespan, progressWeights, timeArms } from "./estimate.ts";
import { lockOutDirWaiting } from "../folder/lock.ts";
import {
  describeResolved,
  type PlannedRun,
  type PlanOptions,
  planRun,
  type PreparedRuns,
  prepareRuns,
} from "./plan.ts";
import { createProgress, formatSeconds, type Progress } from "./progress.ts";
import { runOne } from "./run_one.ts";
import { runInWorkers, timeInWorkers } from "./workers.ts";

export { runThreads } from "./plan.ts";

/** Options of {@linkcode runExperiment}: what to run (see `PlanOptions`), how to stop it, how much to say. */
export interface RunOptions extends PlanOptions {
  signal?: AbortSignal;
  quiet?: boolean;
}

/** What a run of the harness produced. */
export interface RunSummary {
  outDir: string;
  finished: number;
  interrupted: boolean;
  claims: ClaimResult[];
  /** Figures that could not be written (the run failed to finish its outputs). */
  missingFigures: FigureFailure[];
}

/** Runs the experiment and writes its tables into `outDir`. */
export async function runExperiment(o: RunOptions): Promise<RunSummary> {
  const log = (line: string) => {
    if (!o.quiet) console.error(line);
  };
  // everything that can fail on bad input happens before the result folder is touched
  const planned = await planRun(o, log);
  // trains (and caches) the image classifier once, before any worker needs it
  const prepared = await prepareRuns(planned.plan, log);
  // a run that is stopping (checkpointing after Ctrl-C, SIGTERM or its task's death) is waited for; a working one
  // refuses this one at once
  const lock = await lockOutDirWaiting(o.outDir, 60_000, { onlyStopping: true, log });
  const markStopping = () => lock.markStopping();
  o.signal?.addEventListener("abort", markStopping);
  if (o.signal?.aborted) markStopping();
  try {
    // temporary files of writes a killed process or a full disk interrupted (the last complete files stand)
    const swept = await sweepTempFiles(o.outDir);
    if (swept.length) log(`removed ${swept.length} temporary file(s) left by an interrupted write`);
    if (o.fresh) {
      const removed = clearResultFolder(o.outDir);
      if (removed) log(`--fresh: deleted ${removed} file(s) of the previous run in ${o.outDir}`);
    }
    const tables = await writeFolderConfig(o, planned, prepared);
    // a run that finished while this process waited for the lock is skipped by runOne (its done.json)
    const pending = o.fresh ? planned.keys : planned.unfinished;
    // worker lanes: never more than runs; a lone run still goes to a worker when it must get the workers' threads
    const lanes = Math.min(planned.workers, Math.max(pending.length, 1));
    const inWorkers = lanes > 1 || (planned.workers > 1 && planned.plan.threads !== planned.backend.threads);
    const weights = await announce(o, planned, prepared, pending, lanes, inWorkers, log);
    const progress = new RunProgress(weights, pending.length, prepared, o.quiet);
    const started = performance.now();
    const { finished, interrupted } = inWorkers
      ? await trainInWorkers(planned, prepared, pending, lanes, progress, weights.order, o.signal, log)
      : await trainHere(prepared, pending, progress, o.signal);
    progress.stop();
    if (finished === pending.length && finished > 0) {
      const took = (performance.now() - started) / 1000;
      log(
        `${finished} run(s) trained and evaluated in ${formatSeconds(took)} (estimated ~${
          formatSeconds(weights.seconds)
        }${
          weights.withEvaluation
            ? `: ${(took / weights.seconds).toFixed(2)}× the estimate`
            : ` of training, evaluation not included`
        })`,
      );
    }
    const { claims, missingFigures } = await writeTables(o.outDir, tables);
    return { outDir: o.outDir, finished, interrupted, claims, missingFigures };
  } finally {
    o.signal?.removeEventListener("abort", markStopping);
    lock.release();
  }
}

/** Writes the folder's config.json (what it is, what it holds, how it was computed); returns the tables' context. */
async function writeFolderConfig(o: RunOptions, planned: PlannedRun, prepared: PreparedRuns): Promise<TableContext> {
  const { previous, plan } = planned;
  const evaluator = prepared.context.evaluator;
  const seeds = [...new Set([...(previous?.seeds ?? []), ...o.seeds])].sort((a, b) => a - b);
  const tables: TableContext = {
    experiment: o.experiment,
    profile: o.profile,
    seeds,
    iterations: plan.config.settings.iterations,
    columns: stepColumns(evaluator),
    primary: evaluator.primary,
    coverage: evaluator.coverage?.column ?? null,
    ...protocolContext(o.experiment),
    evalEvery: plan.config.settings.evalEvery,
  };
  // a folder keeps the execution its runs were computed with until this run trains some
  const execution = previous && !planned.unfinished.length ? previous.identity.execution : planned.execution;
  const config = {
    format: FOLDER_FORMAT,
    identity: { ...planned.identity, execution },
    ...(planned.mixed.length ? { mixed: planned.mixed } : {}),
    seeds,
    // which shard of the plan this command ran, and who said so (--shard, or the scheduler's variable)
    ...(o.shard ? { shard: o.shard } : {}),
    // a user's file's experiment is recorded whole: merge, rebuild and resume read it from here
    tables: { ...tables, experiment: o.experiment.id, ...(o.experiment.file ? { experimentSpec: o.experiment } : {}) },
    environment: plan.environment,
    config: plan.config,
  };
  await writeAtomic(`${o.outDir}/config.json`, JSON.stringify(config, null, 2));
  return tables;
}

/**
 * Runs whose tables' estimate is longer than this are timed here before they start (`timeArms`): the tables hold
 * one machine's costs, and machines differ by 2× or more; a few seconds of timing buys an estimate of this one.
 */
const TIME_HERE_ABOVE_SECONDS = 600;
/** Seconds of timed iterations per arm (at least 2 iterations). */
const TIMING_SECONDS = 1;

/** The estimate's inputs for the pending runs: progress weights and the longest-first order. */
interface Weights extends ReturnType<typeof progressWeights> {
  order: RunKey[];
  /** The estimated time of the whole (announced with its basis)... */
  seconds: number;
  /** ...and whether it counts the evaluations (timed here) or training alone (the tables, or iterations only). */
  withEvaluation: boolean;
}

/**
 * Says what will run, where, and what it will cost (and, when native could not start, what it would cost there
 * and why it is missing); returns the progress weights.
 */
async function announce(
  o: RunOptions,
  planned: PlannedRun,
  prepared: PreparedRuns,
  pending: readonly RunKey[],
  lanes: number,
  inWorkers: boolean,
  log: (line: string) => void,
): Promise<Weights> {
  const { backend, keys } = planned;
  const { data, evaluator } = prepared.context;
  const settings = planned.plan.config.settings;
  if (
    backend.name === "webgpu" &&
    (backend.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|software/i.test(backend.device))
  ) {
    log(
      `warning: webgpu is running on a software adapter (${backend.device.split(" (")[0]}): it computes on the ` +
        "CPU, far slower than --backend native; the estimate below is measured on it",
    );
  }
  // the tables' estimate (the reference machine's costs); a long run, or a backend the tables do not cover, is timed
  // here instead: each arm at the runs' threads, in as many workers side by side as will train, with an evaluation
  const tables = { experiment: o.experiment, config: o.config };
  const tablesOnly = (name: string, n: number) => makespan(pending.map((k) => estimateSeconds(tables, k.arm, name)), n);
  // (a short run on such a backend: two iterations per arm in this process, as cheap as the estimate it replaces)
  const arms = [...new Set(pending.map((k) => k.arm))];
  const long = pending.length > 0 && tablesOnly(backend.name, lanes) > TIME_HERE_ABOVE_SECONDS;
  const measured = long
    ? inWorkers
      ? await timeInWorkers(planned.plan, arms, lanes, TIMING_SECONDS, o.signal)
      : await timeArms(o.config, arms, data, evaluator, TIMING_SECONDS)
    : pending.length > 0 && !(backend.name in BACKEND_TIME_FACTOR)
    ? await timeArms(o.config, arms, data, undefined, 0)
    : undefined;
  const input = { experiment: o.experiment, config: o.config, measured };
  const estimate = (name: string, n: number) =>
    makespan(pending.map((k) => estimateSeconds(name === backend.name ? input : tables, k.arm, name)), n);
  log(
    `${o.experiment.id} (${o.profile}): ${keys.length} runs (${keys.length - pending.length} already finished), ` +
      `${settings.iterations} generator iterations each, backend ${backend.name} [${backend.device}], ` +
      `data ${data.name}, out ${o.outDir}`,
  );
  for (const line of backend.skipped) log(`  (skipped ${line})`);
  if (pending.length) {
    const sideBySide = inWorkers && lanes > 1 ? `, in ${lanes} workers side by side` : "";
    log(
      measured?.evaluation
        ? `estimated time here with ${backend.name}: ~${formatSeconds(estimate(backend.name, lanes))}` +
          `${lanes > 1 ? ` with ${lanes} workers` : ""}, evaluations included (each arm's iterations and an ` +
          `evaluation timed just now at ${planned.plan.threads} thread(s)${sideBySide})`
        : `estimated training time ${
          measured ? `here with ${backend.name} (two iterations per arm timed just now)` : `on the reference ` +
            `2-core CPU with ${backend.name}`
        }: ~${formatSeconds(estimate(backend.name, lanes))}${lanes > 1 ? ` with ${lanes} workers` : ""} ` +
          `(plus evaluation)`,
    );
    // a slower backend than native because native could not start: what native would cost, and why it is not here
    const nativeSkipped = backend.skipped.find((line) => line.startsWith("native: "));
    if (backend.name !== "native" && nativeSkipped) {
      const nativeLanes = Math.min(navigator.hardwareConcurrency, Math.max(pending.length, 1));
      console.error(
        `the native backend would take ~${formatSeconds(estimate("native", nativeLanes))} (--jobs ${nativeLanes}); ` +
          `it is not available here: ${nativeSkipped.slice("native: ".length)}`,
      );
    }
  }
  for (const [k, v] of Object.entries(evaluator.info)) {
    log(`  ${k}: ${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`);
  }
  const order = [...pending].sort((a, b) =>
    estimateSeconds(input, b.arm, backend.name) - estimateSeconds(input, a.arm, backend.name)
  );
  return {
    ...progressWeights(input, pending, backend.name),
    order,
    seconds: estimate(backend.name, lanes),
    withEvaluation: measured?.evaluation !== undefined,
  };
}

/** Progress over the pending runs, in estimated seconds: runs in flight, runs done, one line per finished run. */
class RunProgress {
  #bar: Progress;
  #finishedWork = 0;
  #runsDone = 0;
  #inFlight = new Map<string, { key: RunKey; iteration: number }>();

  constructor(private weights: Weights, private runs: number, private prepared: PreparedRuns, quiet?: boolean) {
    this.#bar = createProgress(weights.totalWork, quiet);
  }

  /** A run in flight reached `iteration`. */
  update(key: RunKey, iteration: number): void {
    this.#inFlight.set(`${key.arm}/${key.seed}`, { key, iteration });
    let done = this.#finishedWork;
    for (const r of this.#inFlight.values()) done += this.weights.workDone(r.key, r.iteration);
    const running = [...this.#inFlight.values()].map((r) => `${r.key.arm} seed ${r.key.seed} at ${r.iteration}`);
    this.#bar.update(done, `${this.#runsDone}/${this.runs} runs done; ${running.join(", ")}`);
  }

  /** A run finished (`record`) or was interrupted (null). */
  done(key: RunKey, record: RunRecord | null): void {
    this.#inFlight.delete(`${key.arm}/${key.seed}`);
    if (!record) {
      this.#bar.log(`interrupted: ${key.arm} seed ${key.seed} checkpointed; rerun the same command to continue`);
      return;
    }
    const { iterations, evaluator } = this.prepared.context;
    this.#finishedWork += this.weights.workDone(key, iterations);
    this.#runsDone++;
    const q = (x: number | undefined) => x?.toFixed(4);
    this.#bar.log(
      `${key.arm} seed ${key.seed}: ${record.outcome}, final ${evaluator.primary} ${
        q(record.finalQuality[evaluator.primary])
      } (from ${q(record.initialQuality[evaluator.primary])}), ${record.trainSeconds.toFixed(0)}s training` +
        (record.evalSeconds !== undefined
          ? `, ${record.evalSeconds.toFixed(0)}s in ${record.evaluations} evaluations`
          : ""),
    );
  }

  stop(): void {
    this.#bar.stop();
  }
}

/** Trains the pending runs one after another in this process; stops at the first interruption. */
async function trainHere(
  prepared: PreparedRuns,
  pending: readonly RunKey[],
  progress: RunProgress,
  signal?: AbortSignal,
): Promise<{ finished: number; interrupted: boolean }> {
  let finished = 0;
  for (const key of pending) {
    const record = await runOne({
      ...prepared.context,
      signal,
      onIteration: (k, it) => progress.update(k, it),
    }, key);
    progress.done(key, record);
    if (!record) return { finished, interrupted: true };
    finished++;
  }
  return { finished, interrupted: false };
}

/** Trains the pending runs, longest first, in `lanes` worker processes given the plan unchanged. */
async function trainInWorkers(
  planned: PlannedRun,
  prepared: PreparedRuns,
  pending: readonly RunKey[],
  lanes: number,
  progress: RunProgress,
  order: readonly RunKey[],
  signal: AbortSignal | undefined,
  log: (line: string) => void,
): Promise<{ finished: number; interrupted: boolean }> {
  if (pending.length) log(`${lanes} worker process(es), ${planned.plan.threads} thread(s) each`);
  return await runInWorkers(
    planned.plan,
    order,
    { lanes, expected: describeResolved(planned.plan, prepared, false) },
    { onIteration: (key, it) => progress.update(key, it), onDone: (key, record) => progress.done(key, record) },
    signal,
  );
}

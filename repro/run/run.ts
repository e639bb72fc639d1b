/**
 * Runs an experiment: selects the backend, loads the data, builds the
 * evaluator, trains every (arm, seed) of the shard (resuming or skipping what
 * is already there), then writes the tables.
 *
 * @module
 */
import { type BackendInfo, type BackendName, criticIterations, selectBackend } from "../../mod.ts";
import { algorithmSpec, buildTrainer } from "../config/arms.ts";
import type { ExperimentSpec, ProfileName } from "../config/experiments.ts";
import { type RunConfig, type RunKey, shardRuns } from "../config/resolve.ts";
import { loadExperimentData } from "./data.ts";
import { createEvaluator } from "./evaluate.ts";
import { describeEnvironment } from "../folder/environment.ts";
import { exists, writeAtomic } from "../folder/files.ts";
import { createProgress, formatSeconds } from "./progress.ts";
import { runOne, type RunRecord } from "./run_one.ts";
import { defaultJobs, runInWorkers, workerThreads } from "./workers.ts";
import { cpus } from "node:os";
import { runDir, stepColumns } from "../folder/layout.ts";
import { type TableContext, writeTables } from "../analysis/tables.ts";
import type { FigureFailure } from "../analysis/figures.ts";
import {
  checkClearable,
  checkWritableResultFolder,
  clearResultFolder,
  FOLDER_FORMAT,
  folderKind,
} from "../folder/result_folder.ts";
import { describeDifferences, differences, type Execution, execution } from "../folder/resume_key.ts";
import type { ClaimResult } from "../analysis/claims.ts";
import { UsageError } from "../errors.ts";
import { checkOutDir, lockOutDirWaiting } from "./lock.ts";
import { sweepTempFiles } from "../../lib/io/write_atomic.ts";

/** Options of {@linkcode runExperiment}. */
export interface RunOptions {
  experiment: ExperimentSpec;
  profile: ProfileName;
  /** Settings and arms, resolved once (`resolveConfig`). */
  config: RunConfig;
  seeds: number[];
  backend: BackendName;
  outDir: string;
  dataset?: string;
  shard?: { index: number; count: number };
  fresh?: boolean;
  cacheDir?: string;
  signal?: AbortSignal;
  quiet?: boolean;
  /** Worker processes for the (arm, seed) runs (default: cores for a single-threaded backend, else 1). */
  jobs?: number;
  /** Continue a folder whose runs were computed with another backend, thread count or numerics version. */
  allowMixed?: boolean;
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

/** The part of the configuration that must match to continue in an existing folder. */
function identity(o: RunOptions) {
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
 * Time of a training iteration on a backend relative to wasm (the backend `secondsPerIteration` was
 * measured on), from whole runs on the reference 2-core machine: toy-8gaussians (quick profile, native
 * 1.6x wasm's iterations/s), the MLP bench steps (3-5x), and, with oneDNN convolutions, mnist-dcgan and
 * mnist-mlp at the default profile (width-16 DCGAN critic, 40 iterations without the Diters warm-up):
 * 86 and 68 ms per WGAN iteration against wasm's 310 and 230 (0.28, 0.30), 40 and 34 ms per GAN
 * iteration against 80 and 60 (0.5, 0.56). Backends without an entry are estimated with wasm's timings.
 */
export const BACKEND_TIME_FACTOR: Readonly<Record<string, { toy: number; mlp: number; conv: number }>> = {
  wasm: { toy: 1, mlp: 1, conv: 1 },
  native: { toy: 0.65, mlp: 0.4, conv: 0.35 },
};

/**
 * Training seconds of one run on the reference machine: the measured seconds per generator iteration
 * (with n_critic critic steps), scaled by the extra critic steps of the Diters warm-up, by the model
 * width relative to the default profile's, and by the backend's speed relative to wasm.
 */
export function estimateSeconds(
  o: Pick<RunOptions, "experiment" | "config"> & { measured?: Record<string, number> },
  armId: string,
  backend = "wasm",
): number {
  const arm = o.config.arms.find((a) => a.id === armId)!;
  const spec = algorithmSpec(arm);
  const s = o.config.settings;
  let steps = 0;
  for (let i = 0; i < s.iterations; i++) steps += criticIterations(spec, i) + 1;
  // measured here, on this backend, at these settings: no tables to scale
  const own = o.measured?.[armId];
  if (own !== undefined) return own * steps / (spec.nCritic + 1);
  const perIteration = o.experiment.secondsPerIteration[armId] ?? 0.1;
  const width = o.experiment.data.kind === "image" ? (s.width / 16) ** 2 : (s.hidden / 128) ** 2;
  const factors = BACKEND_TIME_FACTOR[backend] ?? BACKEND_TIME_FACTOR.wasm;
  const factor = o.experiment.data.kind === "toy"
    ? factors.toy
    : arm.generator.kind === "dcgan" || arm.critic.kind === "dcgan"
    ? factors.conv
    : factors.mlp;
  return perIteration * (steps / (spec.nCritic + 1)) * width * factor;
}

/**
 * Progress in estimated seconds: each run weighs its estimated training time, and within a run each generator
 * iteration weighs its critic steps + 1 (the Diters warm-up's first 25 iterations are ~20% of a 2,000-iteration
 * clipped run). `workDone(key, iteration)` is the work behind a run at an iteration; `totalWork` the sum of all.
 */
export function progressWeights(
  o: Pick<RunOptions, "experiment" | "config"> & { measured?: Record<string, number> },
  runs: readonly RunKey[],
  backend: string,
): { workDone: (key: RunKey, iteration: number) => number; totalWork: number } {
  const iterations = o.config.settings.iterations;
  const weights = new Map(runs.map((k) => {
    const spec = algorithmSpec(o.config.arms.find((a) => a.id === k.arm)!);
    const cumulative = [0];
    for (let i = 0; i < iterations; i++) cumulative.push(cumulative[i] + criticIterations(spec, i) + 1);
    return [`${k.arm}/${k.seed}`, { seconds: estimateSeconds(o, k.arm, backend), cumulative }];
  }));
  return {
    workDone(key, iteration) {
      const w = weights.get(`${key.arm}/${key.seed}`)!;
      const c = w.cumulative;
      return w.seconds * c[Math.min(iteration, c.length - 1)] / c[c.length - 1];
    },
    totalWork: [...weights.values()].reduce((s, w) => s + w.seconds, 0),
  };
}

/**
 * Seconds of one generator iteration (n_critic critic steps and a generator step, no warm-up) per arm, timed
 * on a throwaway trainer after one untimed iteration (kernel compilation, first allocations).
 */
async function measureIterations(
  config: RunOptions["config"],
  arms: readonly string[],
  data: Awaited<ReturnType<typeof loadExperimentData>>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of arms) {
    const arm = config.arms.find((a) => a.id === id)!;
    const trainer = buildTrainer({ ...arm, algorithm: { ...arm.algorithm, dItersSchedule: false } }, data.fit, 1);
    trainer.step();
    await trainer.stats();
    const start = performance.now();
    trainer.step();
    await trainer.stats();
    out[id] = (performance.now() - start) / 1000;
    trainer.dispose();
    trainer.generator.dispose();
    trainer.critic.dispose();
  }
  return out;
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

/** Runs the experiment and writes its tables into `outDir`. */
export async function runExperiment(o: RunOptions): Promise<RunSummary> {
  const log = (line: string) => {
    if (!o.quiet) console.error(line);
  };
  // Everything that can fail on bad input happens before the result folder is touched.
  checkOutDir(o.outDir);
  // never write into a folder wgan-bench did not make; with --fresh, never into one it could not empty whole
  if (o.fresh) checkClearable(o.outDir);
  else checkWritableResultFolder(o.outDir, "write results to");
  const configPath = `${o.outDir}/config.json`;
  const id = identity(o);
  const stored = folderKind(o.outDir) === "results" ? JSON.parse(await Deno.readTextFile(configPath)) : null;
  const previous = o.fresh ? null : stored;
  // folders written before the seed count left the identity carry it in their settings
  if (previous?.identity?.settings) delete previous.identity.settings.seeds;
  if (previous) {
    const { execution: _e, ...previousIdentity } = previous.identity;
    const diffs = differences(previousIdentity, id);
    if (diffs.length) {
      throw new UsageError(
        `Cannot continue in "${o.outDir}": it holds a run with other settings (folder's → this run's: ` +
          `${describeDifferences(diffs)}); use --fresh to start over or --out for another folder`,
      );
    }
  }
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
  let mixed: { from: Partial<Execution>; to: Execution; at: string }[] = previous?.mixed ?? [];
  // folders written before the execution was recorded: their backend is in the environment record
  const previousExec: Partial<Execution> | undefined = previous
    ? previous.identity.execution ?? { backend: previous.environment?.backend }
    : undefined;
  // only runs still to train could mix: a folder whose runs are all done just has its tables rebuilt
  const unfinished: RunKey[] = [];
  for (const k of shardRuns(o.experiment, o.seeds, o.shard)) {
    if (!(await exists(`${runDir(o.outDir, k)}/done.json`))) unfinished.push(k);
  }
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
  const env = await describeEnvironment(backend);
  const settings = o.config.settings;
  const data = await loadExperimentData(o.experiment, settings, o.dataset);
  const cacheDir = o.cacheDir ?? ".cache/wgan-bench";
  // trains (and caches) the image classifier once, before any worker needs it
  const evaluator = await createEvaluator(o.experiment, settings, data, cacheDir, log);

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
    const seeds = [...new Set([...(previous?.seeds ?? []), ...o.seeds])].sort((a, b) => a - b);
    const tables: TableContext = {
      experiment: o.experiment,
      profile: o.profile,
      seeds,
      iterations: settings.iterations,
      columns: stepColumns(evaluator),
      primary: evaluator.primary,
      coverage: evaluator.coverage?.column ?? null,
    };
    await writeAtomic(
      configPath,
      JSON.stringify(
        {
          format: FOLDER_FORMAT,
          // a folder keeps the execution its runs were computed with until this run trains some
          identity: { ...id, execution: previous && !unfinished.length ? previous.identity.execution : exec },
          ...(mixed.length ? { mixed } : {}),
          seeds,
          tables: { ...tables, experiment: o.experiment.id },
          environment: env,
          config: o.config,
        },
        null,
        2,
      ),
    );
    const keys = shardRuns(o.experiment, o.seeds, o.shard);
    // a run that finished while this process waited for the lock is skipped by runOne (its done.json)
    const pending = o.fresh ? keys : unfinished;
    // worker lanes: never more than runs; a lone run still goes to a worker when it must get the workers' threads
    const jobs = Math.min(workers, Math.max(pending.length, 1));
    const inWorkers = jobs > 1 || (workers > 1 && threads !== backend.threads);
    const software = backend.name === "webgpu" &&
      (backend.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|software/i.test(backend.device));
    if (software) {
      log(
        `warning: webgpu is running on a software adapter (${
          backend.device.split(" (")[0]
        }): it computes on the CPU, ` +
          "far slower than --backend native; the estimate below is measured on it",
      );
    }
    // backends the timing tables do not cover are timed here, one iteration per arm
    const timed = pending.length && !(backend.name in BACKEND_TIME_FACTOR)
      ? await measureIterations(o.config, [...new Set(pending.map((k) => k.arm))], data)
      : undefined;
    const withTimes = { ...o, measured: timed };
    // with workers: the longest-first schedule's makespan, at least the longest run
    const times = pending.map((k) => estimateSeconds(withTimes, k.arm, backend.name));
    const total = times.reduce((a, b) => a + b, 0);
    const estimate = jobs > 1 ? Math.max(total / jobs, ...times) : total;
    log(
      `${o.experiment.id} (${o.profile}): ${keys.length} runs (${keys.length - pending.length} already finished), ` +
        `${settings.iterations} generator iterations each, backend ${backend.name} [${backend.device}], ` +
        `data ${data.name}, out ${o.outDir}`,
    );
    for (const line of backend.skipped) log(`  (skipped ${line})`);
    if (pending.length) {
      const basis = timed
        ? `here with ${backend.name} (one iteration per arm timed just now)`
        : `on the reference 2-core CPU with ${backend.name}`;
      log(
        `estimated training time ${basis}: ~${formatSeconds(estimate)}` +
          `${jobs > 1 ? ` with ${jobs} workers` : ""} (plus evaluation)`,
      );
      // a slower backend than native because native could not start: what native would cost, and why it is not here
      const nativeSkipped = backend.skipped.find((line) => line.startsWith("native: "));
      if (backend.name !== "native" && nativeSkipped) {
        const nativeTimes = pending.map((k) => estimateSeconds(o, k.arm, "native"));
        const nativeTotal = nativeTimes.reduce((a, b) => a + b, 0);
        const nativeJobs = Math.min(cores, Math.max(pending.length, 1));
        const nativeEstimate = nativeJobs > 1 ? Math.max(nativeTotal / nativeJobs, ...nativeTimes) : nativeTotal;
        console.error(
          `the native backend would take ~${formatSeconds(nativeEstimate)} (--jobs ${nativeJobs}); it is not ` +
            `available here: ${nativeSkipped.slice("native: ".length)}`,
        );
      }
    }
    for (const [k, v] of Object.entries(evaluator.info)) {
      log(`  ${k}: ${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`);
    }

    const { workDone, totalWork } = progressWeights(withTimes, pending, backend.name);
    const progress = createProgress(totalWork, o.quiet);
    let finishedWork = 0, runsDone = 0;
    const reportDone = (key: RunKey, record: RunRecord) =>
      progress.log(
        `${key.arm} seed ${key.seed}: ${record.outcome}, final ${evaluator.primary} ${
          record.finalQuality[evaluator.primary]?.toFixed(4)
        } (from ${record.initialQuality[evaluator.primary]?.toFixed(4)}), ${record.trainSeconds.toFixed(0)}s training`,
      );
    const reportInterrupted = (key: RunKey) =>
      progress.log(`interrupted: ${key.arm} seed ${key.seed} checkpointed; rerun the same command to continue`);
    let finished = 0, interrupted = false;
    if (inWorkers) {
      if (pending.length) log(`${jobs} worker process(es), ${threads} thread(s) each`);
      // longest first, so that the slowest arm does not run alone at the end
      const ordered = [...pending].sort((a, b) =>
        estimateSeconds(withTimes, b.arm, backend.name) - estimateSeconds(withTimes, a.arm, backend.name)
      );
      const inFlight = new Map<string, { key: RunKey; iteration: number }>();
      const show = () => {
        let done = finishedWork;
        for (const r of inFlight.values()) done += workDone(r.key, r.iteration);
        const running = [...inFlight.values()].map((r) => `${r.key.arm} seed ${r.key.seed} at ${r.iteration}`);
        progress.update(done, `${runsDone}/${pending.length} runs done; ${running.join(", ")}`);
      };
      const result = await runInWorkers(
        {
          experimentId: o.experiment.id,
          profile: o.profile,
          config: o.config,
          backend: backend.name as BackendName,
          outDir: o.outDir,
          dataset: o.dataset,
          cacheDir,
          environment: env,
          allowMixed: o.allowMixed ?? false,
        },
        ordered,
        { lanes: jobs, threads },
        {
          onIteration(key, iteration) {
            inFlight.set(`${key.arm}/${key.seed}`, { key, iteration });
            show();
          },
          onDone(key, record) {
            inFlight.delete(`${key.arm}/${key.seed}`);
            if (record) {
              finishedWork += workDone(key, settings.iterations);
              runsDone++;
              reportDone(key, record);
            } else reportInterrupted(key);
            show();
          },
        },
        o.signal,
      );
      finished = result.finished;
      interrupted = result.interrupted;
    } else {
      for (let i = 0; i < pending.length; i++) {
        const key = pending[i];
        const record = await runOne({
          experimentId: o.experiment.id,
          profile: o.profile,
          iterations: settings.iterations,
          evalEvery: settings.evalEvery,
          logEvery: settings.logEvery,
          arms: o.config.arms,
          data,
          evaluator,
          env,
          outDir: o.outDir,
          allowMixed: o.allowMixed ?? false,
          signal: o.signal,
          onIteration: (k, it) =>
            progress.update(
              finishedWork + workDone(k, it),
              `${runsDone}/${pending.length} runs done; ${k.arm} seed ${k.seed} at ${it}/${settings.iterations}`,
            ),
        }, key);
        if (!record) {
          interrupted = true;
          reportInterrupted(key);
          break;
        }
        finished++;
        finishedWork += workDone(key, settings.iterations);
        runsDone++;
        reportDone(key, record);
      }
    }
    progress.stop();
    const { claims, missingFigures } = await writeTables(o.outDir, tables);
    return { outDir: o.outDir, finished, interrupted, claims, missingFigures };
  } finally {
    o.signal?.removeEventListener("abort", markStopping);
    lock.release();
  }
}

/**
 * Trains one arm from one seed, resumably, on the library's `train()` loop:
 * rows and a checkpoint are written atomically at every evaluation point, a
 * rerun continues from the last checkpoint (dropping rows logged after it),
 * and a finished run is skipped.
 *
 * @module
 */
import { Rng, train, type Trainer } from "../../mod.ts";
import type { ProfileName } from "../config/experiments.ts";
import type { ExperimentData } from "./data.ts";
import type { Evaluator, Quality } from "./evaluate.ts";
import type { Environment } from "../folder/environment.ts";
import type { RunKey } from "../config/resolve.ts";
import { type ArmConfig, buildTrainer } from "../config/arms.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { exists, readCsvIfExists, type Row, toCsv, writeAtomic } from "../folder/files.ts";
import { classifyOutcome, lastEvaluations } from "../folder/outcome.ts";
import { UsageError } from "../errors.ts";
import { labelPng, pngSize, sampleGridPng, scatterPng, surfacePng } from "../analysis/sample_grids.ts";
import { valueSurface } from "../../lib/metrics/mod.ts";

/** A fixed-generator run's value-surface pictures: pixels per side and the half-width of the square they cover. */
const SURFACE_SIDE = 256, SURFACE_RANGE = 2.5;
import { provenanceCells, runDir, type RunRecord, statCells, stepColumns } from "../folder/layout.ts";

export type { Outcome } from "../folder/outcome.ts";

export type { RunRecord } from "../folder/layout.ts";

/** Everything a run needs besides its key. */
export interface RunContext {
  experimentId: string;
  profile: ProfileName;
  /** Generator iterations per run. */
  iterations: number;
  evalEvery: number;
  logEvery: number;
  arms: readonly ArmConfig[];
  data: ExperimentData;
  evaluator: Evaluator;
  env: Environment;
  outDir: string;
  /** Resume a run whose rows were computed with another backend, device, hardware or tfjs (`--allow-mixed`). */
  allowMixed?: boolean;
  signal?: AbortSignal;
  /** Called after every generator iteration (after that iteration's rows and checkpoint are written). */
  onIteration?: (key: RunKey, iteration: number) => void;
}

/** What the checkpoint carries besides the trainer state. */
interface Extra {
  trainSeconds: number;
  initialQuality: Quality;
  /** Quality at the last evaluation (so a run resumed after its final checkpoint reports it). */
  lastQuality: Quality;
  diverged?: boolean;
  /** Seconds spent in evaluations and their checkpoints, and their count (absent in checkpoints before #27). */
  evalSeconds?: number;
  evaluations?: number;
}

/** Runs (or resumes, or skips) one arm × seed; returns its record, or null when interrupted. */
export async function runOne(ctx: RunContext, key: RunKey): Promise<RunRecord | null> {
  const dir = runDir(ctx.outDir, key);
  const donePath = `${dir}/done.json`;
  if (await exists(donePath)) return JSON.parse(await Deno.readTextFile(donePath));
  await Deno.mkdir(dir, { recursive: true });
  const arm = ctx.arms.find((a) => a.id === key.arm)!;
  const columns = stepColumns(ctx.evaluator);
  const stepsPath = `${dir}/steps.csv`, ckptPath = `${dir}/checkpoint.bin`;
  const base = { experiment: ctx.experimentId, profile: ctx.profile, arm: key.arm, seed: key.seed };
  const provenance = provenanceCells(ctx.env, ctx.data.name);
  const checkpoint = await loadCheckpoint<Extra>(ckptPath);
  const kept = checkpoint
    ? (await readCsvIfExists(stepsPath)).filter((r) => Number(r.step) <= checkpoint.trainer.generatorIteration)
    : [];
  if (kept.length && !ctx.allowMixed) checkSameExecution(kept[kept.length - 1], provenance, key, dir);
  await writeAtomic(`${dir}/config.json`, JSON.stringify({ ...key, ...arm, id: undefined }, null, 2));
  const trainer = buildTrainer(arm, ctx.data.fit, key.seed);

  let toyReference: Float32Array | undefined;
  const evaluate = async (step: number) => {
    const { quality, samples, diagnostics } = await ctx.evaluator.evaluate(trainer, key.seed);
    const image = ctx.data.sampleShape.length === 3;
    const fixed = trainer.fixedGenerator !== null;
    toyReference ??= image ? undefined : ctx.data.fit.sampler(new Rng(7).fork("plot-real")).next(512);
    const raw = image ? sampleGridPng(samples, ctx.data.sampleShape) : fixed
      ? surfacePng(
        await valueSurface(trainer.critic, SURFACE_SIDE, SURFACE_RANGE),
        SURFACE_SIDE,
        toyReference!,
        SURFACE_RANGE,
      )
      : scatterPng(samples, toyReference!);
    const { width, height } = pngSize(raw);
    const png = labelPng(
      raw,
      width,
      height,
      `${ctx.experimentId} · ${key.arm} · seed ${key.seed} · iteration ${step}`,
      image
        ? "fixed evaluation noise"
        : fixed
        ? `the critic's value over [−${SURFACE_RANGE}, ${SURFACE_RANGE}]² (blue low, yellow high) · dots: real`
        : "orange: generated · grey: real",
    );
    await writeAtomic(`${dir}/samples-${String(step).padStart(6, "0")}.png`, png);
    return { quality, diagnostics };
  };

  let rows: Row[];
  let extra: Extra;
  if (checkpoint) {
    trainer.setState(checkpoint.trainer);
    extra = checkpoint.extra;
    rows = kept;
  } else {
    const started = performance.now();
    const { quality: initialQuality, diagnostics } = await evaluate(0);
    extra = {
      trainSeconds: 0,
      initialQuality,
      lastQuality: initialQuality,
      evalSeconds: (performance.now() - started) / 1000,
      evaluations: 1,
    };
    rows = [{ ...base, step: 0, ...initialQuality, ...diagnostics, wall_time_s: 0, ...provenance }];
  }

  const persist = async () => {
    await writeAtomic(stepsPath, toCsv(rows, columns));
    await saveCheckpoint<Extra>(ckptPath, { trainer: await trainer.getState(), extra });
  };

  const startSeconds = extra.trainSeconds;
  let last = { row: rows[rows.length - 1], iteration: trainer.generatorIteration, seconds: 0 };
  try {
    if (!extra.diverged) {
      const result = await train(trainer, {
        iterations: Math.max(0, ctx.iterations - trainer.generatorIteration),
        logEvery: ctx.logEvery,
        evalEvery: ctx.evalEvery,
        signal: ctx.signal,
        onLog: (stats, p) => {
          extra.trainSeconds = startSeconds + p.trainSeconds;
          const row: Row = {
            ...base,
            ...statCells(stats),
            wall_time_s: Number(extra.trainSeconds.toFixed(3)),
            // training throughput since the previous row (evaluation time excluded)
            iterations_per_s: Number(((p.iteration - last.iteration) / (p.trainSeconds - last.seconds)).toFixed(4)),
            ...provenance,
          };
          rows.push(row);
          last = { row, iteration: p.iteration, seconds: p.trainSeconds };
        },
        onEval: async (p) => {
          const started = performance.now();
          const { quality, diagnostics } = await evaluate(p.iteration);
          extra.lastQuality = quality;
          Object.assign(last.row, quality, diagnostics);
          // counted before the checkpoint that carries it is written (its own write time is left out)
          extra.evalSeconds = (extra.evalSeconds ?? 0) + (performance.now() - started) / 1000;
          extra.evaluations = (extra.evaluations ?? 0) + 1;
          await persist();
        },
        onIteration: (p) => ctx.onIteration?.(key, p.iteration),
      });
      if (result.aborted) {
        await persist();
        return null;
      }
      if (result.diverged) {
        extra.diverged = true;
        extra.lastQuality = Object.fromEntries(ctx.evaluator.columns.map((c) => [c, NaN]));
        Object.assign(last.row, extra.lastQuality);
        await persist();
      }
    }
  } finally {
    disposeAll(trainer);
  }
  const lastQuality = extra.lastQuality;
  const window = extra.diverged ? [lastQuality] : lastEvaluations(
    rows.filter((r) => Number(r.step) > 0),
    ctx.evaluator.columns,
    ctx.evaluator.primary,
    ctx.evaluator.outcomeRules.window,
  );
  const record: RunRecord = {
    arm: key.arm,
    seed: key.seed,
    outcome: classifyOutcome(ctx.evaluator.outcomeRules, extra.initialQuality, window, extra.diverged ?? false),
    iterations: trainer.generatorIteration,
    initialQuality: extra.initialQuality,
    finalQuality: lastQuality,
    outcomeWindow: window,
    trainSeconds: extra.trainSeconds,
    ...(extra.evalSeconds !== undefined ? { evalSeconds: extra.evalSeconds, evaluations: extra.evaluations } : {}),
    evaluator: ctx.evaluator.info,
  };
  await writeAtomic(donePath, JSON.stringify(record, null, 2));
  await Deno.remove(ckptPath).catch(() => {});
  return record;
}

/** The columns of a row that say how its numbers were computed: a resumed run must keep them. */
const EXECUTION_COLUMNS = ["backend", "device", "hardware_id", "tfjs"] as const;

/**
 * Fails in one line when the rows a run resumes after were computed otherwise than this process would continue
 * (another backend, thread count, BLAS, machine or tfjs): the run would mix numbers from two executions.
 */
function checkSameExecution(last: Record<string, string>, now: Row, key: RunKey, dir: string): void {
  const diffs = EXECUTION_COLUMNS.filter((c) => last[c] !== undefined && last[c] !== String(now[c]));
  if (!diffs.length) return;
  throw new UsageError(
    `Cannot resume ${key.arm} seed ${key.seed} in "${dir}": its rows were computed with ` +
      diffs.map((c) => `${c} "${last[c]}"`).join(", ") + `, this process has ` +
      diffs.map((c) => `"${now[c]}"`).join(", ") +
      " (rerun it where and as it ran, or pass --allow-mixed to continue; each row records its own)",
  );
}

function disposeAll(trainer: Trainer): void {
  trainer.dispose();
  if (!trainer.fixedGenerator) trainer.generator.dispose();
  trainer.critic.dispose();
}

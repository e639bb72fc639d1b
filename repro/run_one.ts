/**
 * Trains one arm from one seed, resumably: rows and a checkpoint are written
 * atomically at every evaluation point, a rerun continues from the last
 * checkpoint (dropping rows logged after it), and a finished run is skipped.
 *
 * @module
 */
import {
  algorithm,
  dcganCritic,
  dcganGenerator,
  type ImageSize,
  isFiniteStats,
  type IterationStats,
  mlpCritic,
  mlpGenerator,
  type Model,
  Rng,
  Trainer,
} from "../mod.ts";
import type { ArmSpec, ExperimentSpec, ModelSpec, ProfileName, Settings } from "./experiments.ts";
import type { ExperimentData } from "./data.ts";
import type { Evaluator, Quality } from "./evaluate.ts";
import type { Environment } from "./environment.ts";
import type { RunKey } from "./config.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { exists, readCsvIfExists, type Row, toCsv, writeAtomic } from "./files.ts";
import { sampleGridPng, scatterPng } from "./pictures.ts";

/** How a run ended. */
export type Outcome = "converged" | "collapsed" | "diverged" | "failed";

/** The record written to `done.json` when a run finishes. */
export interface RunRecord {
  arm: string;
  seed: number;
  outcome: Outcome;
  iterations: number;
  initialQuality: Quality;
  finalQuality: Quality;
  trainSeconds: number;
  evaluator: Record<string, number | string>;
}

/** Everything a run needs besides its key. */
export interface RunContext {
  experiment: ExperimentSpec;
  profile: ProfileName;
  settings: Settings;
  data: ExperimentData;
  evaluator: Evaluator;
  env: Environment;
  outDir: string;
  signal?: AbortSignal;
  onIteration?: (key: RunKey, iteration: number) => void;
}

/** Columns of steps.csv before the quality columns. */
const STAT_COLUMNS = [
  "experiment",
  "profile",
  "arm",
  "seed",
  "step",
  "critic_iterations",
  "critic_loss",
  "wasserstein_estimate",
  "d_real",
  "d_fake",
  "loss_difference",
  "generator_loss",
  "penalty",
] as const;

/** Columns of steps.csv after the quality columns. */
const PROVENANCE_COLUMNS = [
  "wall_time_s",
  "iterations_per_s",
  "dataset",
  "backend",
  "device",
  "hardware_id",
  "deno",
  "tfjs",
  "commit",
] as const;

/** All steps.csv columns for an evaluator. */
export function stepColumns(evaluator: Pick<Evaluator, "columns">): string[] {
  return [...STAT_COLUMNS, ...evaluator.columns, ...PROVENANCE_COLUMNS];
}

/** Where a run keeps its files. */
export function runDir(outDir: string, key: RunKey): string {
  return `${outDir}/runs/${key.arm}/seed-${key.seed}`;
}

function buildModel(
  spec: ModelSpec,
  role: "generator" | "critic",
  ctx: RunContext,
  seed: number,
): Model {
  const shape = ctx.data.sampleShape;
  const s = ctx.settings;
  if (spec.kind === "mlp") {
    const common = {
      seed,
      hidden: s.hidden,
      hiddenLayers: spec.hiddenLayers,
      activation: spec.activation,
      init: spec.init,
    };
    return role === "generator"
      ? mlpGenerator({ ...common, noiseDim: ctx.experiment.noiseDim, outputShape: shape })
      : mlpCritic({ ...common, inputShape: shape });
  }
  const image = { seed, imageSize: shape[0] as ImageSize, channels: shape[2], width: s.width };
  return role === "generator"
    ? dcganGenerator({ ...image, noiseDim: ctx.experiment.noiseDim, batchNorm: spec.batchNorm, filters: spec.filters })
    : dcganCritic({ ...image, norm: spec.norm });
}

/** The trainer of an arm for a seed (models, algorithm with the run's settings). */
function buildTrainer(ctx: RunContext, arm: ArmSpec, seed: number): Trainer {
  const root = new Rng(seed);
  const spec = algorithm(arm.algorithm, {
    ...arm.overrides,
    batchSize: ctx.settings.batchSize,
    dItersSchedule: arm.algorithm === "wgan" ? ctx.settings.dItersSchedule : false,
  });
  return new Trainer({
    generator: buildModel(arm.generator, "generator", ctx, root.fork("generator-init").nextUint32()),
    critic: buildModel(arm.critic, "critic", ctx, root.fork("critic-init").nextUint32()),
    algorithm: spec,
    data: ctx.data.train,
    seed: root.fork("train").nextUint32(),
  });
}

function classify(ctx: RunContext, initial: Quality, final: Quality, diverged: boolean): Outcome {
  if (diverged) return "diverged";
  // Collapsed: the samples that are good concentrate on fewer than half the modes (a run with no good
  // samples at all has not collapsed, it has failed to train).
  const cov = ctx.evaluator.coverage;
  if (cov && final[cov.column] >= 1 && final[cov.column] < cov.modes / 2) return "collapsed";
  const p = ctx.evaluator.primary;
  return final[p] <= 0.5 * initial[p] ? "converged" : "failed";
}

interface Extra {
  trainSeconds: number;
  initialQuality: Quality;
}

/** Runs (or resumes, or skips) one arm × seed; returns its record, or null when interrupted. */
export async function runOne(ctx: RunContext, key: RunKey): Promise<RunRecord | null> {
  const dir = runDir(ctx.outDir, key);
  const donePath = `${dir}/done.json`;
  if (await exists(donePath)) return JSON.parse(await Deno.readTextFile(donePath));
  await Deno.mkdir(dir, { recursive: true });
  const arm = ctx.experiment.arms.find((a) => a.id === key.arm)!;
  const trainer = buildTrainer(ctx, arm, key.seed);
  const columns = stepColumns(ctx.evaluator);
  const stepsPath = `${dir}/steps.csv`, ckptPath = `${dir}/checkpoint.bin`;
  const s = ctx.settings;
  let rows: Row[];
  let extra: Extra;
  const base = { experiment: ctx.experiment.id, profile: ctx.profile, arm: key.arm, seed: key.seed };
  const provenance = {
    dataset: ctx.data.name,
    backend: ctx.env.backend,
    device: ctx.env.device,
    hardware_id: ctx.env.hardware_id,
    deno: ctx.env.deno,
    tfjs: ctx.env.tfjs,
    commit: ctx.env.commit,
  };

  let toyReference: Float32Array | undefined;
  const evaluate = async (step: number) => {
    const { quality, samples } = await ctx.evaluator.evaluate(trainer, key.seed);
    const png = ctx.data.sampleShape.length === 3
      ? sampleGridPng(samples, ctx.data.sampleShape)
      : scatterPng(samples, toyReference ??= ctx.data.train.sampler(new Rng(7).fork("plot-real")).next(512));
    await writeAtomic(`${dir}/samples-${String(step).padStart(6, "0")}.png`, png);
    return quality;
  };

  const checkpoint = await loadCheckpoint<Extra>(ckptPath);
  if (checkpoint) {
    trainer.setState(checkpoint.trainer);
    extra = checkpoint.extra;
    const step = checkpoint.trainer.generatorIteration;
    rows = (await readCsvIfExists(stepsPath)).filter((r) => Number(r.step) <= step);
  } else {
    const initialQuality = await evaluate(0);
    extra = { trainSeconds: 0, initialQuality };
    rows = [{ ...base, step: 0, ...initialQuality, wall_time_s: 0, ...provenance }];
  }

  const persist = async () => {
    await writeAtomic(stepsPath, toCsv(rows, columns));
    await saveCheckpoint<Extra>(ckptPath, { trainer: await trainer.getState(), extra });
  };

  let lastStats: IterationStats | null = null;
  let diverged = false;
  let windowStart = performance.now(), windowIter = trainer.generatorIteration;
  let lastQuality: Quality = extra.initialQuality;
  try {
    while (trainer.generatorIteration < s.iterations) {
      if (ctx.signal?.aborted) {
        await persist();
        return null;
      }
      const t0 = performance.now();
      trainer.step();
      const it = trainer.generatorIteration;
      const isEval = it % s.evalEvery === 0 || it === s.iterations;
      if (it % s.logEvery === 0 || isEval) {
        lastStats = await trainer.stats();
        extra.trainSeconds += (performance.now() - t0) / 1000;
        const now = performance.now();
        const row: Row = {
          ...base,
          step: it,
          critic_iterations: lastStats.criticIterations,
          critic_loss: lastStats.criticLoss,
          wasserstein_estimate: lastStats.wassersteinEstimate,
          d_real: lastStats.dReal,
          d_fake: lastStats.dFake,
          loss_difference: lastStats.dReal - lastStats.dFake,
          generator_loss: lastStats.generatorLoss,
          penalty: lastStats.penalty,
          wall_time_s: Number(extra.trainSeconds.toFixed(3)),
          iterations_per_s: Number(((it - windowIter) / ((now - windowStart) / 1000)).toFixed(4)),
          ...provenance,
        };
        windowStart = now;
        windowIter = it;
        diverged = !isFiniteStats(lastStats);
        if (isEval || diverged) {
          const evalStart = performance.now();
          lastQuality = diverged ? Object.fromEntries(ctx.evaluator.columns.map((c) => [c, NaN])) : await evaluate(it);
          Object.assign(row, lastQuality);
          windowStart += performance.now() - evalStart; // evaluation time is not training throughput
        }
        rows.push(row);
        if (isEval || diverged) await persist();
        if (diverged) break;
      } else {
        extra.trainSeconds += (performance.now() - t0) / 1000;
      }
      ctx.onIteration?.(key, it);
    }
  } finally {
    trainer.dispose();
    trainer.generator.dispose();
    trainer.critic.dispose();
  }
  const record: RunRecord = {
    arm: key.arm,
    seed: key.seed,
    outcome: classify(ctx, extra.initialQuality, lastQuality, diverged),
    iterations: trainer.generatorIteration,
    initialQuality: extra.initialQuality,
    finalQuality: lastQuality,
    trainSeconds: extra.trainSeconds,
    evaluator: ctx.evaluator.info,
  };
  await writeAtomic(donePath, JSON.stringify(record, null, 2));
  await Deno.remove(ckptPath).catch(() => {});
  return record;
}

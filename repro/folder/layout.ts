/**
 * The on-disk layout of a result folder: where each run keeps its files and
 * the columns of `steps.csv` (one self-describing row per logged step).
 *
 * @module
 */
import type { IterationStats } from "../../mod.ts";
import type { Environment } from "./environment.ts";
import type { RunKey } from "../config/resolve.ts";
import type { Row } from "./files.ts";
import type { Outcome, Quality } from "./outcome.ts";

/** The record written to a run's `done.json` when it finishes (read back by the analysis). */
export interface RunRecord {
  arm: string;
  seed: number;
  outcome: Outcome;
  iterations: number;
  initialQuality: Quality;
  /** The last evaluation's quality. */
  finalQuality: Quality;
  /** The last evaluations the outcome was judged on (up to `OUTCOME_WINDOW`; absent in records before #25). */
  outcomeWindow?: Quality[];
  trainSeconds: number;
  /**
   * Seconds spent evaluating (sampling, scoring, diagnostics, the sample picture; not the checkpoint), and how many
   * evaluations: absent in records before issue #27.
   */
  evalSeconds?: number;
  evaluations?: number;
  evaluator: Record<string, number | string>;
}

/** The figures a result folder holds (written by the analysis, next to its tables). */
export const FIGURES = ["loss_curves.png", "quality_curves.png", "quality_vs_time.png", "loss_vs_quality.png"];

/** The figures of the critic-structure claims (WGAN-GP Fig. 1b), drawn in folders of experiments that judge them. */
export const LAYER_FIGURES = ["layer_gradients.png", "weight_histograms.png"];

/** Columns of steps.csv before the quality columns. */
export const STAT_COLUMNS = [
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
  "critic_update_cosine",
] as const;

/** Columns of steps.csv after the quality columns. */
export const PROVENANCE_COLUMNS = [
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

/** All steps.csv columns for an evaluator's quality columns. */
export function stepColumns(evaluator: { readonly columns: readonly string[] }): string[] {
  return [...STAT_COLUMNS, ...evaluator.columns, ...DIAGNOSTIC_COLUMNS, ...PROVENANCE_COLUMNS];
}

/**
 * Diagnostics at evaluation steps, space-separated lists, input side first (empty for a critic that hides its layers;
 * folders written before a column existed lack it):
 * - `critic_inactive_real` / `_fake`: per hidden layer, the share of units inactive on a batch of held-out real
 *   samples and on a batch of those generated ones ("0.000 0.031 1.000");
 * - `critic_grad_norm`: ‖∂L/∂a_k‖ for the input and each hidden layer's activations on those two batches, L the
 *   critic loss without penalty (`activationGradientNorms`; WGAN-GP Fig. 1b);
 * - `critic_weight_max`, `critic_weight_extreme`: per layer (the output layer last), the largest |w| and the share of
 *   weights at ≥ 0.99 of it (clipping piles weights up at ±c);
 * - `critic_weight_histogram`: all layers' weights over the largest |w|, as shares of 20 bins over [−1, 1]
 *   (`weightStatistics`).
 */
export const DIAGNOSTIC_COLUMNS = [
  "critic_inactive_real",
  "critic_inactive_fake",
  "critic_grad_norm",
  "critic_weight_max",
  "critic_weight_extreme",
  "critic_weight_histogram",
];

/** Where a run keeps its files. */
export function runDir(outDir: string, key: RunKey): string {
  return `${outDir}/runs/${key.arm}/seed-${key.seed}`;
}

/** The provenance cells of every row of a run. */
export function provenanceCells(env: Environment, dataset: string): Row {
  return {
    dataset,
    backend: env.backend,
    device: env.device,
    hardware_id: env.hardware_id,
    deno: env.deno,
    tfjs: env.tfjs,
    commit: env.commit,
  };
}

/** The statistics cells of a logged step. */
export function statCells(s: IterationStats): Row {
  return {
    step: s.generatorIteration,
    critic_iterations: s.criticIterations,
    critic_loss: s.criticLoss,
    wasserstein_estimate: s.wassersteinEstimate,
    d_real: s.dReal,
    d_fake: s.dFake,
    loss_difference: s.dReal - s.dFake,
    generator_loss: s.generatorLoss,
    penalty: s.penalty,
    critic_update_cosine: Number.isFinite(s.criticUpdateCosine) ? s.criticUpdateCosine : "",
  };
}

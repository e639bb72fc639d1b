/**
 * What one finished run says: Correlation: for each run, the Wasserstein estimate is median-filtered over
 * the rows logged since the previous evaluation (as the official README
 * median-filters its curves) and paired with the quality metric at each
 * evaluation; Spearman and Pearson are computed per run and averaged over
 * seeds, and, because two curves that merely both fall correlate on levels,
 * Spearman on step-to-step changes and with the iteration partialled out.
 * Lower quality values are better (W1, fd_lenet), so a loss that tracks
 * quality gives a POSITIVE correlation (both fall together).
 *
 * @module
 */
import type { RunRecord } from "../folder/layout.ts";
import { median, pearson, spearman } from "./stats.ts";
import { differencedSpearman, partialSpearman } from "./inference.ts";

/**
 * A run's quality has moved when its best evaluation is at least this fraction better than its first (step 0):
 * correlations over a run whose quality never moves measure nothing and are left out of tracking claims. (The
 * protocol states the same value as `statistics.quality_moved`; rules v1 used this constant.)
 */
export const QUALITY_MOVED = 0.1;

/** The protocol's numbers a run's analysis uses (`repro/protocol.toml` [statistics]). */
export interface RunAnalysisRules {
  quality_moved: number;
  last_fraction: number;
  still_improving_gain: number;
  relapse_factor: number;
  spike_mads: number;
}

/** Rows before a logged estimate that a spike is judged against. */
export const SPIKE_WINDOW = 20;

/** Per-run numbers derived from its rows. */
export interface RunAnalysis {
  arm: string;
  seed: number;
  spearman: number;
  pearson: number;
  /** Spearman ρ of step-to-step changes of the estimate and of quality (a shared trend does not count). */
  spearmanChanges: number;
  /** Spearman ρ of estimate and quality with the iteration partialled out. */
  spearmanPartial: number;
  /** Whether quality moved (best evaluation ≥ {@linkcode QUALITY_MOVED} better than step 0's). */
  qualityMoved: boolean;
  evalPoints: number;
  /** What the correlations read: the estimate (−loss_D) or the negative critic loss with its penalty. */
  plotted: "estimate" | "negative-critic-loss";
  /** The (filtered estimate, quality) pairs the correlations were computed from, with their step. */
  pairs: { step: number; estimate: number; quality: number }[];
  /** Quality at the end: the median of the primary column over the evaluations the outcome was judged on. */
  endQuality: number;
  /**
   * Quality at every evaluation (step 0 included) with the training seconds behind it (`wall_time_s`, evaluation time
   * excluded): the curve per iteration and per second of wall clock (WGAN-GP Fig. 3).
   */
  curve: { step: number; seconds: number; quality: number }[];
  /**
   * Still improving at the horizon: the median of the last quarter of evaluations better than the quarter's before
   * by more than `still_improving_gain` of the gain so far (false for a run that never improved).
   */
  stillImproving: boolean;
  /**
   * The worst relapse: the largest ratio of a 3-evaluation running median of quality to the best earlier running
   * median, counted once quality has moved (1 when it never got worse; NaN when it never moved).
   */
  worstRelapse: number;
  /** Whether the worst relapse reached `relapse_factor`. */
  relapsed: boolean;
  /** Logged estimates further than `spike_mads` median absolute deviations from the median of the 20 rows before. */
  spikes: number;
  /**
   * The share of logged critic updates whose cosine with the gradient's descent direction is negative (NaN when the
   * rows do not record `critic_update_cosine`), and the smallest such cosine.
   */
  negativeCosineShare: number;
  minCosine: number;
  /**
   * How the critic's activation-gradient norms (`critic_grad_norm`) change from layer to layer, going back from the
   * output toward the input: decades per layer (> 0 exploding, < 0 vanishing), the median over the last
   * `last_fraction` of evaluations of each evaluation's least-squares slope ({@linkcode gradientGrowth}); NaN
   * without the column.
   */
  gradientGrowth: number;
  /** The most layers whose gradient underflowed to 0 in float32 at one of those evaluations (vanished outright). */
  underflowLayers: number;
  /**
   * The share of the critic's weights at the extremes of their layer's range (`critic_weight_extreme`, median over
   * layers), the median over the same evaluations; NaN without the column.
   */
  weightsAtExtremes: number;
  record: RunRecord;
  iterationsPerSecond: number;
}

/** The default analysis rules: the protocol's values at the time rules v2 were written. */
export const DEFAULT_RUN_RULES: RunAnalysisRules = {
  quality_moved: QUALITY_MOVED,
  last_fraction: 0.25,
  still_improving_gain: 0.1,
  relapse_factor: 1.25,
  spike_mads: 8,
};

/** Running median over `k` values (the first k − 1 entries use what there is). */
function runningMedian(values: readonly number[], k: number): number[] {
  return values.map((_, i) => median(values.slice(Math.max(0, i - k + 1), i + 1)));
}

/**
 * Whether quality (lower is better; `initial` at step 0, then `q` at each evaluation) was still improving over the
 * last `fraction` of the evaluations by more than `gain` of the improvement so far.
 */
export function stillImproving(initial: number, q: readonly number[], fraction: number, gain: number): boolean {
  const k = Math.max(2, Math.ceil(fraction * q.length));
  if (q.length < 2 * k) return false;
  const last = median(q.slice(-k)), before = median(q.slice(-2 * k, -k));
  const soFar = initial - last;
  return soFar > 0 && before - last > gain * soFar;
}

/** The worst relapse of a quality curve (see {@linkcode RunAnalysis.worstRelapse}). */
export function worstRelapse(initial: number, q: readonly number[], moved: number): number {
  const smooth = runningMedian(q, 3);
  let best = Infinity, worst = NaN;
  for (const r of smooth) {
    if (best <= (1 - moved) * initial) worst = Math.max(Number.isFinite(worst) ? worst : 1, r / best);
    best = Math.min(best, r);
  }
  return worst;
}

/** Spikes of a logged series (see {@linkcode RunAnalysis.spikes}). */
export function countSpikes(x: readonly number[], mads: number, window = SPIKE_WINDOW): number {
  let n = 0;
  for (let i = window; i < x.length; i++) {
    const before = x.slice(i - window, i);
    const m = median(before);
    const mad = median(before.map((v) => Math.abs(v - m)));
    if (mad > 0 && Math.abs(x[i] - m) > mads * mad) n++;
  }
  return n;
}

/**
 * The growth of gradient norms per layer going back from the output to the input: minus the least-squares slope of
 * log10‖∂L/∂a_k‖ on k (k = 0 the input, then each hidden layer), over the layers whose norm is not 0, in decades per
 * layer; and how many layers underflowed to 0 (their gradient vanished outright). NaN with fewer than two layers left.
 */
export function gradientGrowth(norms: readonly number[]): { growth: number; underflow: number } {
  const points = norms.flatMap((g, k) => (g > 0 && Number.isFinite(g) ? [[k, Math.log10(g)]] : []));
  const underflow = norms.filter((g) => g === 0).length;
  if (points.length < 2) return { growth: NaN, underflow };
  const kx = points.reduce((a, [k]) => a + k, 0) / points.length;
  const ly = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const slope = points.reduce((a, [k, y]) => a + (k - kx) * (y - ly), 0) /
    points.reduce((a, [k]) => a + (k - kx) ** 2, 0);
  return { growth: -slope, underflow };
}

/**
 * Quality at `seconds` of training on a run's curve: the last evaluation at or before it (what the run had reached by
 * then; NaN before its first evaluation after step 0, or when the curve has no time).
 */
export function qualityAtSeconds(curve: RunAnalysis["curve"], seconds: number): number {
  let q = NaN;
  for (const p of curve) {
    if (p.step > 0 && Number.isFinite(p.seconds) && p.seconds <= seconds) q = p.quality;
  }
  return q;
}

/** A space-separated list cell (the per-layer diagnostics) as numbers (empty or absent: none). */
export const listCell = (cell: string | undefined) =>
  (cell ?? "").trim() === "" ? [] : cell!.trim().split(/\s+/).map(Number);

/** Pairs the filtered estimate with quality at each evaluation (step 0 excluded: no estimate yet). */
export function analyseRun(
  rows: readonly Record<string, string>[],
  record: RunRecord,
  primary: string,
  rules: RunAnalysisRules = DEFAULT_RUN_RULES,
  /**
   * The quantity the paper plots: "estimate" (WGAN: −loss_D without a penalty, the `wasserstein_estimate` column; the
   * standard GAN's −D loss) or "negative-critic-loss" (WGAN-GP: the negative critic loss with its penalty, −`critic_loss`).
   */
  plotted: "estimate" | "negative-critic-loss" = "estimate",
): RunAnalysis {
  const sorted = [...rows].sort((a, b) => Number(a.step) - Number(b.step));
  const estimates: number[] = [], quality: number[] = [], steps: number[] = [];
  const logged: number[] = [], cosines: number[] = [], evaluated: number[] = [];
  let window: number[] = [];
  const initial = record.initialQuality?.[primary] ?? NaN;
  for (const r of sorted) {
    const step = Number(r.step);
    const value = plotted === "estimate" ? r.wasserstein_estimate : r.critic_loss;
    if (step > 0 && value !== "" && value !== undefined) {
      const v = plotted === "estimate" ? Number(value) : -Number(value);
      window.push(v);
      logged.push(v);
    }
    if (step > 0 && r.critic_update_cosine !== undefined && r.critic_update_cosine !== "") {
      cosines.push(Number(r.critic_update_cosine));
    }
    if (step > 0 && r[primary] !== "" && r[primary] !== undefined) evaluated.push(Number(r[primary]));
    if (step > 0 && r[primary] !== "" && r[primary] !== undefined) {
      const q = Number(r[primary]);
      const w = median(window);
      if (Number.isFinite(q) && Number.isFinite(w)) {
        estimates.push(w);
        quality.push(q);
        steps.push(step);
      }
      window = [];
    }
  }
  const moved = quality.some((q) => q <= (1 - rules.quality_moved) * initial);
  const relapse = worstRelapse(initial, evaluated, rules.quality_moved);
  const window_ = record.outcomeWindow?.map((q) => q[primary]) ?? [record.finalQuality?.[primary]];
  const finiteCos = cosines.filter(Number.isFinite);
  // the critic's per-layer diagnostics over the last `last_fraction` of its evaluations (step 0 excluded)
  const diagnosed = sorted.filter((r) => Number(r.step) > 0 && listCell(r.critic_grad_norm).length > 0);
  const late = diagnosed.slice(-Math.max(1, Math.ceil(rules.last_fraction * diagnosed.length)));
  const growths = late.map((r) => gradientGrowth(listCell(r.critic_grad_norm)));
  const extremes = late.map((r) => median(listCell(r.critic_weight_extreme))).filter(Number.isFinite);
  return {
    arm: record.arm,
    seed: record.seed,
    plotted,
    spearman: spearman(estimates, quality),
    pearson: pearson(estimates, quality),
    spearmanChanges: differencedSpearman(estimates, quality),
    spearmanPartial: partialSpearman(estimates, quality, steps),
    qualityMoved: moved,
    evalPoints: estimates.length,
    pairs: estimates.map((estimate, i) => ({ step: steps[i], estimate, quality: quality[i] })),
    endQuality: median(window_.map(Number)),
    curve: sorted.filter((r) => r[primary] !== "" && r[primary] !== undefined).map((r) => ({
      step: Number(r.step),
      seconds: Number(r.wall_time_s),
      quality: Number(r[primary]),
    })),
    stillImproving: stillImproving(initial, evaluated, rules.last_fraction, rules.still_improving_gain),
    worstRelapse: moved ? relapse : NaN,
    relapsed: moved && relapse >= rules.relapse_factor,
    spikes: countSpikes(logged.filter(Number.isFinite), rules.spike_mads),
    negativeCosineShare: finiteCos.length ? finiteCos.filter((c) => c < 0).length / finiteCos.length : NaN,
    minCosine: finiteCos.length ? Math.min(...finiteCos) : NaN,
    gradientGrowth: diagnosed.length ? median(growths.map((g) => g.growth).filter(Number.isFinite)) : NaN,
    underflowLayers: growths.reduce((m, g) => Math.max(m, g.underflow), 0),
    weightsAtExtremes: extremes.length ? median(extremes) : NaN,
    record,
    iterationsPerSecond: record.trainSeconds > 0 ? record.iterations / record.trainSeconds : NaN,
  };
}

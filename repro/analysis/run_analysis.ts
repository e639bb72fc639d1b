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
 * correlations over a run whose quality never moves measure nothing and are left out of tracking claims.
 */
export const QUALITY_MOVED = 0.1;

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
  /** The (filtered estimate, quality) pairs the correlations were computed from. */
  pairs: { estimate: number; quality: number }[];
  record: RunRecord;
  iterationsPerSecond: number;
}

/** Pairs the filtered estimate with quality at each evaluation (step 0 excluded: no estimate yet). */
export function analyseRun(rows: readonly Record<string, string>[], record: RunRecord, primary: string): RunAnalysis {
  const sorted = [...rows].sort((a, b) => Number(a.step) - Number(b.step));
  const estimates: number[] = [], quality: number[] = [], steps: number[] = [];
  let window: number[] = [];
  const initial = record.initialQuality?.[primary] ?? NaN;
  for (const r of sorted) {
    const step = Number(r.step);
    if (step > 0 && r.wasserstein_estimate !== "") window.push(Number(r.wasserstein_estimate));
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
  return {
    arm: record.arm,
    seed: record.seed,
    spearman: spearman(estimates, quality),
    pearson: pearson(estimates, quality),
    spearmanChanges: differencedSpearman(estimates, quality),
    spearmanPartial: partialSpearman(estimates, quality, steps),
    qualityMoved: quality.some((q) => q <= (1 - QUALITY_MOVED) * initial),
    evalPoints: estimates.length,
    pairs: estimates.map((estimate, i) => ({ estimate, quality: quality[i] })),
    record,
    iterationsPerSecond: record.trainSeconds > 0 ? record.iterations / record.trainSeconds : NaN,
  };
}

/**
 * What one finished run says: Correlation: for each run, the Wasserstein estimate is median-filtered over
 * the rows logged since the previous evaluation (as the official README
 * median-filters its curves) and paired with the quality metric at each
 * evaluation; Spearman and Pearson are computed per run and averaged over
 * seeds. Lower quality values are better (W1, FID), so a loss that tracks
 * quality gives a POSITIVE correlation (both fall together).
 *
 * @module
 */
import type { RunRecord } from "../folder/layout.ts";
import { median, pearson, spearman } from "./stats.ts";

/** Per-run numbers derived from its rows. */
export interface RunAnalysis {
  arm: string;
  seed: number;
  spearman: number;
  pearson: number;
  evalPoints: number;
  /** The (filtered estimate, quality) pairs the correlations were computed from. */
  pairs: { estimate: number; quality: number }[];
  record: RunRecord;
  iterationsPerSecond: number;
}

/** Pairs the filtered estimate with quality at each evaluation (step 0 excluded: no estimate yet). */
export function analyseRun(rows: readonly Record<string, string>[], record: RunRecord, primary: string): RunAnalysis {
  const sorted = [...rows].sort((a, b) => Number(a.step) - Number(b.step));
  const estimates: number[] = [], quality: number[] = [];
  let window: number[] = [];
  for (const r of sorted) {
    const step = Number(r.step);
    if (step > 0 && r.wasserstein_estimate !== "") window.push(Number(r.wasserstein_estimate));
    if (step > 0 && r[primary] !== "" && r[primary] !== undefined) {
      const q = Number(r[primary]);
      const w = median(window);
      if (Number.isFinite(q) && Number.isFinite(w)) {
        estimates.push(w);
        quality.push(q);
      }
      window = [];
    }
  }
  return {
    arm: record.arm,
    seed: record.seed,
    spearman: spearman(estimates, quality),
    pearson: pearson(estimates, quality),
    evalPoints: estimates.length,
    pairs: estimates.map((estimate, i) => ({ estimate, quality: quality[i] })),
    record,
    iterationsPerSecond: record.trainSeconds > 0 ? record.iterations / record.trainSeconds : NaN,
  };
}

/**
 * Per-arm aggregates over seeds and the rows of `summary.csv`.
 *
 * @module
 */
import type { ExperimentSpec } from "../config/experiments.ts";
import type { RunAnalysis } from "./run_analysis.ts";
import { correlationMeanCi, type MeanCi, meanCi, median, positiveMeanCi } from "./stats.ts";
import { type Outcome, OUTCOMES } from "../folder/outcome.ts";
import type { Row } from "../folder/files.ts";

/** Columns of summary.csv. */
export const SUMMARY_COLUMNS = [
  "experiment",
  "profile",
  "arm",
  "algorithm",
  "seeds",
  "quality_metric",
  "spearman_mean",
  "spearman_ci95",
  "spearman_lo",
  "spearman_hi",
  "pearson_mean",
  "pearson_ci95",
  "quality_moved_runs",
  "spearman_changes_median",
  "spearman_partial_median",
  "spearman_median",
  "final_quality_median",
  "final_quality_min",
  "final_quality_max",
  "still_improving_runs",
  "relapsed_runs",
  "spikes_median",
  "negative_cosine_share_median",
  "final_quality_mean",
  "final_quality_ci95",
  "final_quality_runs",
  "coverage_metric",
  "coverage_mean",
  "coverage_ci95",
  "converged_share",
  "collapsed_share",
  "not_trained_share",
  "failed_share",
  "blew_up_share",
  "diverged_share",
  "iterations_per_s_mean",
  "iterations_per_s_ci95",
  "hardware_id",
  "backend",
  "commit",
] as const;

/** Per-arm aggregate used by the summary and the verdicts. */
export interface ArmSummary {
  arm: string;
  seeds: number;
  spearman: MeanCi;
  /** Each seed's Spearman ρ. */
  spearmanValues: number[];
  pearson: MeanCi;
  /** Runs whose quality moved and did not blow up or diverge: the ones a tracking claim can read. */
  qualityMovedRuns: number;
  /** Median over those runs of Spearman ρ on step-to-step changes, and with the iteration partialled out. */
  spearmanChangesMedian: number;
  spearmanPartialMedian: number;
  /** Median per-seed Spearman ρ on levels. */
  spearmanMedian: number;
  /** End quality (median over the outcome window) of the runs that did not blow up or diverge: median, min, max. */
  endQuality: { median: number; min: number; max: number };
  /** Runs still improving at the horizon, runs that relapsed (Adam claim), median spikes, median negative-cosine share. */
  stillImprovingRuns: number;
  /** Median over runs of the coverage column's final value, and of iterations per second. */
  coverageMedian: number;
  throughputMedian: number;
  relapsedRuns: number;
  spikesMedian: number;
  negativeCosineShareMedian: number;
  /** Final quality over the runs whose quality is a number to average (not blown up, not diverged). */
  finalQuality: MeanCi;
  /** How many runs `finalQuality` averages. */
  finalQualityRuns: number;
  coverage: MeanCi;
  shares: Record<Outcome, number>;
  throughput: MeanCi;
  /** Fewest evaluation points of any run (correlations need several). */
  evalPoints: number;
}

/** Aggregates the analyses of each arm that has a finished run. */
export function summariseArms(
  experiment: ExperimentSpec,
  analyses: readonly RunAnalysis[],
  primary: string,
  coverageColumn: string | null,
): ArmSummary[] {
  return experiment.arms.filter((arm) => analyses.some((a) => a.arm === arm.id)).map((arm) => {
    const runs = analyses.filter((a) => a.arm === arm.id);
    const ends = runs.filter((r) => r.record.outcome !== "blew-up" && r.record.outcome !== "diverged")
      .map((r) => r.endQuality).filter(Number.isFinite);
    const share = (o: string) => runs.length ? runs.filter((r) => r.record.outcome === o).length / runs.length : NaN;
    const moved = runs.filter((r) =>
      r.qualityMoved && r.record.outcome !== "blew-up" && r.record.outcome !== "diverged"
    );
    const averaged = runs.filter((r) =>
      r.record.outcome !== "blew-up" && r.record.outcome !== "diverged" &&
      Number.isFinite(r.record.finalQuality[primary])
    );
    return {
      arm: arm.id,
      seeds: runs.length,
      spearman: correlationMeanCi(runs.map((r) => r.spearman)),
      spearmanValues: runs.map((r) => r.spearman),
      pearson: correlationMeanCi(runs.map((r) => r.pearson)),
      qualityMovedRuns: moved.length,
      spearmanChangesMedian: median(moved.map((r) => r.spearmanChanges)),
      spearmanPartialMedian: median(moved.map((r) => r.spearmanPartial)),
      spearmanMedian: median(runs.map((r) => r.spearman)),
      endQuality: {
        median: median(ends),
        min: ends.length ? Math.min(...ends) : NaN,
        max: ends.length ? Math.max(...ends) : NaN,
      },
      stillImprovingRuns: runs.filter((r) => r.stillImproving).length,
      coverageMedian: median(coverageColumn ? runs.map((r) => r.record.finalQuality[coverageColumn]) : []),
      throughputMedian: median(runs.map((r) => r.iterationsPerSecond)),
      relapsedRuns: runs.filter((r) => r.relapsed).length,
      spikesMedian: median(runs.map((r) => r.spikes)),
      negativeCosineShareMedian: median(runs.map((r) => r.negativeCosineShare)),
      finalQuality: meanCi(averaged.map((r) => r.record.finalQuality[primary])),
      finalQualityRuns: averaged.length,
      coverage: meanCi(coverageColumn ? runs.map((r) => r.record.finalQuality[coverageColumn]) : []),
      shares: Object.fromEntries(OUTCOMES.map((o) => [o, share(o)])) as Record<Outcome, number>,
      throughput: positiveMeanCi(runs.map((r) => r.iterationsPerSecond)),
      evalPoints: runs.length ? Math.min(...runs.map((r) => r.evalPoints)) : 0,
    };
  });
}

const round = (x: number, digits = 4) => Number.isFinite(x) ? Number(x.toPrecision(digits)) : NaN;

/** Rows of summary.csv. */
export function summaryRows(
  experiment: ExperimentSpec,
  profile: string,
  arms: readonly ArmSummary[],
  context: {
    primary: string;
    coverage: string | null;
    hardwareId: string;
    backend: string;
    commit: string;
    /**
     * Rules v2 report no interval over seeds: the correlations' Fisher-z intervals cap at |ρ| = 0.9999 and the
     * final-quality t-interval assumes what bimodal outcomes are not; their cells stay empty (medians, ranges and the
     * verdicts' exact tests stand instead). Rules v1 folders keep them as published.
     */
    noIntervals?: boolean;
  },
): Row[] {
  const interval = (x: number) => context.noIntervals ? "" : round(x);
  return arms.map((a) => ({
    experiment: experiment.id,
    profile,
    arm: a.arm,
    algorithm: experiment.arms.find((x) => x.id === a.arm)!.algorithm,
    seeds: a.seeds,
    quality_metric: context.primary,
    spearman_mean: round(a.spearman.mean),
    spearman_ci95: interval(a.spearman.ci95),
    spearman_lo: interval(a.spearman.lo),
    spearman_hi: interval(a.spearman.hi),
    pearson_mean: round(a.pearson.mean),
    pearson_ci95: interval(a.pearson.ci95),
    quality_moved_runs: a.qualityMovedRuns,
    spearman_changes_median: round(a.spearmanChangesMedian),
    spearman_partial_median: round(a.spearmanPartialMedian),
    spearman_median: round(a.spearmanMedian),
    final_quality_median: round(a.endQuality.median),
    final_quality_min: round(a.endQuality.min),
    final_quality_max: round(a.endQuality.max),
    still_improving_runs: a.stillImprovingRuns,
    relapsed_runs: a.relapsedRuns,
    spikes_median: round(a.spikesMedian),
    negative_cosine_share_median: round(a.negativeCosineShareMedian),
    final_quality_mean: round(a.finalQuality.mean),
    final_quality_ci95: interval(a.finalQuality.ci95),
    final_quality_runs: a.finalQualityRuns,
    coverage_metric: context.coverage ?? "",
    coverage_mean: round(a.coverage.mean),
    coverage_ci95: interval(a.coverage.ci95),
    converged_share: round(a.shares.converged),
    collapsed_share: round(a.shares.collapsed),
    not_trained_share: round(a.shares["not-trained"]),
    failed_share: round(a.shares.failed),
    blew_up_share: round(a.shares["blew-up"]),
    diverged_share: round(a.shares.diverged),
    iterations_per_s_mean: round(a.throughput.mean),
    iterations_per_s_ci95: round(a.throughput.ci95),
    hardware_id: context.hardwareId,
    backend: context.backend,
    commit: context.commit,
  }));
}

/**
 * From finished runs to the tables that answer the papers' claims:
 * `summary.csv` (per arm over seeds) and `verdict.md` (one row per claim,
 * with the verdict computed by the rules below — never written by hand).
 *
 * Correlation: for each run, the Wasserstein estimate is median-filtered over
 * the rows logged since the previous evaluation (as the official README
 * median-filters its curves) and paired with the quality metric at each
 * evaluation; Spearman and Pearson are computed per run and averaged over
 * seeds. Lower quality values are better (W1, FID), so a loss that tracks
 * quality gives a POSITIVE correlation (both fall together).
 *
 * @module
 */
import type { ExperimentSpec } from "./experiments.ts";
import type { RunRecord } from "./run_one.ts";
import { meanCi, median, pearson, spearman } from "./stats.ts";
import type { Row } from "./files.ts";

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
  "pearson_mean",
  "pearson_ci95",
  "final_quality_mean",
  "final_quality_ci95",
  "coverage_metric",
  "coverage_mean",
  "coverage_ci95",
  "converged_share",
  "collapsed_share",
  "diverged_share",
  "failed_share",
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
  spearman: ReturnType<typeof meanCi>;
  pearson: ReturnType<typeof meanCi>;
  finalQuality: ReturnType<typeof meanCi>;
  coverage: ReturnType<typeof meanCi>;
  shares: Record<"converged" | "collapsed" | "diverged" | "failed", number>;
  throughput: ReturnType<typeof meanCi>;
  /** Fewest evaluation points of any run (correlations need several). */
  evalPoints: number;
}

/** Aggregates the analyses of each arm. */
export function summariseArms(
  experiment: ExperimentSpec,
  analyses: readonly RunAnalysis[],
  primary: string,
  coverageColumn: string | null,
): ArmSummary[] {
  return experiment.arms.map((arm) => {
    const runs = analyses.filter((a) => a.arm === arm.id);
    const share = (o: string) => runs.length ? runs.filter((r) => r.record.outcome === o).length / runs.length : NaN;
    return {
      arm: arm.id,
      seeds: runs.length,
      spearman: meanCi(runs.map((r) => r.spearman)),
      pearson: meanCi(runs.map((r) => r.pearson)),
      finalQuality: meanCi(runs.map((r) => r.record.finalQuality[primary])),
      coverage: meanCi(coverageColumn ? runs.map((r) => r.record.finalQuality[coverageColumn]) : []),
      shares: {
        converged: share("converged"),
        collapsed: share("collapsed"),
        diverged: share("diverged"),
        failed: share("failed"),
      },
      throughput: meanCi(runs.map((r) => r.iterationsPerSecond)),
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
  context: { primary: string; coverage: string | null; hardwareId: string; backend: string; commit: string },
): Row[] {
  return arms.map((a) => ({
    experiment: experiment.id,
    profile,
    arm: a.arm,
    algorithm: experiment.arms.find((x) => x.id === a.arm)!.algorithm,
    seeds: a.seeds,
    quality_metric: context.primary,
    spearman_mean: round(a.spearman.mean),
    spearman_ci95: round(a.spearman.ci95),
    pearson_mean: round(a.pearson.mean),
    pearson_ci95: round(a.pearson.ci95),
    final_quality_mean: round(a.finalQuality.mean),
    final_quality_ci95: round(a.finalQuality.ci95),
    coverage_metric: context.coverage ?? "",
    coverage_mean: round(a.coverage.mean),
    coverage_ci95: round(a.coverage.ci95),
    converged_share: round(a.shares.converged),
    collapsed_share: round(a.shares.collapsed),
    diverged_share: round(a.shares.diverged),
    failed_share: round(a.shares.failed),
    iterations_per_s_mean: round(a.throughput.mean),
    iterations_per_s_ci95: round(a.throughput.ci95),
    hardware_id: context.hardwareId,
    backend: context.backend,
    commit: context.commit,
  }));
}

/** A computed verdict. */
export type Verdict = "supported" | "contradicted" | "inconclusive";

/** One row of verdict.md. */
export interface ClaimResult {
  claim: string;
  paper: string;
  ours: string;
  verdict: Verdict;
  rule: string;
}

const fmt = (m: { mean: number; ci95: number }, d = 2) =>
  Number.isFinite(m.mean) ? `${m.mean.toFixed(d)} ± ${Number.isFinite(m.ci95) ? m.ci95.toFixed(d) : "n/a"}` : "n/a";
const lo = (m: { mean: number; ci95: number }) => m.mean - (Number.isFinite(m.ci95) ? m.ci95 : Infinity);
const hi = (m: { mean: number; ci95: number }) => m.mean + (Number.isFinite(m.ci95) ? m.ci95 : Infinity);
const bad = (a: ArmSummary) => a.shares.collapsed + a.shares.diverged + a.shares.failed;
/** Correlation verdicts need at least 2 seeds with a CI and 5 evaluation points per run. */
const MIN_EVAL_POINTS = 5;
const tooFew = (a: ArmSummary) => a.seeds < 2 || !Number.isFinite(a.spearman.ci95) || a.evalPoints < MIN_EVAL_POINTS;

/** Computes the verdict of every claim the experiment tests. */
export function judgeClaims(experiment: ExperimentSpec, arms: readonly ArmSummary[], primary: string): ClaimResult[] {
  const byId = new Map(arms.map((a) => [a.arm, a]));
  const out: ClaimResult[] = [];
  const wassersteinArms = experiment.arms.filter((a) => a.algorithm !== "gan").map((a) => byId.get(a.id)!);
  const gan = byId.get("gan");
  for (const claim of experiment.claims) {
    if (claim === "loss-tracks-quality") {
      for (const a of wassersteinArms) {
        out.push({
          claim: `${a.arm}: the critic's Wasserstein estimate tracks sample quality`,
          paper: "WGAN: the loss correlates well with sample quality (Fig. 3); WGAN-GP Fig. 5",
          ours: `Spearman ρ(estimate, ${primary}) = ${fmt(a.spearman)} over ${a.seeds} seeds`,
          verdict: tooFew(a)
            ? "inconclusive"
            : lo(a.spearman) > 0 && a.spearman.mean >= 0.5
            ? "supported"
            : hi(a.spearman) < 0.3
            ? "contradicted"
            : "inconclusive",
          rule: "supported if mean ρ ≥ 0.5 and its 95% CI excludes 0; contradicted if the CI lies below 0.3 " +
            `(inconclusive with fewer than 2 seeds or ${MIN_EVAL_POINTS} evaluations per run)`,
        });
      }
    }
    if (claim === "gan-loss-does-not" && gan) {
      out.push({
        claim: "gan: the discriminator's loss does not track sample quality",
        paper: "Standard GAN: the JS estimate does not correlate with quality (Fig. 4)",
        ours: `Spearman ρ(−D loss, ${primary}) = ${fmt(gan.spearman)} over ${gan.seeds} seeds`,
        verdict: tooFew(gan)
          ? "inconclusive"
          : hi(gan.spearman) < 0.5
          ? "supported"
          : lo(gan.spearman) > 0.5
          ? "contradicted"
          : "inconclusive",
        rule: "supported if the 95% CI of ρ lies below 0.5; contradicted if it lies above 0.5 " +
          `(inconclusive with fewer than 2 seeds or ${MIN_EVAL_POINTS} evaluations per run)`,
      });
    }
    if (claim === "wgan-trains-where-gan-fails" && gan) {
      const w = byId.get("wgan")!;
      const better = hi(w.finalQuality) < lo(gan.finalQuality);
      const worse = lo(w.finalQuality) > hi(gan.finalQuality);
      out.push({
        claim: "this generator trains under WGAN and collapses or fails under the standard GAN",
        paper: "WGAN trains no-BN and MLP generators; the standard GAN fails or collapses (Fig. 6, 7)",
        ours: `final ${primary}: wgan ${fmt(w.finalQuality, 1)}, gan ${fmt(gan.finalQuality, 1)}; ` +
          `collapsed/diverged/failed: wgan ${(100 * bad(w)).toFixed(0)}%, gan ${(100 * bad(gan)).toFixed(0)}%`,
        verdict: better && bad(gan) > bad(w) ? "supported" : worse ? "contradicted" : "inconclusive",
        rule: "supported if wgan's final quality CI is better than gan's and wgan collapses/diverges/fails in fewer " +
          "seeds; contradicted if gan's final quality CI is better",
      });
    }
    if (claim === "adam-less-stable") {
      const r = byId.get("rmsprop")!, a = byId.get("adam-b1-0.5")!;
      const worse = hi(r.finalQuality) < lo(a.finalQuality) || bad(a) - bad(r) >= 0.5;
      const better = lo(r.finalQuality) > hi(a.finalQuality) || bad(r) - bad(a) >= 0.5;
      out.push({
        claim: "Adam with β1 = 0.5 trains a clipped critic less stably than RMSProp",
        paper: "Momentum-based optimizers such as Adam (β1 > 0) make WGAN training unstable (Sec. 4.3)",
        ours: `final ${primary}: rmsprop ${fmt(r.finalQuality, 1)}, adam β1=0.5 ${fmt(a.finalQuality, 1)}; ` +
          `collapsed/diverged/failed: rmsprop ${(100 * bad(r)).toFixed(0)}%, adam ${(100 * bad(a)).toFixed(0)}%`,
        verdict: worse && !better ? "supported" : better && !worse ? "contradicted" : "inconclusive",
        rule: "supported if Adam's final quality CI is worse or it fails in ≥ 50 percentage points more seeds; " +
          "contradicted if the reverse",
      });
    }
  }
  return out;
}

/** verdict.md. */
export function verdictMarkdown(
  experiment: ExperimentSpec,
  profile: string,
  claims: readonly ClaimResult[],
  context: {
    iterations: number;
    seeds: number;
    hardwareId: string;
    backend: string;
    commit: string;
    arms: readonly ArmSummary[];
    primary: string;
    coverage: string | null;
  },
): string {
  const pct = (x: number) => Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : "–";
  const lines = [
    `# ${experiment.id} — paper vs us (${profile} profile)`,
    "",
    `${experiment.title}. Source: ${experiment.source}. ${context.seeds} seeds × ${context.iterations} generator ` +
    `iterations per arm; backend ${context.backend}, hardware ${context.hardwareId}, commit ${context.commit}. ` +
    "Generated by `deno task repro`; verdicts follow the stated rules.",
    "",
    "| claim | paper | ours (mean ± 95% CI) | verdict |",
    "|---|---|---|---|",
    ...claims.map((c) => `| ${c.claim} | ${c.paper} | ${c.ours} | **${c.verdict}** |`),
    "",
    "Rules:",
    ...[...new Set(claims.map((c) => c.rule))].map((r) => `- ${r}`),
    "",
    `Per arm (mean ± 95% CI over seeds; ${context.primary}: lower is better):`,
    "",
    `| arm | seeds | final ${context.primary} | ${
      context.coverage ?? "coverage"
    } | converged / collapsed / diverged / failed | ` +
    "Spearman ρ | iterations/s |",
    "|---|---|---|---|---|---|---|",
    ...context.arms.map((a) =>
      `| ${a.arm} | ${a.seeds} | ${fmt(a.finalQuality, 3)} | ${context.coverage ? fmt(a.coverage, 1) : "–"} | ` +
      `${pct(a.shares.converged)} / ${pct(a.shares.collapsed)} / ${pct(a.shares.diverged)} / ${
        pct(a.shares.failed)
      } | ` +
      `${fmt(a.spearman)} | ${fmt(a.throughput, 1)} |`
    ),
    "",
  ];
  return lines.join("\n");
}

/**
 * The paper's claims judged from the per-arm aggregates, by stated rules
 * (never written by hand): each gives a `supported`, `contradicted` or
 * `inconclusive` verdict with our numbers.
 *
 * @module
 */
import type { ExperimentSpec } from "./experiments.ts";
import type { ArmSummary } from "./arm_summary.ts";
import { formatMeanCi as fmt, type MeanCi } from "./stats.ts";
import { BAD_OUTCOMES } from "./outcome.ts";

/** A computed verdict. */
export type Verdict = "supported" | "contradicted" | "inconclusive";

/** One row of verdict.md. */
export interface ClaimResult {
  claim: string;
  paper: string;
  ours: string;
  verdict: Verdict;
  rule: string;
  /** Why an inconclusive verdict is one, from the numbers (empty otherwise). */
  why: string;
}

/** The spread of per-seed correlations, for explaining a wide interval. */
const spread = (a: ArmSummary) => {
  const v = a.spearmanValues.filter(Number.isFinite);
  return v.length ? `per-seed ρ from ${Math.min(...v).toFixed(2)} to ${Math.max(...v).toFixed(2)}` : "no per-seed ρ";
};
const outcomesOf = (a: ArmSummary) =>
  Object.entries(a.shares).filter(([, x]) => x > 0).map(([o, x]) => `${Math.round(x * a.seeds)} ${o}`).join(", ");
const tooFewWhy = (a: ArmSummary) =>
  a.seeds < 2
    ? `${a.seeds} seed(s)`
    : a.evalPoints < MIN_EVAL_POINTS
    ? `${a.evalPoints} evaluations in a run`
    : "a correlation undefined in some seed (a constant curve)";

const lo = (m: MeanCi) => Number.isFinite(m.lo) ? m.lo : -Infinity;
const hi = (m: MeanCi) => Number.isFinite(m.hi) ? m.hi : Infinity;
const bad = (a: ArmSummary) => BAD_OUTCOMES.reduce((s, o) => s + a.shares[o], 0);
const badNames = "collapsed/not-trained/failed/blew-up/diverged";
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
          why: "",
        });
        const last = out[out.length - 1];
        if (last.verdict === "inconclusive") {
          last.why = tooFew(a)
            ? `too little data: ${tooFewWhy(a)}`
            : `the interval [${lo(a.spearman).toFixed(2)}, ${hi(a.spearman).toFixed(2)}] meets neither rule (${
              spread(a)
            }; outcomes: ${outcomesOf(a)})`;
        }
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
        why: "",
      });
      const last = out[out.length - 1];
      if (last.verdict === "inconclusive") {
        last.why = tooFew(gan)
          ? `too little data: ${tooFewWhy(gan)}`
          : `the interval [${lo(gan.spearman).toFixed(2)}, ${hi(gan.spearman).toFixed(2)}] straddles 0.5 (${
            spread(gan)
          }; outcomes: ${outcomesOf(gan)})`;
      }
    }
    if (claim === "wgan-trains-where-gan-fails" && gan) {
      const w = byId.get("wgan")!;
      // a GAN whose every run blew up or diverged has no quality to compare: WGAN is better if it has one
      const better = (gan.finalQualityRuns === 0 && w.finalQualityRuns > 0) ||
        hi(w.finalQuality) < lo(gan.finalQuality);
      const worse = (w.finalQualityRuns === 0 && gan.finalQualityRuns > 0) || lo(w.finalQuality) > hi(gan.finalQuality);
      out.push({
        claim: "this generator trains under WGAN and collapses or fails under the standard GAN",
        paper: "WGAN trains no-BN and MLP generators; the standard GAN fails or collapses (Fig. 6, 7)",
        ours: `final ${primary}: wgan ${fmt(w.finalQuality, 1)}, gan ${fmt(gan.finalQuality, 1)}; ` +
          `${badNames}: wgan ${(100 * bad(w)).toFixed(0)}%, gan ${(100 * bad(gan)).toFixed(0)}%`,
        verdict: better && bad(gan) > bad(w) ? "supported" : worse ? "contradicted" : "inconclusive",
        rule: "supported if wgan's final quality CI is better than gan's (or every gan run blew up or diverged) and " +
          "wgan ends collapsed/not-trained/failed/blown-up/diverged in fewer seeds; contradicted if gan's final " +
          "quality CI is better",
        why: "",
      });
      const last = out[out.length - 1];
      if (last.verdict === "inconclusive") {
        last.why = better
          ? `wgan's quality is better, but it does not train in more seeds than gan (wgan: ${outcomesOf(w)}; gan: ${
            outcomesOf(gan)
          })`
          : `the final-quality intervals overlap (wgan: ${outcomesOf(w)}; gan: ${outcomesOf(gan)})`;
      }
    }
    if (claim === "adam-less-stable") {
      const r = byId.get("rmsprop")!, a = byId.get("adam-b1-0.5")!;
      const worse = hi(r.finalQuality) < lo(a.finalQuality) || bad(a) - bad(r) >= 0.5;
      const better = lo(r.finalQuality) > hi(a.finalQuality) || bad(r) - bad(a) >= 0.5;
      out.push({
        claim: "Adam with β1 = 0.5 trains a clipped critic less stably than RMSProp",
        paper: "Momentum-based optimizers such as Adam (β1 > 0) make WGAN training unstable (Sec. 4.3)",
        ours: `final ${primary}: rmsprop ${fmt(r.finalQuality, 1)}, adam β1=0.5 ${fmt(a.finalQuality, 1)}; ` +
          `${badNames}: rmsprop ${(100 * bad(r)).toFixed(0)}%, adam ${(100 * bad(a)).toFixed(0)}%`,
        verdict: worse && !better ? "supported" : better && !worse ? "contradicted" : "inconclusive",
        rule: "supported if Adam's final quality CI is worse or it fails in ≥ 50 percentage points more seeds; " +
          "contradicted if the reverse",
        why: "",
      });
      const last = out[out.length - 1];
      if (last.verdict === "inconclusive") {
        last.why = `the final-quality intervals overlap and the outcomes differ by less than 50 points (rmsprop: ${
          outcomesOf(r)
        }; adam β1=0.5: ${outcomesOf(a)})`;
      }
    }
  }
  return out;
}

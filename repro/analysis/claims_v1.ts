/**
 * The claim rules the result folders published before protocol v2 were judged by (rules "v1"), kept unchanged so
 * those folders rebuild to the verdicts they were published with (tests/repro/rebuild_test.ts). New folders are
 * judged by `claims.ts` (rules "v2", issue #25): these rules read correlations on levels, t-intervals over final
 * quality and outcome shares without a test, which is why they were replaced.
 *
 * @module
 */
import type { ClaimId, ExperimentSpec } from "../config/experiments.ts";
import type { ClaimResult, Verdict } from "./claims.ts";
import type { ArmSummary } from "./arm_summary.ts";
import { formatMeanCi as fmt, type MeanCi } from "./stats.ts";
import { BAD_OUTCOMES } from "../folder/outcome.ts";

/** The claims each experiment was judged on under rules v1. */
export const V1_CLAIMS: Readonly<Record<string, readonly ClaimId[]>> = {
  "toy-8gaussians": ["loss-tracks-quality", "gan-loss-does-not"],
  "toy-25gaussians": ["loss-tracks-quality", "gan-loss-does-not"],
  "toy-swissroll": ["loss-tracks-quality", "gan-loss-does-not"],
  "mnist-mlp": ["loss-tracks-quality", "gan-loss-does-not", "wgan-trains-where-gan-fails"],
  "mnist-dcgan": ["loss-tracks-quality", "gan-loss-does-not"],
  "mnist-dcgan-nobn": ["loss-tracks-quality", "wgan-trains-where-gan-fails"],
  "mnist-adam-vs-rmsprop": ["adam-less-stable"],
  "mnist-gp-vs-clip": ["loss-tracks-quality"],
};

/** What a claim's rule returns for one instance. */
interface Judgement {
  ours: string;
  verdict: Verdict;
  /** Why an inconclusive verdict is one (ignored otherwise). */
  why: string;
}

/** One instance of a claim in an experiment: its title and the arm ids it reads, by role. */
interface ClaimInstance {
  title: string;
  arms: Record<string, string>;
}

/** A claim of a paper and the rule that judges it. */
interface ClaimRule {
  id: ClaimId;
  /** What the paper says, and where. */
  paper: string;
  /** The rule in words, as verdict.md prints it. */
  rule: string;
  /** The instances an experiment has (none when it lacks the arms the claim needs). */
  instances(experiment: ExperimentSpec): ClaimInstance[];
  /** Applies the rule to the instance's arms (keyed by role); `primary` names the quality column. */
  judge(arms: Record<string, ArmSummary>, primary: string): Judgement;
}

/** Correlation verdicts need at least 2 seeds with a CI and this many evaluation points per run. */
export const MIN_EVAL_POINTS = 5;
/** "The estimate tracks quality": supported when the mean ρ is at least this and its CI excludes 0… */
export const TRACKS_MIN_RHO = 0.5;
/** …contradicted when the CI lies below this. */
export const TRACKS_CONTRADICT_BELOW = 0.3;
/** "The GAN's loss does not track quality": supported when the CI of ρ lies below this, contradicted above it. */
export const GAN_LOSS_LINE = 0.5;
/** "Adam is less stable": a difference in bad-outcome shares of at least this decides without the quality CIs. */
export const ADAM_BAD_SHARE_DIFFERENCE = 0.5;

const lo = (m: MeanCi) => Number.isFinite(m.lo) ? m.lo : -Infinity;
const hi = (m: MeanCi) => Number.isFinite(m.hi) ? m.hi : Infinity;
/** The share of an arm's runs with a bad outcome. */
const bad = (a: ArmSummary) => BAD_OUTCOMES.reduce((s, o) => s + a.shares[o], 0);
const badNames = "collapsed/not-trained/failed/blew-up/diverged";
const tooFew = (a: ArmSummary) => a.seeds < 2 || !Number.isFinite(a.spearman.ci95) || a.evalPoints < MIN_EVAL_POINTS;
const tooFewWhy = (a: ArmSummary) =>
  a.seeds < 2
    ? `${a.seeds} seed(s)`
    : a.evalPoints < MIN_EVAL_POINTS
    ? `${a.evalPoints} evaluations in a run`
    : "a correlation undefined in some seed (a constant curve)";
/** The spread of per-seed correlations, for explaining a wide interval. */
const spread = (a: ArmSummary) => {
  const v = a.spearmanValues.filter(Number.isFinite);
  return v.length ? `per-seed ρ from ${Math.min(...v).toFixed(2)} to ${Math.max(...v).toFixed(2)}` : "no per-seed ρ";
};
const outcomesOf = (a: ArmSummary) =>
  Object.entries(a.shares).filter(([, x]) => x > 0).map(([o, x]) => `${Math.round(x * a.seeds)} ${o}`).join(", ");
const interval = (m: MeanCi) => `[${lo(m).toFixed(2)}, ${hi(m).toFixed(2)}]`;
const tooFewRule = `(inconclusive with fewer than 2 seeds or ${MIN_EVAL_POINTS} evaluations per run)`;
const hasArm = (e: ExperimentSpec, id: string) => e.arms.some((a) => a.id === id);

/** Every claim the harness can judge, in the order verdict.md lists them within an experiment's claims. */
export const V1_CLAIM_RULES: readonly ClaimRule[] = [
  {
    id: "loss-tracks-quality",
    paper: "WGAN: the loss correlates well with sample quality (Fig. 3); WGAN-GP Fig. 5",
    rule: `supported if mean ρ ≥ ${TRACKS_MIN_RHO} and its 95% CI excludes 0; contradicted if the CI lies below ` +
      `${TRACKS_CONTRADICT_BELOW} ${tooFewRule}`,
    instances: (e) =>
      e.arms.filter((a) => a.algorithm !== "gan").map((a) => ({
        title: `${a.id}: the critic's Wasserstein estimate tracks sample quality`,
        arms: { critic: a.id },
      })),
    judge: ({ critic: a }, primary) => ({
      ours: `Spearman ρ(estimate, ${primary}) = ${fmt(a.spearman)} over ${a.seeds} seeds`,
      verdict: tooFew(a)
        ? "inconclusive"
        : lo(a.spearman) > 0 && a.spearman.mean >= TRACKS_MIN_RHO
        ? "supported"
        : hi(a.spearman) < TRACKS_CONTRADICT_BELOW
        ? "contradicted"
        : "inconclusive",
      why: tooFew(a)
        ? `too little data: ${tooFewWhy(a)}`
        : `the interval ${interval(a.spearman)} meets neither rule (${spread(a)}; outcomes: ${outcomesOf(a)})`,
    }),
  },
  {
    id: "gan-loss-does-not",
    paper: "Standard GAN: the JS estimate does not correlate with quality (Fig. 4)",
    rule: `supported if the 95% CI of ρ lies below ${GAN_LOSS_LINE}; contradicted if it lies above ${GAN_LOSS_LINE} ` +
      tooFewRule,
    instances: (e) =>
      hasArm(e, "gan")
        ? [{ title: "gan: the discriminator's loss does not track sample quality", arms: { gan: "gan" } }]
        : [],
    judge: ({ gan }, primary) => ({
      ours: `Spearman ρ(−D loss, ${primary}) = ${fmt(gan.spearman)} over ${gan.seeds} seeds`,
      verdict: tooFew(gan)
        ? "inconclusive"
        : hi(gan.spearman) < GAN_LOSS_LINE
        ? "supported"
        : lo(gan.spearman) > GAN_LOSS_LINE
        ? "contradicted"
        : "inconclusive",
      why: tooFew(gan)
        ? `too little data: ${tooFewWhy(gan)}`
        : `the interval ${interval(gan.spearman)} straddles ${GAN_LOSS_LINE} (${spread(gan)}; outcomes: ${
          outcomesOf(gan)
        })`,
    }),
  },
  {
    id: "wgan-trains-where-gan-fails",
    paper: "WGAN trains no-BN and MLP generators; the standard GAN fails or collapses (Fig. 6, 7)",
    rule: "supported if wgan's final quality CI is better than gan's (or every gan run blew up or diverged) and " +
      "wgan ends collapsed/not-trained/failed/blown-up/diverged in fewer seeds; contradicted if gan's final " +
      "quality CI is better",
    instances: (e) =>
      hasArm(e, "gan") && hasArm(e, "wgan")
        ? [{
          title: "this generator trains under WGAN and collapses or fails under the standard GAN",
          arms: { wgan: "wgan", gan: "gan" },
        }]
        : [],
    judge: ({ wgan: w, gan }, primary) => {
      // a GAN whose every run blew up or diverged has no quality to compare: WGAN is better if it has one
      const better = (gan.finalQualityRuns === 0 && w.finalQualityRuns > 0) ||
        hi(w.finalQuality) < lo(gan.finalQuality);
      const worse = (w.finalQualityRuns === 0 && gan.finalQualityRuns > 0) ||
        lo(w.finalQuality) > hi(gan.finalQuality);
      return {
        ours: `final ${primary}: wgan ${fmt(w.finalQuality, 1)}, gan ${fmt(gan.finalQuality, 1)}; ` +
          `${badNames}: wgan ${(100 * bad(w)).toFixed(0)}%, gan ${(100 * bad(gan)).toFixed(0)}%`,
        verdict: better && bad(gan) > bad(w) ? "supported" : worse ? "contradicted" : "inconclusive",
        why: better
          ? `wgan's quality is better, but it does not train in more seeds than gan (wgan: ${outcomesOf(w)}; gan: ${
            outcomesOf(gan)
          })`
          : `the final-quality intervals overlap (wgan: ${outcomesOf(w)}; gan: ${outcomesOf(gan)})`,
      };
    },
  },
  {
    id: "adam-less-stable",
    paper: "Momentum-based optimizers such as Adam (β1 > 0) make WGAN training unstable (Sec. 4.3)",
    rule: "supported if Adam's final quality CI is worse or it fails in ≥ 50 percentage points more seeds; " +
      "contradicted if the reverse",
    instances: (e) =>
      hasArm(e, "rmsprop") && hasArm(e, "adam-b1-0.5")
        ? [{
          title: "Adam with β1 = 0.5 trains a clipped critic less stably than RMSProp",
          arms: { rmsprop: "rmsprop", adam: "adam-b1-0.5" },
        }]
        : [],
    judge: ({ rmsprop: r, adam: a }, primary) => {
      const worse = hi(r.finalQuality) < lo(a.finalQuality) || bad(a) - bad(r) >= ADAM_BAD_SHARE_DIFFERENCE;
      const better = lo(r.finalQuality) > hi(a.finalQuality) || bad(r) - bad(a) >= ADAM_BAD_SHARE_DIFFERENCE;
      return {
        ours: `final ${primary}: rmsprop ${fmt(r.finalQuality, 1)}, adam β1=0.5 ${fmt(a.finalQuality, 1)}; ` +
          `${badNames}: rmsprop ${(100 * bad(r)).toFixed(0)}%, adam ${(100 * bad(a)).toFixed(0)}%`,
        verdict: worse && !better ? "supported" : better && !worse ? "contradicted" : "inconclusive",
        why: `the final-quality intervals overlap and the outcomes differ by less than 50 points (rmsprop: ${
          outcomesOf(r)
        }; adam β1=0.5: ${outcomesOf(a)})`,
      };
    },
  },
];

/**
 * Judges every claim the experiment was judged on under rules v1, from its arms' summaries: each claim's instances
 * in the experiment, each by its rule. An instance whose arms have no summary (no finished run) is inconclusive.
 */
export function judgeClaimsV1(
  experiment: ExperimentSpec,
  arms: readonly ArmSummary[],
  primary: string,
): ClaimResult[] {
  const byId = new Map(arms.map((a) => [a.arm, a]));
  return (V1_CLAIMS[experiment.id] ?? []).flatMap((id) => {
    const rule = V1_CLAIM_RULES.find((c) => c.id === id)!;
    return rule.instances(experiment).map((instance): ClaimResult => {
      const missing = Object.values(instance.arms).filter((arm) => !byId.has(arm));
      const j: Judgement = missing.length
        ? { ours: "–", verdict: "inconclusive", why: `no finished run of ${missing.join(", ")}` }
        : rule.judge(Object.fromEntries(Object.entries(instance.arms).map(([k, v]) => [k, byId.get(v)!])), primary);
      return {
        claim: instance.title,
        paper: rule.paper,
        ours: j.ours,
        verdict: j.verdict,
        rule: rule.rule,
        why: j.verdict === "inconclusive" ? j.why : "",
      };
    });
  });
}

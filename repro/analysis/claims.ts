/**
 * The papers' claims as data, judged by rules "v2" (issue #25) under the protocol (`repro/protocol.toml`): each
 * claim is a record — what the paper says and where, the arms it reads (by role), the rule in words and the function
 * that applies it to the arms' per-seed runs — judged by one function, {@linkcode judgeClaims}, which also requires
 * quality to have levelled off by the horizon and recomputes every verdict with each seed left out.
 *
 * Verdicts: `supported`, `contradicted`, `inconclusive` (the rule decides neither way, or too little data),
 * `undecided` (quality still improving at the horizon: the budget is too short to judge) and `fragile` (supported or
 * contradicted on all seeds, but leaving one seed out changes it). Every test is one-sided at the protocol's α, on
 * per-seed values: exact Wilcoxon signed-rank tests across seeds, Fisher's exact test on per-seed outcomes, an exact
 * (or seeded) permutation test across seeds at fixed late steps. No t-interval, no interval from a capped transform.
 *
 * Rules v1 (the folders published before the protocol) are kept in `claims_v1.ts`.
 *
 * @module
 */
import { type ClaimId, type ExperimentSpec, holdsGeneratorFixed } from "../config/experiments.ts";
import { OUTCOME_WINDOW } from "../folder/outcome.ts";
import type { ProtocolStatistics } from "../config/protocol.ts";
import { qualityAtSeconds, type RunAnalysis } from "./run_analysis.ts";
import { median } from "./stats.ts";
import { acrossSeedsTest, binomialTest, fisherExact, leaveOneSeedOut, wilcoxonSignedRank } from "./inference.ts";

/** A computed verdict. */
export type Verdict = "supported" | "contradicted" | "inconclusive" | "undecided" | "fragile";

/** One row of verdict.md and claims.json. */
export interface ClaimResult {
  claim: string;
  paper: string;
  ours: string;
  verdict: Verdict;
  rule: string;
  /** Why a verdict that is not supported or contradicted is what it is, from the numbers (empty otherwise). */
  why: string;
  /** Leave-one-seed-out: what the verdict is with each seed left out (rules v2; absent in v1 folders). */
  stability?: string;
}

/** What a claim's rule returns for one instance. */
export interface Judgement {
  ours: string;
  verdict: "supported" | "contradicted" | "inconclusive";
  /** Why an inconclusive verdict is one (ignored otherwise). */
  why: string;
}

/** One instance of a claim in an experiment: its title and the arm ids it reads, by role. */
export interface ClaimInstance {
  title: string;
  arms: Record<string, string>;
}

/** What a rule knows besides the runs. */
export interface ClaimContext {
  /** The quality column (lower is better). */
  primary: string;
  statistics: ProtocolStatistics;
}

/** A claim of a paper and the rule that judges it. */
export interface ClaimRule {
  id: ClaimId;
  /** What the paper says, and where. */
  paper: string;
  /** The rule in words, as verdict.md prints it. */
  rule(s: ProtocolStatistics): string;
  /** The instances an experiment has (none when it lacks the arms the claim needs). */
  instances(experiment: ExperimentSpec): ClaimInstance[];
  /** Applies the rule to the instance's runs (keyed by role). */
  judge(runs: Record<string, readonly RunAnalysis[]>, ctx: ClaimContext): Judgement;
  /**
   * Whether the verdict needs quality to have levelled off by the horizon (default true). The critic-structure
   * claims (gradient norms per layer, weights at ±c) do not read quality.
   */
  readsQuality?: boolean;
}

const BLOWN = new Set(["blew-up", "diverged"]);
const p2 = (p: number) => Number.isFinite(p) ? (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`) : "p –";
const f2 = (x: number) => Number.isFinite(x) ? x.toFixed(2) : "–";
const hasArm = (e: ExperimentSpec, id: string) => e.arms.some((a) => a.id === id);

/** Runs a correlation claim can read: not blown up or diverged, quality moved, enough evaluations, finite ρ. */
export function trackingEligible(runs: readonly RunAnalysis[], s: ProtocolStatistics) {
  const reasons = new Map<string, number>();
  const count = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const eligible = runs.filter((r) => {
    if (BLOWN.has(r.record.outcome)) return count(r.record.outcome), false;
    if (!r.qualityMoved) return count("quality never moved"), false;
    if (r.evalPoints < s.min_evaluations) return count(`fewer than ${s.min_evaluations} evaluations`), false;
    if (!Number.isFinite(r.spearman) || !Number.isFinite(r.spearmanChanges)) return count("a constant curve"), false;
    return true;
  });
  const excluded = [...reasons].map(([why, n]) => `${n} ${why}`).join(", ");
  return { eligible, excluded };
}

/** The steps every run evaluated in the last `fraction` of the horizon (for the across-seed test). */
function lateCommonSteps(runs: readonly RunAnalysis[], fraction: number): number[] {
  if (!runs.length) return [];
  const sets = runs.map((r) => new Set(r.pairs.map((p) => p.step)));
  const common = [...sets[0]].filter((s) => sets.every((x) => x.has(s))).sort((a, b) => a - b);
  const k = Math.max(1, Math.ceil(fraction * common.length));
  return common.slice(-k);
}

/** Everything the tracking claims read from an arm's eligible runs. */
export interface Tracking {
  runs: number;
  excluded: string;
  levels: number;
  levelsP: number;
  changes: number;
  changesP: number;
  /** p of "ρ on changes lies below no_tracking_below". */
  belowP: number;
  across: number;
  acrossP: number;
  /** Tracks on levels (median ≥ the line, ρ > 0) and on changes (ρ > 0). */
  levelsAndChanges: boolean;
  /** ...and across seeds at fixed late steps. */
  tracks: boolean;
  /** ρ on changes significantly below no_tracking_below. */
  noTracking: boolean;
  enough: boolean;
}

/** The tracking statistics of an arm (its runs' estimate against quality). */
export function tracking(runs: readonly RunAnalysis[], s: ProtocolStatistics): Tracking {
  const { eligible, excluded } = trackingEligible(runs, s);
  const rho = eligible.map((r) => r.spearman), changes = eligible.map((r) => r.spearmanChanges);
  const levelsP = wilcoxonSignedRank(rho, undefined, "greater").p;
  const changesP = wilcoxonSignedRank(changes, undefined, "greater").p;
  const belowP = wilcoxonSignedRank(changes.map((c) => c - s.no_tracking_below), undefined, "less").p;
  const steps = lateCommonSteps(eligible, s.last_fraction);
  const at = (r: RunAnalysis, key: "estimate" | "quality") => steps.map((t) => r.pairs.find((p) => p.step === t)![key]);
  const across = acrossSeedsTest(eligible.map((r) => at(r, "estimate")), eligible.map((r) => at(r, "quality")), {
    exactMax: s.permutation_exact_max,
    draws: s.permutation_draws,
  });
  const enough = eligible.length >= s.min_runs;
  const levelsAndChanges = enough && median(rho) >= s.tracks_levels_min && levelsP < s.alpha &&
    changesP < s.alpha;
  return {
    runs: eligible.length,
    excluded,
    levels: median(rho),
    levelsP,
    changes: median(changes),
    changesP,
    belowP,
    across: across.statistic,
    acrossP: across.p,
    levelsAndChanges,
    tracks: levelsAndChanges && across.p < s.alpha,
    noTracking: enough && belowP < s.alpha,
    enough,
  };
}

const trackingText = (t: Tracking, of: string, total: number) =>
  `${of}: median ρ on levels ${f2(t.levels)} (${p2(t.levelsP)}), on step-to-step changes ${f2(t.changes)} ` +
  `(${p2(t.changesP)}); across seeds at late steps ${f2(t.across)} (${p2(t.acrossP)}); ${t.runs} of ${total} runs` +
  (t.excluded ? ` (left out: ${t.excluded})` : "");

const tooFewWhy = (t: Tracking, s: ProtocolStatistics) =>
  `too little data: ${t.runs} runs a correlation can read, the rule needs ${s.min_runs}` +
  (t.excluded ? ` (left out: ${t.excluded})` : "");

/** Quality ranks pooled over two arms' runs (a blown-up or diverged run ranks worst), by seed. */
function pooledRanks(a: readonly RunAnalysis[], b: readonly RunAnalysis[]) {
  const value = (r: RunAnalysis) =>
    BLOWN.has(r.record.outcome) || !Number.isFinite(r.endQuality) ? Infinity : r.endQuality;
  const all = [...a, ...b].map(value);
  const rank = (v: number) => all.filter((x) => x < v).length + (all.filter((x) => x === v).length + 1) / 2;
  return (r: RunAnalysis) => rank(value(r));
}

/** Paired seeds of two arms. */
function paired(a: readonly RunAnalysis[], b: readonly RunAnalysis[]): [RunAnalysis, RunAnalysis][] {
  return a.flatMap((x) => {
    const y = b.find((r) => r.seed === x.seed);
    return y ? [[x, y] as [RunAnalysis, RunAnalysis]] : [];
  });
}

const converged = (runs: readonly RunAnalysis[]) => runs.filter((r) => r.record.outcome === "converged").length;
const outcomes = (runs: readonly RunAnalysis[]) => {
  const n = new Map<string, number>();
  for (const r of runs) n.set(r.record.outcome, (n.get(r.record.outcome) ?? 0) + 1);
  return [...n].map(([o, k]) => `${k} ${o}`).join(", ");
};

/** Every claim the harness judges under rules v2, in the order verdict.md lists them within an experiment. */
export const CLAIM_RULES: readonly ClaimRule[] = [
  {
    id: "loss-tracks-quality",
    paper: "WGAN: the loss correlates well with sample quality (Fig. 3); WGAN-GP Fig. 5",
    rule: (s) =>
      `tracks (supported): on the runs whose quality moved (≥ ${s.quality_moved * 100}% better than at step 0; ` +
      `blown-up, diverged and flat runs left out and counted; ≥ ${s.min_runs} runs of ≥ ${s.min_evaluations} ` +
      `evaluations), the per-seed Spearman ρ(estimate, quality) has median ≥ ${s.tracks_levels_min} and is > 0 ` +
      `by the one-sided Wilcoxon signed-rank test, ρ on step-to-step changes is > 0 by the same test, and ` +
      `across seeds at the last ${s.last_fraction * 100}% of evaluations ρ > 0 by a permutation test ` +
      `(all at α = ${s.alpha}); contradicted: ρ on changes lies below ${s.no_tracking_below} by the Wilcoxon test`,
    instances: (e) =>
      e.arms.filter((a) => a.algorithm !== "gan").map((a) => ({
        title: `${a.id}: the critic's Wasserstein estimate tracks sample quality`,
        arms: { critic: a.id },
      })),
    judge: ({ critic }, ctx) => {
      const t = tracking(critic, ctx.statistics);
      const why = !t.enough
        ? tooFewWhy(t, ctx.statistics)
        : t.levelsAndChanges
        ? "it tracks on levels and changes within runs, but not across seeds at late steps"
        : "neither tracking on levels and changes nor a ρ on changes below the line is shown";
      return {
        ours: trackingText(t, `ρ(${critic[0]?.plotted ?? "estimate"}, ${ctx.primary})`, critic.length),
        verdict: t.tracks ? "supported" : t.noTracking ? "contradicted" : "inconclusive",
        why,
      };
    },
  },
  {
    id: "gan-loss-does-not",
    paper: "Standard GAN: the JS estimate does not correlate with quality (Fig. 4)",
    rule: (s) =>
      `judged on the standard GAN's runs whose quality improved (≥ ${s.quality_moved * 100}%; the situation of ` +
      `Fig. 4; blown-up runs never count as tracking): supported if the per-seed ρ(−D loss, quality) on step-to-step ` +
      `changes lies below ${s.no_tracking_below} by the one-sided Wilcoxon test; contradicted if the loss tracks ` +
      `on levels (median ρ ≥ ${s.tracks_levels_min}, ρ > 0) and on changes (ρ > 0) (α = ${s.alpha}; ≥ ` +
      `${s.min_runs} runs)`,
    instances: (e) =>
      e.arms.filter((a) => a.algorithm === "gan").map((a) => ({
        title: `${a.id}: the discriminator's loss does not track sample quality`,
        arms: { gan: a.id },
      })),
    judge: ({ gan }, ctx) => {
      const t = tracking(gan, ctx.statistics);
      return {
        ours: trackingText(t, `ρ(−D loss, ${ctx.primary})`, gan.length),
        verdict: t.noTracking ? "supported" : t.levelsAndChanges ? "contradicted" : "inconclusive",
        why: t.enough
          ? "the loss neither tracks on levels and changes nor has a ρ on changes below the line"
          : tooFewWhy(t, ctx.statistics),
      };
    },
  },
  {
    id: "wgan-trains-where-gan-fails",
    paper: "WGAN trains no-BN and MLP generators; the standard GAN fails or collapses (Fig. 6, 7)",
    rule: (s) =>
      `on the same seeds (≥ ${s.min_runs}): supported if WGAN converges in more seeds (one-sided Fisher exact ` +
      `test) and its end quality is better seed for seed (one-sided Wilcoxon signed-rank test on quality ranks ` +
      `pooled over both arms, a blown-up or diverged run ranking worst), both at α = ${s.alpha}; contradicted if ` +
      `the standard GAN converges in more seeds or has the better quality by the same tests`,
    instances: (e) =>
      hasArm(e, "wgan")
        ? e.arms.filter((a) => a.algorithm === "gan").map((a) => ({
          title: `this generator trains under WGAN and collapses or fails under the standard GAN (${a.id})`,
          arms: { wgan: "wgan", gan: a.id },
        }))
        : [],
    judge: ({ wgan, gan }, ctx) => {
      const s = ctx.statistics;
      const pairs = paired(wgan, gan);
      const w = pairs.map(([x]) => x), g = pairs.map(([, y]) => y);
      const cw = converged(w), cg = converged(g), n = pairs.length;
      const fisherW = fisherExact(cw, n - cw, cg, n - cg, "greater").p;
      const fisherG = fisherExact(cw, n - cw, cg, n - cg, "less").p;
      const rank = pooledRanks(w, g);
      const d = pairs.map(([x, y]) => rank(x) - rank(y));
      const betterW = wilcoxonSignedRank(d, undefined, "less").p;
      const betterG = wilcoxonSignedRank(d, undefined, "greater").p;
      const wins = d.filter((v) => v < 0).length;
      const q = (runs: RunAnalysis[]) =>
        f2(median(runs.filter((r) => !BLOWN.has(r.record.outcome)).map((r) => r.endQuality)));
      const ours = `${n} paired seeds: converged wgan ${cw}, gan ${cg} (Fisher ${p2(fisherW)}); end ${ctx.primary} ` +
        `better under wgan in ${wins} of ${n} seeds (Wilcoxon ${p2(betterW)}; medians wgan ${q(w)}, gan ${q(g)}); ` +
        `outcomes wgan: ${outcomes(w)}; gan: ${outcomes(g)}`;
      const enough = n >= s.min_runs;
      const supported = enough && fisherW < s.alpha && betterW < s.alpha;
      const contradicted = enough && (fisherG < s.alpha || betterG < s.alpha);
      return {
        ours,
        verdict: supported && !contradicted
          ? "supported"
          : contradicted && !supported
          ? "contradicted"
          : "inconclusive",
        why: !enough
          ? `too little data: ${n} paired seeds, the rule needs ${s.min_runs}`
          : fisherW < s.alpha
          ? "WGAN converges in more seeds, but its end quality is not better seed for seed"
          : betterW < s.alpha
          ? "WGAN's end quality is better seed for seed, but it does not converge in significantly more seeds"
          : "neither the converged counts nor the paired end quality differ significantly",
      };
    },
  },
  {
    id: "adam-less-stable",
    paper: "Momentum-based optimizers such as Adam (β1 > 0) make the clipped critic's training unstable: it " +
      "sometimes breaks down, and the cosine between Adam's step and the gradient turns negative (Sec. 4.3)",
    rule: (s) =>
      `on the same seeds (≥ ${s.min_runs}): a run is unstable when its quality gets worse again — a 3-evaluation ` +
      `running median ≥ ${s.relapse_factor} × the best before it, once quality has moved; supported if the ` +
      `momentum arm is unstable in more seeds (one-sided Fisher exact test) or its worst relapse is larger seed for ` +
      `seed (one-sided Wilcoxon signed-rank test), each at α/2 = ${s.alpha / 2}; contradicted if the other arm is ` +
      `less stable by the same tests. Loss spikes (estimates > ${s.spike_mads} MADs from the median of the 20 ` +
      `rows before) and the share of critic updates with a negative cosine to the descent direction are reported`,
    instances: (e) => [
      ...(hasArm(e, "rmsprop") && hasArm(e, "adam-b1-0.5")
        ? [{
          title: "Adam with β1 = 0.5 trains a clipped critic less stably than RMSProp",
          arms: { stable: "rmsprop", momentum: "adam-b1-0.5" },
        }]
        : []),
      ...(hasArm(e, "adam-b1-0") && hasArm(e, "adam-b1-0.5")
        ? [{
          title: "the momentum control: Adam with β1 = 0.5 is less stable than Adam with β1 = 0",
          arms: { stable: "adam-b1-0", momentum: "adam-b1-0.5" },
        }]
        : []),
    ],
    judge: ({ stable, momentum }, ctx) => {
      const s = ctx.statistics;
      const pairs = paired(momentum, stable);
      const m = pairs.map(([x]) => x), r = pairs.map(([, y]) => y), n = pairs.length;
      const um = m.filter((x) => x.relapsed).length, ur = r.filter((x) => x.relapsed).length;
      const relapse = (x: RunAnalysis) => Number.isFinite(x.worstRelapse) ? x.worstRelapse : 1;
      const d = pairs.map(([x, y]) => relapse(x) - relapse(y));
      const half = s.alpha / 2;
      const moreM = fisherExact(um, n - um, ur, n - ur, "greater").p < half ||
        wilcoxonSignedRank(d, undefined, "greater").p < half;
      const moreR = fisherExact(um, n - um, ur, n - ur, "less").p < half ||
        wilcoxonSignedRank(d, undefined, "less").p < half;
      const describe = (runs: RunAnalysis[], k: number) =>
        `${k}/${runs.length} unstable, worst relapse median ${f2(median(runs.map(relapse)))}, spikes median ` +
        `${f2(median(runs.map((x) => x.spikes)))}, negative-cosine updates median ${
          f2(median(runs.map((x) => x.negativeCosineShare)))
        } (lowest cosine ${f2(Math.min(...runs.map((x) => x.minCosine).filter(Number.isFinite)))})`;
      const enough = n >= s.min_runs;
      return {
        ours: `${pairs[0]?.[0].arm ?? "momentum"}: ${describe(m, um)}; ${pairs[0]?.[1].arm ?? "other"}: ${
          describe(r, ur)
        }`,
        verdict: enough && moreM && !moreR ? "supported" : enough && moreR && !moreM ? "contradicted" : "inconclusive",
        why: !enough
          ? `too little data: ${n} paired seeds, the rule needs ${s.min_runs}`
          : um + ur === 0
          ? "no run of either arm got worse again: the instability the paper reports is not reproduced here"
          : "the arms' instability does not differ significantly",
      };
    },
  },
  {
    id: "both-losses-train",
    paper: "WGAN Fig. 5: with a DCGAN generator, both the WGAN and the standard GAN train to good samples",
    rule: (s) =>
      `a run trains when it converges (quality at least halved, recognisable samples ≥ half real images' share, ≥ 80% ` +
      `of the classes covered); supported if more than ${
        s.trains_share_min * 100
      }% of the arm's runs train (one-sided ` +
      `exact binomial test, α = ${s.alpha}, ≥ ${s.min_runs} runs); contradicted if fewer do by the same test`,
    instances: (e) =>
      e.arms.some((a) => a.algorithm === "gan") && e.arms.some((a) => a.algorithm === "wgan")
        ? e.arms.map((a) => ({ title: `${a.id} trains this generator`, arms: { arm: a.id } }))
        : [],
    judge: ({ arm }, ctx) => {
      const s = ctx.statistics;
      const k = converged(arm), n = arm.length;
      const more = binomialTest(k, n, s.trains_share_min, "greater").p;
      const fewer = binomialTest(k, n, s.trains_share_min, "less").p;
      const enough = n >= s.min_runs;
      return {
        ours: `${k} of ${n} runs converged (more than ${s.trains_share_min * 100}%: ${p2(more)}; outcomes: ` +
          `${outcomes(arm)}); end ${ctx.primary} median ${
            f2(median(arm.filter((r) => !BLOWN.has(r.record.outcome)).map((r) => r.endQuality)))
          }`,
        verdict: enough && more < s.alpha ? "supported" : enough && fewer < s.alpha ? "contradicted" : "inconclusive",
        why: enough
          ? `${k} of ${n} converged: the share is not shown above or below ${s.trains_share_min}`
          : `too little data: ${n} runs, the rule needs ${s.min_runs}`,
      };
    },
  },
  {
    id: "wgan-no-mode-collapse",
    paper: "WGAN Sec. 4.3: in no experiment did the authors see evidence of mode collapse for the WGAN algorithm",
    rule: (s) =>
      `a run shows mode collapse when its recognisable samples cover fewer than half the classes (outcome ` +
      `collapsed); judged on the runs whose samples are recognisable (converged or collapsed, ≥ ${s.min_runs}): ` +
      `supported if none collapsed; contradicted if ${s.collapse_evidence_runs} or more did (the paper's claim is ` +
      `universal: repeated collapse is evidence against it); inconclusive between. Classes covered and the class ` +
      `histogram's KL divergence from uniform are reported`,
    instances: (e) =>
      e.data.kind === "image"
        ? e.arms.filter((a) => a.algorithm === "wgan").map((a) => ({
          title: `${a.id}: no mode collapse under WGAN`,
          arms: { arm: a.id },
        }))
        : [],
    judge: ({ arm }, ctx) => {
      const s = ctx.statistics;
      const judged = arm.filter((r) => r.record.outcome === "converged" || r.record.outcome === "collapsed");
      const collapsed = judged.filter((r) => r.record.outcome === "collapsed").length;
      const end = (key: string) => median(judged.map((r) => Number(r.record.finalQuality?.[key])));
      const enough = judged.length >= s.min_runs;
      return {
        ours:
          `${collapsed} of ${judged.length} runs with recognisable samples collapsed (outcomes: ${outcomes(arm)}); ` +
          `classes covered median ${f2(end("classes_covered"))}, KL(class histogram ‖ uniform) median ${
            f2(end("kl_uniform"))
          }`,
        verdict: collapsed >= s.collapse_evidence_runs
          ? "contradicted"
          : enough && collapsed === 0
          ? "supported"
          : "inconclusive",
        why: !enough
          ? `too little data: ${judged.length} runs with recognisable samples, the rule needs ${s.min_runs}`
          : `${collapsed} collapsed: fewer than the ${s.collapse_evidence_runs} that contradict, more than none`,
      };
    },
  },
];

/** The clipping bound of an arm's critic, or null when it is not clipped (`wgan` clips at 0.01 by default). */
function clipOf(arm: ExperimentSpec["arms"][number]): number | null {
  const l = arm.overrides?.lipschitz;
  if (l && "kind" in l) return l.kind === "clip" ? l.c : null;
  return arm.algorithm === "wgan" && !l ? 0.01 : null;
}

/** Arms with a clipped critic, each against the experiment's gradient-penalty arm (`wgan-gp`). */
const clippedVsPenalty = (e: ExperimentSpec, title: (c: number) => string): ClaimInstance[] =>
  hasArm(e, "wgan-gp")
    ? e.arms.filter((a) => clipOf(a) !== null).map((a) => ({
      title: title(clipOf(a)!),
      arms: { clip: a.id, penalty: "wgan-gp" },
    }))
    : [];

const d2 = (x: number) => Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(2)}` : "–";
/** "vanishing" / "exploding" / "level" by the sign and size of a gradient growth per layer. */
const direction = (g: number, min: number) =>
  !Number.isFinite(g) ? "–" : g <= -min ? "vanishing" : g >= min ? "exploding" : "level";
const underflowed = (runs: readonly RunAnalysis[]) => runs.filter((r) => r.underflowLayers > 0).length;

/** The critic-structure claims of WGAN-GP Fig. 1b (issue #26), judged on per-seed values across seeds. */
const STRUCTURE_RULES: readonly ClaimRule[] = [
  {
    id: "clipping-gradients-explode-or-vanish",
    paper: "WGAN-GP Fig. 1b (left): with weight clipping, a deep critic's gradient norms explode or vanish from " +
      "layer to layer (c = 0.1 explodes, 0.01 and 0.001 vanish in the paper's 512-unit critic)",
    rule: (s) =>
      `per run, the growth of ‖∂L/∂a_k‖ per layer going back from the output to the input (minus the least-squares ` +
      `slope of log10 norm on layer; layers whose gradient underflowed to 0 left out and counted), the median over ` +
      `its last ${s.last_fraction * 100}% of evaluations; on the same seeds (≥ ${s.min_runs}): supported if the ` +
      `clipped critic's |growth| exceeds ${s.layer_growth_min} decades per layer (one-sided Wilcoxon signed-rank ` +
      `test on |growth| − ${s.layer_growth_min}) and the penalised critic's seed for seed (the same test on the ` +
      `differences), both at α = ${s.alpha}; contradicted if the clipped critic's |growth| lies below ` +
      `${s.layer_growth_min} by the first test. The direction (exploding, vanishing) is reported`,
    instances: (e) => clippedVsPenalty(e, (c) => `clipping at c = ${c}: the critic's gradients explode or vanish`),
    readsQuality: false,
    judge: ({ clip, penalty }, ctx) => {
      const s = ctx.statistics;
      // the seeds where both critics' growth was measured (folders before the column have none)
      const pairs = paired(clip, penalty).filter(([x, y]) =>
        Number.isFinite(x.gradientGrowth) && Number.isFinite(y.gradientGrowth)
      );
      const g = pairs.map(([x]) => Math.abs(x.gradientGrowth)), h = pairs.map(([, y]) => Math.abs(y.gradientGrowth));
      const n = pairs.length;
      const above = wilcoxonSignedRank(g.map((x) => x - s.layer_growth_min), undefined, "greater").p;
      const below = wilcoxonSignedRank(g.map((x) => x - s.layer_growth_min), undefined, "less").p;
      const larger = wilcoxonSignedRank(g.map((x, i) => x - h[i]), undefined, "greater").p;
      const grow = median(pairs.map(([x]) => x.gradientGrowth));
      const wins = g.filter((x, i) => x > h[i]).length;
      const ours =
        `growth per layer toward the input, median ${d2(grow)} decades (${direction(grow, s.layer_growth_min)}; ` +
        `|growth| > ${s.layer_growth_min}: ${above < s.alpha ? "yes" : "not shown"}, ${p2(above)}; ` +
        `${underflowed(pairs.map(([x]) => x))} of ${pairs.length} runs with layers underflowed to 0); penalty ` +
        `${d2(median(pairs.map(([, y]) => y.gradientGrowth)))}; |growth| larger than the penalty's in ${wins} of ` +
        `${pairs.length} seeds (${p2(larger)})`;
      const enough = n >= s.min_runs;
      const supported = enough && above < s.alpha && larger < s.alpha;
      const contradicted = enough && below < s.alpha;
      return {
        ours,
        verdict: supported ? "supported" : contradicted ? "contradicted" : "inconclusive",
        why: !enough
          ? `too little data: ${n} paired seeds with per-layer gradients, the rule needs ${s.min_runs}`
          : above < s.alpha
          ? "the clipped critic's gradients change across layers, but not more than the penalised one's seed for seed"
          : "the clipped critic's growth per layer is neither shown above nor below the line",
      };
    },
  },
  {
    id: "penalty-gradients-level",
    paper: "WGAN-GP Fig. 1b (left): with a gradient penalty, the deep critic's gradient norms neither explode nor " +
      "vanish",
    rule: (s) =>
      `per run, the growth of ‖∂L/∂a_k‖ per layer as for clipping; supported if the penalised critic's |growth| lies ` +
      `below ${s.layer_growth_min} decades per layer (one-sided Wilcoxon signed-rank test on |growth| − ` +
      `${s.layer_growth_min}, α = ${s.alpha}, ≥ ${s.min_runs} runs); contradicted if it lies above by the same test`,
    instances: (e) =>
      hasArm(e, "wgan-gp") && e.arms.some((a) => clipOf(a) !== null)
        ? [{ title: "a gradient penalty keeps the deep critic's gradients level", arms: { penalty: "wgan-gp" } }]
        : [],
    readsQuality: false,
    judge: ({ penalty }, ctx) => {
      const s = ctx.statistics;
      const growths = penalty.map((r) => r.gradientGrowth).filter(Number.isFinite);
      const g = growths.map(Math.abs);
      const below = wilcoxonSignedRank(g.map((x) => x - s.layer_growth_min), undefined, "less").p;
      const above = wilcoxonSignedRank(g.map((x) => x - s.layer_growth_min), undefined, "greater").p;
      const grow = median(growths);
      const enough = g.length >= s.min_runs;
      return {
        ours:
          `growth per layer toward the input, median ${d2(grow)} decades (range ${d2(Math.min(...growths))} to ${
            d2(Math.max(...growths))
          }); |growth| < ${s.layer_growth_min}: ` +
          `${p2(below)}; ${underflowed(penalty)} of ${penalty.length} runs with layers underflowed to 0`,
        verdict: enough && below < s.alpha ? "supported" : enough && above < s.alpha ? "contradicted" : "inconclusive",
        why: enough
          ? "the penalised critic's growth per layer is neither shown below nor above the line"
          : `too little data: ${g.length} runs with per-layer gradients, the rule needs ${s.min_runs}`,
      };
    },
  },
  {
    id: "clipping-piles-weights-at-c",
    paper: "WGAN-GP Fig. 1b (right): weight clipping pushes the weights towards the two ends of the clipping range; " +
      "a gradient penalty does not",
    rule: (s) =>
      `per run, the share of the critic's weights at ≥ 0.99 of their layer's largest |w| (the median over layers), ` +
      `the median over its last ${s.last_fraction * 100}% of evaluations; on the same seeds (≥ ${s.min_runs}): ` +
      `supported if the clipped critic's share exceeds ${s.extreme_share_min} (one-sided Wilcoxon signed-rank test ` +
      `on share − ${s.extreme_share_min}) and the penalised critic's seed for seed (the same test on the ` +
      `differences), both at α = ${s.alpha}; contradicted if the clipped critic's share lies below ` +
      `${s.extreme_share_min} by the first test`,
    instances: (e) => clippedVsPenalty(e, (c) => `clipping at c = ${c} piles the critic's weights up at ±c`),
    readsQuality: false,
    judge: ({ clip, penalty }, ctx) => {
      const s = ctx.statistics;
      const pairs = paired(clip, penalty).filter(([x, y]) =>
        Number.isFinite(x.weightsAtExtremes) && Number.isFinite(y.weightsAtExtremes)
      );
      const a = pairs.map(([x]) => x.weightsAtExtremes), b = pairs.map(([, y]) => y.weightsAtExtremes);
      const above = wilcoxonSignedRank(a.map((x) => x - s.extreme_share_min), undefined, "greater").p;
      const below = wilcoxonSignedRank(a.map((x) => x - s.extreme_share_min), undefined, "less").p;
      const larger = wilcoxonSignedRank(a.map((x, i) => x - b[i]), undefined, "greater").p;
      const enough = pairs.length >= s.min_runs;
      return {
        ours:
          `weights at ±(their layer's largest |w|): clipping median ${f2(median(a))} (range ${f2(Math.min(...a))}–${
            f2(Math.max(...a))
          }; > ${s.extreme_share_min}: ${p2(above)}), penalty median ${f2(median(b))}; ` +
          `larger under clipping in ${a.filter((x, i) => x > b[i]).length} of ${pairs.length} seeds (${p2(larger)})`,
        verdict: enough && above < s.alpha && larger < s.alpha
          ? "supported"
          : enough && below < s.alpha
          ? "contradicted"
          : "inconclusive",
        why: !enough
          ? `too little data: ${pairs.length} paired seeds with weight statistics, the rule needs ${s.min_runs}`
          : above < s.alpha
          ? "the clipped critic's weights sit at ±c, but not more than the penalised critic's at its extremes"
          : "the clipped critic's share at ±c is neither shown above nor below the line",
      };
    },
  },
];

/** The critic-structure claims (their folders also draw layer_gradients.png and weight_histograms.png). */
export const STRUCTURE_CLAIM_IDS: readonly ClaimId[] = STRUCTURE_RULES.map((r) => r.id);

/** The training seconds of a run's last evaluation (its whole training time). */
const lastSeconds = (r: RunAnalysis) =>
  r.curve.filter((p) => p.step > 0 && Number.isFinite(p.seconds)).at(-1)?.seconds ?? NaN;

/**
 * Per seed, both runs' quality at the same seconds of training: the shorter run's whole training time, where the
 * longer run stands then (its last evaluation at or before it).
 */
function atSameSeconds(a: RunAnalysis, b: RunAnalysis): [number, number] {
  const t = Math.min(lastSeconds(a), lastSeconds(b));
  return [qualityAtSeconds(a.curve, t), qualityAtSeconds(b.curve, t)];
}

/**
 * "Arm `better` reaches lower quality values than arm `other`, seed for seed": a one-sided Wilcoxon signed-rank test on
 * the paired values either way (lower is better); pairs where either value is not finite (a blown-up or diverged run)
 * are left out and counted.
 */
function lowerSeedForSeed(
  runs: [RunAnalysis, RunAnalysis][],
  value: (a: RunAnalysis, b: RunAnalysis) => [number, number],
  ctx: ClaimContext,
  what: string,
): Judgement {
  const s = ctx.statistics;
  const all = runs.map(([a, b]) => value(a, b));
  const kept = all.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const d = kept.map(([x, y]) => x - y);
  const lower = wilcoxonSignedRank(d, undefined, "less").p, higher = wilcoxonSignedRank(d, undefined, "greater").p;
  const [a, b] = [runs[0]?.[0].arm ?? "–", runs[0]?.[1].arm ?? "–"];
  const enough = kept.length >= s.min_runs;
  const left = all.length - kept.length;
  return {
    ours: `${what}: ${a} median ${f2(median(kept.map(([x]) => x)))}, ${b} median ${
      f2(median(kept.map(([, y]) => y)))
    } (${ctx.primary}); ${a} lower in ${d.filter((x) => x < 0).length} of ${kept.length} seeds (${p2(lower)})${
      left ? `; ${left} seed(s) left out: a run blew up or diverged` : ""
    }`,
    verdict: enough && lower < s.alpha ? "supported" : enough && higher < s.alpha ? "contradicted" : "inconclusive",
    why: enough
      ? `${a} and ${b} do not differ significantly seed for seed`
      : `too little data: ${kept.length} paired seeds, the rule needs ${s.min_runs}`,
  };
}

const seconds = (runs: readonly RunAnalysis[]) => f2(median(runs.map(lastSeconds)));

/** The training-speed claims of WGAN-GP Fig. 3 and WGAN-div's headline (issue #26): quality paired over seeds. */
const SPEED_RULES: readonly ClaimRule[] = [
  {
    id: "penalty-beats-clipping-per-iteration",
    paper: "WGAN-GP Fig. 3 (left): the gradient penalty converges faster and to better quality than weight clipping " +
      "per generator iteration, with Adam and with RMSProp at clipping's own rate (the optimizer control)",
    rule: (s) =>
      `per seed, each run's end quality (the median over its last ${OUTCOME_WINDOW} evaluations, the same ` +
      `iterations for both); supported if the penalised run's is better seed for seed (one-sided Wilcoxon ` +
      `signed-rank test, α = ${s.alpha}, ≥ ${s.min_runs} seeds); contradicted if the clipped run's is better by the ` +
      `same test; seeds where a run blew up or diverged are left out and counted`,
    instances: (e) =>
      e.data.kind === "image" && hasArm(e, "wgan") && clipOf(e.arms.find((a) => a.id === "wgan")!) !== null
        ? e.arms.filter((a) => a.algorithm === "wgan-gp").map((a) => ({
          title: `${a.id}: the penalty reaches better quality than clipping at the same iterations`,
          arms: { penalty: a.id, clip: "wgan" },
        }))
        : [],
    judge: ({ penalty, clip }, ctx) =>
      lowerSeedForSeed(paired(penalty, clip), (a, b) => [a.endQuality, b.endQuality], ctx, "end quality"),
  },
  {
    id: "penalty-beats-clipping-per-second",
    paper: "WGAN-GP Fig. 3 (right): the gradient penalty also reaches better quality than weight clipping per second " +
      "of wall clock, although each of its iterations costs more",
    rule: (s) =>
      `per seed, both runs' quality at the same seconds of training (evaluation excluded): the shorter run's whole ` +
      `training time, where the longer run's last evaluation by then stands; supported if the penalised run's is ` +
      `better seed for seed (one-sided Wilcoxon signed-rank test, α = ${s.alpha}, ≥ ${s.min_runs} seeds); ` +
      `contradicted if the clipped run's is better. Both arms' training seconds are reported: they compare only ` +
      `runs made alike (one folder, one machine, the same --jobs)`,
    instances: (e) =>
      e.data.kind === "image" && hasArm(e, "wgan") && clipOf(e.arms.find((a) => a.id === "wgan")!) !== null
        ? e.arms.filter((a) => a.algorithm === "wgan-gp").map((a) => ({
          title: `${a.id}: the penalty reaches better quality than clipping in the same seconds`,
          arms: { penalty: a.id, clip: "wgan" },
        }))
        : [],
    judge: ({ penalty, clip }, ctx) => {
      const j = lowerSeedForSeed(paired(penalty, clip), atSameSeconds, ctx, "quality at the same seconds");
      return { ...j, ours: `${j.ours}; training seconds per run, median: ${seconds(penalty)} vs ${seconds(clip)}` };
    },
  },
  {
    id: "gan-faster-in-wall-clock",
    paper: "WGAN-GP Fig. 3 (right): the standard GAN (DCGAN) converges faster in wall-clock time than WGAN-GP",
    rule: (s) =>
      `per seed, the GAN's and the penalised run's quality at the same seconds of training (as above); supported if ` +
      `the GAN's is better seed for seed (one-sided Wilcoxon signed-rank test, α = ${s.alpha}, ≥ ${s.min_runs} ` +
      `seeds); contradicted if the penalty's is better`,
    instances: (e) =>
      e.data.kind === "image" && hasArm(e, "gan") && hasArm(e, "wgan-gp") && hasArm(e, "wgan")
        ? [{
          title: "the standard GAN reaches better quality than WGAN-GP in the same seconds",
          arms: { gan: "gan", penalty: "wgan-gp" },
        }]
        : [],
    judge: ({ gan, penalty }, ctx) => {
      const j = lowerSeedForSeed(paired(gan, penalty), atSameSeconds, ctx, "quality at the same seconds");
      return { ...j, ours: `${j.ours}; training seconds per run, median: ${seconds(gan)} vs ${seconds(penalty)}` };
    },
  },
  {
    id: "div-beats-penalty",
    paper: "WGAN-div (Wu et al. 2018, its FID tables): the Wasserstein divergence reaches better sample quality than " +
      "WGAN-GP",
    rule: (s) =>
      `per seed, each run's end quality (the median over its last ${OUTCOME_WINDOW} evaluations, the same ` +
      `iterations); supported if the divergence run's is better seed for seed (one-sided Wilcoxon signed-rank test, ` +
      `α = ${s.alpha}, ≥ ${s.min_runs} seeds); contradicted if the penalty's is better; seeds where a run blew up or ` +
      `diverged are left out and counted`,
    instances: (e) =>
      hasArm(e, "wgan-gp")
        ? e.arms.filter((a) => a.algorithm === "wgan-div").map((a) => ({
          title: `${a.id}: the Wasserstein divergence reaches better quality than the gradient penalty`,
          arms: { div: a.id, penalty: "wgan-gp" },
        }))
        : [],
    judge: ({ div, penalty }, ctx) =>
      lowerSeedForSeed(paired(div, penalty), (a, b) => [a.endQuality, b.endQuality], ctx, "end quality"),
  },
];

/** The critic-fit claim of WGAN-GP Fig. 1a (issue #26): critics trained against a fixed generator. */
const FIT_RULES: readonly ClaimRule[] = [
  {
    id: "penalty-critic-fits-closer",
    paper: "WGAN-GP Fig. 1a: critics trained to optimality against the data plus Gaussian noise — with weight " +
      "clipping they learn too simple a function and miss the data's higher moments; with a gradient penalty they " +
      "capture its shape",
    rule: (s) =>
      `per run, the share of the exact W1 between the evaluation's real and noisy points that the critic's ` +
      `estimate on those points reaches once divided by its Lipschitz constant on them (the largest |D(x) − D(y)| / ` +
      `‖x − y‖ over every pair; at most 1, and 1 only for an optimal critic, by Kantorovich–Rubinstein duality), ` +
      `the median over its last ${OUTCOME_WINDOW} evaluations; on the same seeds (≥ ${s.min_runs}): supported if ` +
      `the penalised critic's share is larger seed for seed (one-sided Wilcoxon signed-rank test, α = ${s.alpha}); ` +
      `contradicted if the clipped critic's is larger by the same test; undecided while either arm's shares still ` +
      `improve at the horizon`,
    instances: (e) =>
      holdsGeneratorFixed(e)
        ? clippedVsPenalty(e, (c) =>
          `${e.data.kind === "toy" ? e.data.toy : e.id}: the penalised critic fits W1 ` +
          `closer than one clipped at c = ${c}`).map((i) => ({
            ...i,
            title: e.arms.find((a) => a.id === i.arms.clip)?.overrides?.optimizer
              ? `${i.title} (both with Adam)`
              : i.title,
          }))
        : [],
    judge: ({ clip, penalty }, ctx) => {
      const s = ctx.statistics;
      const pairs = paired(clip, penalty).filter(([x, y]) =>
        Number.isFinite(x.endQuality) && Number.isFinite(y.endQuality)
      );
      // the end fit_gap is 1 − the share
      const a = pairs.map(([x]) => 1 - x.endQuality), b = pairs.map(([, y]) => 1 - y.endQuality);
      const larger = wilcoxonSignedRank(b.map((y, i) => y - a[i]), undefined, "greater").p;
      const smaller = wilcoxonSignedRank(b.map((y, i) => y - a[i]), undefined, "less").p;
      const lip = (runs: readonly RunAnalysis[]) =>
        f2(median(runs.map((r) => Number(r.record.finalQuality?.critic_lipschitz))));
      const enough = pairs.length >= s.min_runs;
      return {
        ours: `share of W1 after Lipschitz scaling: clipping median ${f2(median(a))} (range ${f2(Math.min(...a))}–${
          f2(Math.max(...a))
        }, Lipschitz constant median ${lip(clip)}), penalty median ${f2(median(b))} (range ${f2(Math.min(...b))}–${
          f2(Math.max(...b))
        }, Lipschitz constant ${lip(penalty)}); the penalty's larger in ${
          b.filter((y, i) => y > a[i]).length
        } of ${pairs.length} seeds (${p2(larger)})`,
        verdict: enough && larger < s.alpha
          ? "supported"
          : enough && smaller < s.alpha
          ? "contradicted"
          : "inconclusive",
        why: enough
          ? "the two critics' shares of W1 do not differ significantly seed for seed"
          : `too little data: ${pairs.length} paired seeds, the rule needs ${s.min_runs}`,
      };
    },
  },
];

/**
 * A study's own comparison (an experiment file's claim, issue #28): the arms it compares are named in the file's
 * `protocol.instances` (roles `better` and `other`); the rule is the speed claims' per-seed end-quality test.
 */
const STUDY_RULES: readonly ClaimRule[] = [
  {
    id: "better-end-quality",
    paper: "the experiment file's claim: one arm reaches better sample quality than another by the horizon",
    rule: (s) =>
      `per seed, each run's end quality (the median over its last ${OUTCOME_WINDOW} evaluations, the same ` +
      `iterations for both); supported if the first arm's is better seed for seed (one-sided Wilcoxon signed-rank ` +
      `test, α = ${s.alpha}, ≥ ${s.min_runs} seeds); contradicted if the other's is better by the same test; seeds ` +
      `where a run blew up or diverged are left out and counted`,
    // no arms by itself: the file names them
    instances: () => [],
    judge: ({ better, other }, ctx) =>
      lowerSeedForSeed(paired(better, other), (a, b) => [a.endQuality, b.endQuality], ctx, "end quality"),
  },
];

/** Every claim's rule. */
export const ALL_CLAIM_RULES: readonly ClaimRule[] = [
  ...CLAIM_RULES,
  ...STRUCTURE_RULES,
  ...FIT_RULES,
  ...SPEED_RULES,
  ...STUDY_RULES,
];

/** The rule of a claim id. */
export function claimRule(id: ClaimId): ClaimRule {
  const rule = ALL_CLAIM_RULES.find((c) => c.id === id);
  if (!rule) throw new RangeError(`No rule for claim "${id}"`);
  return rule;
}

/** Which arms must have levelled off for a claim: the runs it reads that did not blow up or diverge. */
function stillChanging(runs: Record<string, readonly RunAnalysis[]>, s: ProtocolStatistics): string | null {
  for (const [, arm] of Object.entries(runs)) {
    const live = arm.filter((r) => !BLOWN.has(r.record.outcome));
    const improving = live.filter((r) => r.stillImproving).length;
    if (live.length && improving / live.length >= s.still_changing_share) {
      return `still changing at the horizon: ${improving} of ${live.length} ${arm[0].arm} runs improved over their ` +
        `last ${s.last_fraction * 100}% of evaluations by more than ${s.still_improving_gain * 100}% of their gain`;
    }
  }
  return null;
}

/** One instance judged on the runs of the given seeds: the rule's judgement, or undecided when still changing. */
function judgeOn(
  rule: ClaimRule,
  runs: Record<string, readonly RunAnalysis[]>,
  ctx: ClaimContext,
  seeds: ReadonlySet<number>,
): Omit<Judgement, "verdict"> & { verdict: Verdict } {
  const kept = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.filter((r) => seeds.has(r.seed))]));
  const j = rule.judge(kept, ctx);
  const changing = rule.readsQuality === false ? null : stillChanging(kept, ctx.statistics);
  return changing ? { ...j, verdict: "undecided", why: `${changing} (by the rule alone: ${j.verdict})` } : j;
}

/**
 * Judges every claim the experiment tests (`claims`, from the protocol) on its runs: each claim's instances, each by
 * its rule on the runs of its arms; undecided when quality was still improving at the horizon; fragile when a
 * supported or contradicted verdict changes with one seed left out. An instance whose arms have no finished run is
 * inconclusive and says so.
 */
export function judgeClaims(
  experiment: ExperimentSpec,
  claims: readonly ClaimId[],
  analyses: readonly RunAnalysis[],
  ctx: ClaimContext,
): ClaimResult[] {
  return claims.flatMap((id) => {
    const rule = claimRule(id);
    // an experiment file may name the arms of a claim's instances; otherwise the rule finds them by itself
    const named = (experiment.protocol?.instances ?? []).filter((i) => i.claim === id);
    const instances: ClaimInstance[] = named.length
      ? named.map((i) => ({
        title: i.title ??
          `${id}: ${Object.entries(i.arms).map(([role, arm]) => `${arm} as ${role}`).join(", ")}`,
        arms: i.arms,
      }))
      : rule.instances(experiment);
    return instances.map((instance): ClaimResult => {
      const runs = Object.fromEntries(
        Object.entries(instance.arms).map(([role, arm]) => [role, analyses.filter((a) => a.arm === arm)]),
      );
      const missing = Object.entries(instance.arms).filter(([role]) => !runs[role].length).map(([, arm]) => arm);
      const base = { claim: instance.title, paper: rule.paper, rule: rule.rule(ctx.statistics) };
      if (missing.length) {
        return { ...base, ours: "–", verdict: "inconclusive", why: `no finished run of ${missing.join(", ")}` };
      }
      const seeds = [...new Set(Object.values(runs).flatMap((r) => r.map((x) => x.seed)))].sort((a, b) => a - b);
      const all = judgeOn(rule, runs, ctx, new Set(seeds));
      // with a seed left out, one run fewer than min_runs is enough: the question is whether the tests still decide
      const loso = { ...ctx, statistics: { ...ctx.statistics, min_runs: ctx.statistics.min_runs - 1 } };
      const { flips } = leaveOneSeedOut(
        seeds,
        (kept) => kept.length === seeds.length ? all.verdict : judgeOn(rule, runs, loso, new Set(kept)).verdict,
      );
      const stability = flips.length
        ? `without seed ${flips.map((f) => `${f.seed}: ${f.verdict}`).join("; without seed ")}`
        : `stable: the same with any one of ${seeds.length} seeds left out`;
      const decided = all.verdict === "supported" || all.verdict === "contradicted";
      return {
        ...base,
        ours: all.ours,
        verdict: decided && flips.length ? "fragile" : all.verdict,
        why: decided && flips.length ? `${all.verdict} on all seeds, but ${stability}` : decided ? "" : all.why,
        stability,
      };
    });
  });
}

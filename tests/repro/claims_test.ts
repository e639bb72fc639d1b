import assert from "node:assert/strict";
import { CLAIM_RULES, claimRule, judgeClaims, STRUCTURE_CLAIM_IDS, tracking } from "../../repro/analysis/claims.ts";
import type { RunAnalysis } from "../../repro/analysis/run_analysis.ts";
import { type ClaimId } from "../../repro/config/experiments.ts";

import { protocol, type ProtocolStatistics } from "../../repro/config/protocol.ts";
import type { Outcome } from "../../repro/folder/outcome.ts";
import { experiments, findExperiment } from "../../repro/config/registry.ts";

const S: ProtocolStatistics = protocol().statistics;
const ctx = { primary: "fd_lenet", statistics: S };

/**
 * A run whose late evaluations put the estimate and quality in the same order across seeds when `across` is true
 * (seed s has estimate s and quality 10 + s at the late steps), the reverse when false.
 */
function run(arm: string, seed: number, o: RunOptions = {}) {
  const steps = [100, 200, 300, 400, 500, 600, 700, 800];
  const sign = o.across === false ? -1 : 1;
  const r: RunAnalysis = {
    arm,
    seed,
    plotted: "estimate",
    spearman: 0.9,
    pearson: 0.9,
    spearmanChanges: 0.4,
    spearmanPartial: 0.3,
    qualityMoved: true,
    evalPoints: steps.length,
    pairs: steps.map((step, i) => ({ step, estimate: sign * seed + (8 - i), quality: 10 + seed + (8 - i) })),
    endQuality: 10 + seed,
    curve: [
      { step: 0, seconds: 0, quality: 500 },
      ...steps.map((step, i) => ({ step, seconds: step / 10, quality: 10 + seed + (8 - i) })),
    ],
    stillImproving: false,
    worstRelapse: 1,
    relapsed: false,
    spikes: 0,
    negativeCosineShare: NaN,
    minCosine: NaN,
    gradientGrowth: NaN,
    underflowLayers: 0,
    weightsAtExtremes: NaN,
    record: {
      arm,
      seed,
      outcome: o.outcome ?? "converged",
      iterations: 800,
      initialQuality: { fd_lenet: 500 },
      finalQuality: { fd_lenet: 10 + seed },
      trainSeconds: 10,
      evaluator: {},
    },
    iterationsPerSecond: 80,
  };
  const { outcome: _, across: __, ...rest } = o;
  return { ...r, ...rest };
}
const seeds = [20, 21, 22, 23, 24, 25];
type RunOptions = Partial<RunAnalysis> & { outcome?: Outcome; across?: boolean };
const arm = (id: string, o: (seed: number, i: number) => RunOptions = () => ({})) =>
  seeds.map((s, i) => run(id, s, o(s, i)));

Deno.test("claims v2: every claim the protocol names has a rule, and each instance reads arms the experiment has", () => {
  for (const e of experiments()) {
    for (const id of protocol().experiments[e.id]?.claims ?? []) {
      const instances = claimRule(id).instances(e);
      assert.ok(instances.length > 0, `${e.id}: ${id} has no instance`);
      for (const i of instances) {
        for (const a of Object.values(i.arms)) assert.ok(e.arms.some((x) => x.id === a), `${e.id}: ${a}`);
      }
    }
  }
  // the quality claims (the critic-structure ones are STRUCTURE_CLAIM_IDS)
  assert.deepEqual(CLAIM_RULES.map((r) => r.id), [
    "loss-tracks-quality",
    "gan-loss-does-not",
    "wgan-trains-where-gan-fails",
    "adam-less-stable",
    "both-losses-train",
    "wgan-no-mode-collapse",
  ]);
  // the tanh control: both standard-GAN arms of mnist-mlp are judged, each against the WGAN arm
  const mlp = findExperiment("mnist-mlp");
  assert.deepEqual(claimRule("wgan-trains-where-gan-fails").instances(mlp).map((i) => i.arms.gan), ["gan", "gan-tanh"]);
  assert.deepEqual(claimRule("gan-loss-does-not").instances(mlp).map((i) => i.arms.gan), ["gan", "gan-tanh"]);
  // the momentum control
  const adam = findExperiment("mnist-adam-vs-rmsprop");
  assert.deepEqual(claimRule("adam-less-stable").instances(adam).map((i) => i.arms.stable), ["rmsprop", "adam-b1-0"]);
});

Deno.test("tracks: levels, changes and across seeds must all hold; a shared trend alone does not", () => {
  const judge = (runs: RunAnalysis[]) => claimRule("loss-tracks-quality").judge({ critic: runs }, ctx);
  assert.equal(judge(arm("wgan")).verdict, "supported");
  // levels 0.9 in every seed but changes of both signs: the shared trend is not tracking
  const trend = judge(arm("wgan", (_, i) => ({ spearmanChanges: i % 2 ? 0.3 : -0.3 })));
  assert.equal(trend.verdict, "inconclusive");
  // within runs yes, across seeds the reverse order: not supported, and the why says so
  const noAcross = judge(arm("wgan", () => ({ across: false })));
  assert.equal(noAcross.verdict, "inconclusive");
  assert.match(noAcross.why, /not across seeds/);
  // changes uncorrelated in every seed (all below 0.1): contradicted
  assert.equal(judge(arm("wgan", (_, i) => ({ spearmanChanges: -0.2 + 0.01 * i }))).verdict, "contradicted");
  assert.match(judge(arm("wgan")).ours, /median ρ on levels 0\.90 \(p = 0\.016\), on step-to-step changes 0\.40/);
});

Deno.test("tracking claims leave out blown-up, diverged and flat runs, count them, and need min_runs of the rest", () => {
  const runs = arm(
    "gan",
    (_, i) =>
      i === 0
        ? { outcome: "blew-up", spearman: 1, spearmanChanges: 1 }
        : i === 1
        ? { qualityMoved: false }
        : i === 2
        ? { evalPoints: 3 }
        : {},
  );
  const t = tracking(runs, S);
  assert.equal(t.runs, 3);
  assert.match(t.excluded, /1 blew-up, 1 quality never moved, 1 fewer than 8 evaluations/);
  const j = claimRule("gan-loss-does-not").judge({ gan: runs }, ctx);
  assert.equal(j.verdict, "inconclusive");
  assert.match(j.why, /too little data: 3 runs a correlation can read, the rule needs 6/);
  // a blown-up run never counts as tracking: six blown-up runs with ρ = 1 decide nothing
  const blown = arm("gan", () => ({ outcome: "blew-up", spearman: 1, spearmanChanges: 1 }));
  assert.equal(tracking(blown, S).runs, 0);
  assert.equal(claimRule("gan-loss-does-not").judge({ gan: blown }, ctx).verdict, "inconclusive");
});

Deno.test("the GAN's loss: supported when its ρ on changes lies below the line, contradicted when it tracks", () => {
  const judge = (runs: RunAnalysis[]) => claimRule("gan-loss-does-not").judge({ gan: runs }, ctx);
  assert.equal(judge(arm("gan", (_, i) => ({ spearmanChanges: -0.1 + 0.02 * i }))).verdict, "supported");
  assert.equal(judge(arm("gan")).verdict, "contradicted"); // levels 0.9 and changes 0.4 in every seed
  assert.equal(judge(arm("gan", (_, i) => ({ spearmanChanges: i % 2 ? 0.5 : -0.3 }))).verdict, "inconclusive");
});

Deno.test("WGAN trains where the GAN fails: Fisher's exact test on converged seeds and a paired rank test", () => {
  const judge = (w: RunAnalysis[], g: RunAnalysis[]) =>
    claimRule("wgan-trains-where-gan-fails").judge({ wgan: w, gan: g }, ctx);
  const blown = arm("gan", () => ({ outcome: "blew-up", endQuality: NaN }));
  const yes = judge(arm("wgan"), blown);
  assert.equal(yes.verdict, "supported");
  assert.match(yes.ours, /6 paired seeds: converged wgan 6, gan 0 \(Fisher p = 0\.001\)/);
  assert.match(yes.ours, /better under wgan in 6 of 6 seeds \(Wilcoxon p = 0\.016; medians wgan 32\.50, gan –\)/);
  // both converge, the GAN's quality better seed for seed: contradicted
  assert.equal(judge(arm("wgan"), arm("gan", (s) => ({ endQuality: s - 15 }))).verdict, "contradicted");
  // 3 of 6 vs 0 of 6 converged (p = 0.09): the outcomes alone do not decide
  const half = judge(arm("wgan", (_, i) => (i < 3 ? {} : { outcome: "failed" })), blown);
  assert.equal(half.verdict, "inconclusive");
  assert.match(half.why, /end quality is better seed for seed, but it does not converge in significantly more/);
  assert.equal(judge(arm("wgan").slice(0, 5), blown.slice(0, 5)).verdict, "inconclusive");
});

Deno.test("Adam less stable: relapses in more seeds, or larger ones seed for seed, each at α/2", () => {
  const judge = (m: RunAnalysis[], r: RunAnalysis[]) =>
    claimRule("adam-less-stable").judge({ momentum: m, stable: r }, ctx);
  const unstable = arm("adam-b1-0.5", () => ({ relapsed: true, worstRelapse: 2, negativeCosineShare: 0.3 }));
  const steady = arm("rmsprop", () => ({ negativeCosineShare: 0, minCosine: 0.2 }));
  assert.equal(judge(unstable, steady).verdict, "supported");
  assert.equal(judge(steady.map((r) => ({ ...r, arm: "adam-b1-0.5" })), unstable).verdict, "contradicted");
  const none = judge(arm("adam-b1-0.5"), steady);
  assert.equal(none.verdict, "inconclusive");
  assert.match(none.why, /no run of either arm got worse again/);
  assert.match(
    judge(unstable, steady).ours,
    /6\/6 unstable, worst relapse median 2\.00.*negative-cosine updates median 0\.30/,
  );
});

Deno.test("judgeClaims(): undecided while quality still improves; fragile when one seed left out flips it", () => {
  const e = findExperiment("mnist-mlp");
  const runs = [...arm("wgan"), ...arm("gan", () => ({ outcome: "blew-up" })), ...arm("gan-tanh")];
  const claims = ["loss-tracks-quality", "wgan-trains-where-gan-fails"] as const;
  const rows = judgeClaims(e, claims, runs, ctx);
  assert.deepEqual(rows.map((r) => [r.claim, r.verdict]), [
    ["wgan: the critic's Wasserstein estimate tracks sample quality", "supported"],
    ["this generator trains under WGAN and collapses or fails under the standard GAN (gan)", "supported"],
    ["this generator trains under WGAN and collapses or fails under the standard GAN (gan-tanh)", "inconclusive"],
  ]);
  assert.equal(rows[0].stability, "stable: the same with any one of 6 seeds left out");
  // half the WGAN runs still improving at the horizon: undecided, whatever the rule alone says
  const improving = judgeClaims(
    e,
    claims,
    [...arm("wgan", (_, i) => ({ stillImproving: i < 3 })), ...runs.slice(6)],
    ctx,
  );
  assert.equal(improving[0].verdict, "undecided");
  assert.match(improving[0].why, /still changing at the horizon: 3 of 6 wgan runs .* \(by the rule alone: supported\)/);
  // 6 seeds, one with a slightly negative ρ on changes: p = 2/64 supports; with any positive seed left out, p = 2/32
  // does not, so the verdict is fragile (leaving out the negative seed keeps it)
  const six = arm("wgan", (_, i) => ({ spearmanChanges: i === 0 ? -0.01 : 0.1 * (i + 1) }));
  const fragile = judgeClaims(e, ["loss-tracks-quality"], six, ctx);
  assert.equal(fragile[0].verdict, "fragile");
  assert.match(fragile[0].why, /^supported on all seeds, but without seed 21: inconclusive; without seed 22/);
  assert.doesNotMatch(fragile[0].stability!, /seed 20/);
  // an arm without runs
  assert.equal(judgeClaims(e, ["loss-tracks-quality"], arm("gan"), ctx)[0].why, "no finished run of wgan");
});

Deno.test("WGAN-GP Fig. 1b: clipping's gradients change by more than the line per layer and more than the penalty's", () => {
  const e = findExperiment("toy-deep-critic");
  assert.deepEqual(STRUCTURE_CLAIM_IDS, [
    "clipping-gradients-explode-or-vanish",
    "penalty-gradients-level",
    "clipping-piles-weights-at-c",
  ]);
  assert.deepEqual(
    claimRule("clipping-gradients-explode-or-vanish").instances(e).map((i) => i.arms),
    ["wgan-c0.1", "wgan-c0.01", "wgan-c0.001"].map((clip) => ({ clip, penalty: "wgan-gp" })),
  );
  // a clipped arm without a penalty arm has no instance (mnist-dcgan: wgan and gan)
  assert.deepEqual(claimRule("clipping-piles-weights-at-c").instances(findExperiment("mnist-dcgan")), []);
  const gp = arm("wgan-gp", (_, i) => ({ gradientGrowth: 0.01 * (i - 2), weightsAtExtremes: 0.002 }));
  const runs = [
    // vanishing by ~1 decade per layer, some layers underflowed; the weights at ±c
    ...arm(
      "wgan-c0.01",
      (_, i) => ({ gradientGrowth: -1 - 0.1 * i, underflowLayers: i % 2, weightsAtExtremes: 0.95 }),
    ),
    // exploding by 0.2
    ...arm("wgan-c0.1", (_, i) => ({ gradientGrowth: 0.2 + 0.01 * i, weightsAtExtremes: 0.3 + 0.01 * i })),
    // level: the claim is contradicted; and few weights at the extremes
    ...arm("wgan-c0.001", (_, i) => ({ gradientGrowth: 0.02 - 0.01 * i, weightsAtExtremes: 0.05 })),
    ...gp,
    // quality still improving in every run: these claims do not read quality, so they are not undecided
  ].map((r) => ({ ...r, stillImproving: true }));
  const rows = judgeClaims(e, STRUCTURE_CLAIM_IDS, runs, ctx);
  assert.deepEqual(rows.map((r) => [r.claim, r.verdict]), [
    ["clipping at c = 0.1: the critic's gradients explode or vanish", "supported"],
    ["clipping at c = 0.01: the critic's gradients explode or vanish", "supported"],
    ["clipping at c = 0.001: the critic's gradients explode or vanish", "contradicted"],
    ["a gradient penalty keeps the deep critic's gradients level", "supported"],
    ["clipping at c = 0.1 piles the critic's weights up at ±c", "supported"],
    ["clipping at c = 0.01 piles the critic's weights up at ±c", "supported"],
    ["clipping at c = 0.001 piles the critic's weights up at ±c", "contradicted"],
  ]);
  assert.match(rows[0].ours, /median \+0\.23 decades \(exploding; .*0 of 6 runs with layers underflowed to 0\)/);
  assert.match(rows[1].ours, /median -1\.25 decades \(vanishing; .*3 of 6 runs with layers underflowed to 0\)/);
  assert.match(rows[1].ours, /larger than the penalty's in 6 of 6 seeds \(p = 0\.016\)/);
  // a penalised critic whose gradients grow: contradicted; one seed short: inconclusive, saying why
  const growing = gp.map((r) => ({ ...r, gradientGrowth: 0.5 }));
  assert.equal(judgeClaims(e, ["penalty-gradients-level"], growing, ctx)[0].verdict, "contradicted");
  const short = judgeClaims(e, ["penalty-gradients-level"], gp.slice(1), ctx)[0];
  assert.equal(short.verdict, "inconclusive");
  assert.match(short.why, /too little data: 5 runs with per-layer gradients, the rule needs 6/);
  // folders without the columns (NaN): inconclusive, not an error
  const none = judgeClaims(e, ["clipping-gradients-explode-or-vanish"], [...arm("wgan-c0.1"), ...arm("wgan-gp")], ctx);
  assert.equal(none[0].verdict, "inconclusive");
});

Deno.test("both losses train (WGAN Fig. 5): more than half the runs converge by the exact binomial test", () => {
  const e = findExperiment("mnist-dcgan");
  assert.deepEqual(claimRule("both-losses-train").instances(e).map((i) => i.arms.arm), ["wgan", "gan"]);
  // 6 of 6 converged: p = 1/64
  const six = judgeClaims(e, ["both-losses-train"], [
    ...arm("wgan"),
    ...arm("gan", (_, i) => ({ outcome: i < 5 ? "converged" : "not-trained" })),
  ], ctx);
  assert.deepEqual(six.map((r) => r.verdict), ["supported", "inconclusive"]);
  assert.match(six[0].ours, /^6 of 6 runs converged \(more than 50%: p = 0\.016; outcomes: 6 converged\)/);
  assert.match(six[1].why, /5 of 6 converged: the share is not shown above or below 0\.5/);
  const none = judgeClaims(e, ["both-losses-train"], arm("gan", () => ({ outcome: "not-trained" })), ctx);
  assert.equal(none.find((r) => r.claim.startsWith("gan"))!.verdict, "contradicted");
});

Deno.test("no mode collapse under WGAN (Sec. 4.3): none of the recognisable runs collapsed; two or more contradict", () => {
  const e = findExperiment("mnist-dcgan-nobn");
  assert.deepEqual(claimRule("wgan-no-mode-collapse").instances(e).map((i) => i.arms.arm), ["wgan"]);
  assert.deepEqual(claimRule("wgan-no-mode-collapse").instances(findExperiment("toy-swissroll")), []);
  const judge = (runs: RunAnalysis[]) => judgeClaims(e, ["wgan-no-mode-collapse"], runs, ctx)[0];
  assert.equal(judge(arm("wgan")).verdict, "supported");
  const one = judge(arm("wgan", (_, i) => ({ outcome: i === 0 ? "collapsed" : "converged" })));
  assert.equal(one.verdict, "inconclusive");
  assert.match(one.ours, /^1 of 6 runs with recognisable samples collapsed \(outcomes: 1 collapsed, 5 converged\)/);
  // two collapsed contradict, but with either left out one remains: fragile; three are not
  assert.equal(judge(arm("wgan", (_, i) => ({ outcome: i < 2 ? "collapsed" : "converged" }))).verdict, "fragile");
  assert.equal(judge(arm("wgan", (_, i) => ({ outcome: i < 3 ? "collapsed" : "converged" }))).verdict, "contradicted");
  // runs that did not train cannot show collapse: too few left
  const flat = judge(arm("wgan", (_, i) => ({ outcome: i < 2 ? "not-trained" : "converged" })));
  assert.equal(flat.verdict, "inconclusive");
  assert.match(flat.why, /too little data: 4 runs with recognisable samples, the rule needs 6/);
});

Deno.test("WGAN-GP Fig. 1a: the penalised critic's Lipschitz-scaled share of W1 is larger seed for seed", () => {
  const e = findExperiment("toy-critic-fit-8gaussians");
  const rule = claimRule("penalty-critic-fits-closer");
  assert.deepEqual(rule.instances(e).map((i) => [i.title, i.arms]), [
    ["8gaussians: the penalised critic fits W1 closer than one clipped at c = 0.01", {
      clip: "wgan",
      penalty: "wgan-gp",
    }],
    [
      "8gaussians: the penalised critic fits W1 closer than one clipped at c = 0.01 (both with Adam)",
      { clip: "wgan-adam", penalty: "wgan-gp" },
    ],
  ]);
  // only experiments that hold the generator fixed: toy-deep-critic has clipped and penalised arms, but trains both
  assert.deepEqual(rule.instances(findExperiment("toy-deep-critic")), []);
  // endQuality is the end fit_gap: 1 − share; clipping reaches ~0.5 of W1, the penalty ~0.9
  const fit = { primary: "fit_gap", statistics: S };
  const clip = arm("wgan", (_, i) => ({ endQuality: 0.5 - 0.01 * i }));
  const adam = arm("wgan-adam", (_, i) => ({ endQuality: 0.05 + 0.01 * i }));
  const gp = arm("wgan-gp", (_, i) => ({ endQuality: 0.1 + 0.01 * i }));
  const rows = judgeClaims(e, ["penalty-critic-fits-closer"], [...clip, ...adam, ...gp], fit);
  assert.deepEqual(rows.map((r) => r.verdict), ["supported", "contradicted"]);
  assert.match(rows[0].ours, /clipping median 0\.53 .* penalty median 0\.88 .* larger in 6 of 6 seeds \(p = 0\.016\)/);
  assert.match(rows[0].stability!, /^stable/);
  // mixed: inconclusive; still improving at the horizon: undecided (the fit must have levelled off)
  const mixed = arm("wgan", (_, i) => ({ endQuality: i % 2 ? 0.05 : 0.5 }));
  assert.equal(judgeClaims(e, ["penalty-critic-fits-closer"], [...mixed, ...gp], fit)[0].verdict, "inconclusive");
  const moving = gp.map((r) => ({ ...r, stillImproving: true }));
  assert.equal(judgeClaims(e, ["penalty-critic-fits-closer"], [...clip, ...moving], fit)[0].verdict, "undecided");
});

Deno.test("WGAN-GP Fig. 3 and WGAN-div: quality paired over seeds, at the same iterations and at the same seconds", () => {
  const fig3 = findExperiment("mnist-gp-fig3"), div = findExperiment("mnist-div-vs-gp");
  const arms = (id: ClaimId, e = fig3) => claimRule(id).instances(e).map((i) => i.arms);
  assert.deepEqual(arms("penalty-beats-clipping-per-iteration"), [
    { penalty: "wgan-gp-rmsprop", clip: "wgan" },
    { penalty: "wgan-gp", clip: "wgan" },
  ]);
  assert.deepEqual(arms("penalty-beats-clipping-per-second"), arms("penalty-beats-clipping-per-iteration"));
  assert.deepEqual(arms("gan-faster-in-wall-clock"), [{ gan: "gan", penalty: "wgan-gp" }]);
  assert.deepEqual(arms("div-beats-penalty", div), [
    { div: "wgan-div-same-optimizer", penalty: "wgan-gp" },
    { div: "wgan-div", penalty: "wgan-gp" },
  ]);
  // quality q(step) over training seconds t(step), evaluations every 100 to 800
  const curve = (q: (step: number) => number, secondsPerStep: number) =>
    [0, 100, 200, 300, 400, 500, 600, 700, 800].map((step) => ({
      step,
      seconds: step * secondsPerStep,
      quality: q(step),
    }));
  const withCurve = (id: string, q: (step: number, i: number) => number, secondsPerStep: number) =>
    arm(id, (_, i) => {
      const c = curve((step) => q(step, i), secondsPerStep);
      return { curve: c, endQuality: c[c.length - 1].quality };
    });
  // clipping: fast iterations, ends at 92 + i; the penalty: 4x slower, worse early, ends at 80 + i; the GAN: fastest
  const clip = withCurve("wgan", (step, i) => 100 - step / 100 + i, 0.1);
  const gp = withCurve("wgan-gp", (step, i) => 120 - step / 20 + i, 0.4);
  const gan = withCurve("gan", (step, i) => 90 - step / 10 + i, 0.05);
  const runs = [...clip, ...gp, ...gan, ...withCurve("wgan-gp-rmsprop", (step, i) => 100 - step / 100 + i + 1, 0.4)];
  const fig = (id: ClaimId) => judgeClaims(fig3, [id], runs, ctx).map((r) => r.verdict);
  // per iteration the penalty ends lower (80 vs 92); the RMSProp control ends higher (93 vs 92)
  assert.deepEqual(fig("penalty-beats-clipping-per-iteration"), ["contradicted", "supported"]);
  // in the same seconds (clipping's 80 s: the penalty at step 200, 110 + i) clipping is ahead
  assert.deepEqual(fig("penalty-beats-clipping-per-second"), ["contradicted", "contradicted"]);
  const perSecond = judgeClaims(fig3, ["penalty-beats-clipping-per-second"], runs, ctx)[1];
  assert.match(
    perSecond.ours,
    /wgan-gp median 112\.50, wgan median 94\.50 .* training seconds per run, median: 320\.00 vs 80\.00/,
  );
  // the GAN's 40 s: the penalty at step 100 (115 + i), the GAN at its end (10 + i)
  assert.deepEqual(fig("gan-faster-in-wall-clock"), ["supported"]);
  // a diverged penalised run (no end quality) is left out of its pair and counted: 5 pairs, too few
  const diverged = [...clip, ...gp.map((r, i) => (i === 0 ? { ...r, endQuality: NaN } : r))];
  const short = judgeClaims(fig3, ["penalty-beats-clipping-per-iteration"], diverged, ctx)[1];
  assert.equal(short.verdict, "inconclusive");
  assert.match(short.ours, /1 seed\(s\) left out: a run blew up or diverged/);
  assert.match(short.why, /too little data: 5 paired seeds, the rule needs 6/);
  // WGAN-div: lower end quality than the penalty in every seed with its own settings, mixed with the penalty's optimizer
  const divRuns = [
    ...gp,
    ...withCurve("wgan-div", (step, i) => 110 - step / 20 + i, 0.5),
    ...withCurve("wgan-div-same-optimizer", (step, i) => 120 - step / 20 + (i % 2 ? 3 : -3), 0.5),
  ];
  assert.deepEqual(judgeClaims(div, ["div-beats-penalty"], divRuns, ctx).map((r) => r.verdict), [
    "inconclusive",
    "supported",
  ]);
});

import assert from "node:assert/strict";
import { unreadByV1 } from "./arm_fixture.ts";

import {
  analyseRun,
  countSpikes,
  gradientGrowth,
  stillImproving,
  worstRelapse,
} from "../../repro/analysis/run_analysis.ts";
import type { ArmSummary } from "../../repro/analysis/arm_summary.ts";
import { judgeClaimsV1 as judgeClaims } from "../../repro/analysis/claims_v1.ts";
import type { RunRecord } from "../../repro/run/run_one.ts";
import { findExperiment } from "../../repro/config/registry.ts";

const record = (arm: string, seed: number): RunRecord => ({
  arm,
  seed,
  outcome: "converged",
  iterations: 40,
  initialQuality: { w1: 2 },
  finalQuality: { w1: 0.5 },
  trainSeconds: 4,
  evaluator: {},
});

Deno.test("analyseRun() median-filters the estimate between evaluations and correlates it with quality", () => {
  // estimates logged at steps 5..40; evaluations at 10, 20, 30, 40 with falling W1
  const rows = [
    { step: "0", wasserstein_estimate: "", w1: "2" },
    { step: "5", wasserstein_estimate: "9", w1: "" },
    { step: "10", wasserstein_estimate: "1", w1: "1.5" }, // median(9, 1) = 5
    { step: "15", wasserstein_estimate: "4", w1: "" },
    { step: "20", wasserstein_estimate: "2", w1: "1.0" }, // median(4, 2) = 3
    { step: "25", wasserstein_estimate: "100", w1: "" },
    { step: "30", wasserstein_estimate: "1", w1: "0.8" }, // median(100, 1) = 50.5: an outlier window
    { step: "35", wasserstein_estimate: "1", w1: "" },
    { step: "40", wasserstein_estimate: "1", w1: "0.5" }, // 1
  ];
  const a = analyseRun(rows, record("wgan", 0), "w1");
  assert.deepEqual(a.pairs, [
    { step: 10, estimate: 5, quality: 1.5 },
    { step: 20, estimate: 3, quality: 1.0 },
    { step: 30, estimate: 50.5, quality: 0.8 },
    { step: 40, estimate: 1, quality: 0.5 },
  ]);
  assert.equal(a.spearman, 0.4); // ranks (3, 2, 4, 1) vs (4, 3, 2, 1)
  // changes: estimate −2, +47.5, −49.5 against W1 −0.5, −0.2, −0.3 → ranks (2, 3, 1) vs (1, 3, 2)
  assert.equal(a.spearmanChanges, 0.5);
  assert.ok(a.qualityMoved, "W1 fell from 2 to 0.5");
  assert.ok(!analyseRun(rows.map((r) => ({ ...r, w1: r.w1 === "" ? "" : "2" })), record("wgan", 0), "w1").qualityMoved);
  assert.equal(a.iterationsPerSecond, 10);
});

function arm(id: string, spearman: number, ci: number, extra: Partial<ArmSummary> = {}): ArmSummary {
  const m = (mean: number, ci95: number) => ({ mean, ci95, n: 5, lo: mean - ci95, hi: mean + ci95 });
  return {
    arm: id,
    seeds: 5,
    spearman: m(spearman, ci),
    spearmanValues: [spearman],
    pearson: m(spearman, ci),
    qualityMovedRuns: 5,
    spearmanChangesMedian: spearman,
    spearmanPartialMedian: spearman,
    ...unreadByV1(spearman, 1),
    finalQuality: m(1, 0.1),
    finalQualityRuns: 5,
    coverage: m(8, 0),
    shares: { converged: 1, collapsed: 0, "not-trained": 0, failed: 0, "blew-up": 0, diverged: 0 },
    throughput: m(10, 1),
    evalPoints: 10,
    ...extra,
  };
}

Deno.test("judgeClaimsV1() applies rules v1 as published: supported, contradicted, inconclusive", () => {
  const toy = findExperiment("toy-8gaussians");
  const verdicts = (arms: ArmSummary[]) => judgeClaims(toy, arms, "w1").map((c) => c.verdict);
  assert.deepEqual(
    verdicts([arm("wgan", 0.8, 0.1), arm("wgan-gp", 0.1, 0.1), arm("wgan-div", 0.6, 0.7), arm("gan", 0.1, 0.2)]),
    ["supported", "contradicted", "inconclusive", "supported"],
  );
  // too few evaluation points makes every correlation verdict inconclusive
  const few = (id: string) => arm(id, 0.9, 0.05, { evalPoints: 3 });
  assert.deepEqual(verdicts([few("wgan"), few("wgan-gp"), few("wgan-div"), few("gan")]), Array(4).fill("inconclusive"));
  assert.equal(
    verdicts([arm("wgan", 0.8, 0.1), arm("wgan-gp", 0.8, 0.1), arm("wgan-div", 0.8, 0.1), arm("gan", 0.9, 0.05)])[3],
    "contradicted",
  );

  const mlp = findExperiment("mnist-mlp");
  const fails = (w: Partial<ArmSummary>, g: Partial<ArmSummary>) =>
    judgeClaims(mlp, [arm("wgan", 0.8, 0.1, w), arm("gan", 0.1, 0.1, g)], "fid")[2].verdict;
  const q = (mean: number) => ({ mean, ci95: 5, n: 5, lo: mean - 5, hi: mean + 5 });
  const allBad = { converged: 0, collapsed: 1, "not-trained": 0, failed: 0, "blew-up": 0, diverged: 0 };
  const allBlewUp = { ...allBad, collapsed: 0, "blew-up": 1 };
  assert.equal(fails({ finalQuality: q(50) }, { finalQuality: q(200), shares: allBad }), "supported");
  // every GAN run blew up: no quality to average, and WGAN trained in more seeds
  assert.equal(
    fails({ finalQuality: q(50) }, {
      finalQuality: { mean: NaN, ci95: NaN, n: 0, lo: NaN, hi: NaN },
      finalQualityRuns: 0,
      shares: allBlewUp,
    }),
    "supported",
  );
  assert.equal(
    fails({ finalQuality: q(50), shares: allBad }, { finalQuality: q(200), shares: allBad }),
    "inconclusive",
  );
  assert.equal(fails({ finalQuality: q(200) }, { finalQuality: q(50) }), "contradicted");
});

Deno.test("stillImproving(): the last quarter better than the one before by more than 10% of the gain so far", () => {
  // 8 evaluations: quarters of 2; the last quarter's median 25, gain so far 500 − 25 = 475, 10% of it 47.5
  assert.equal(stillImproving(500, [400, 300, 200, 150, 100, 80, 30, 20], 0.25, 0.1), true); // 90 − 25 = 65 > 47.5
  assert.equal(stillImproving(500, [400, 300, 200, 150, 60, 40, 30, 20], 0.25, 0.1), false); // 50 − 25 = 25
  assert.equal(stillImproving(500, [500, 500, 510, 505, 502, 499, 501, 500], 0.25, 0.1), false); // never improved
  assert.equal(stillImproving(500, [400, 300], 0.25, 0.1), false); // too short to have two quarters
});

Deno.test("worstRelapse(): a running median of 3 against the best before it, once quality has moved", () => {
  // smoothed: 500, 450, 400, 400, 200, 200, 200, 400 → worst 400 / 200 = 2
  assert.equal(worstRelapse(500, [500, 400, 400, 200, 200, 100, 400, 400], 0.1), 2);
  // a single bad evaluation is smoothed away
  assert.equal(worstRelapse(500, [400, 300, 200, 900, 150, 120], 0.1), 1);
  // never moved: no relapse is measured
  assert.ok(Number.isNaN(worstRelapse(500, [490, 480, 495], 0.1)));
});

Deno.test("countSpikes(): estimates far from the median of the rows before, in MADs", () => {
  const calm = Array.from({ length: 40 }, (_, i) => 1 + 0.01 * (i % 3));
  assert.equal(countSpikes(calm, 8), 0);
  const spiked = [...calm];
  spiked[30] = 5;
  assert.equal(countSpikes(spiked, 8), 1);
  // a constant series has no spread to measure against: nothing is a spike
  assert.equal(countSpikes(Array(30).fill(2), 8), 0);
});

Deno.test("analyseRun(): the update cosine's negative share and the end quality over the outcome window", () => {
  const rows = [
    { step: "0", wasserstein_estimate: "", critic_update_cosine: "", w1: "2" },
    { step: "10", wasserstein_estimate: "1", critic_update_cosine: "0.5", w1: "1.5" },
    { step: "20", wasserstein_estimate: "1", critic_update_cosine: "-0.25", w1: "1.0" },
    { step: "30", wasserstein_estimate: "1", critic_update_cosine: "0.25", w1: "0.8" },
    { step: "40", wasserstein_estimate: "1", critic_update_cosine: "-0.5", w1: "0.5" },
  ];
  const a = analyseRun(rows, { ...record("wgan", 0), outcomeWindow: [{ w1: 1 }, { w1: 0.8 }, { w1: 0.5 }] }, "w1");
  assert.equal(a.negativeCosineShare, 0.5);
  assert.equal(a.minCosine, -0.5);
  assert.equal(a.endQuality, 0.8);
  assert.ok(Number.isNaN(
    analyseRun(rows.map((r) => ({ ...r, critic_update_cosine: "" })), record("wgan", 0), "w1")
      .negativeCosineShare,
  ));
});

Deno.test("analyseRun(): WGAN-GP's plotted quantity is the negative critic loss with its penalty, not the estimate", () => {
  const rows = [
    { step: "0", wasserstein_estimate: "", critic_loss: "", w1: "2" },
    { step: "10", wasserstein_estimate: "3", critic_loss: "-1", w1: "1.5" },
    { step: "20", wasserstein_estimate: "2", critic_loss: "-2", w1: "1.0" },
    { step: "30", wasserstein_estimate: "1", critic_loss: "-3", w1: "0.5" },
  ];
  const estimate = analyseRun(rows, record("wgan-gp", 0), "w1");
  const plotted = analyseRun(rows, record("wgan-gp", 0), "w1", undefined, "negative-critic-loss");
  assert.deepEqual(plotted.pairs.map((p) => p.estimate), [1, 2, 3]);
  assert.equal(plotted.plotted, "negative-critic-loss");
  assert.equal(estimate.spearman, 1);
  assert.equal(plotted.spearman, -1);
});

Deno.test("gradientGrowth(): decades per layer going back to the input, underflowed layers left out and counted", () => {
  // norms 0.01 at the input, 0.1, 1 at the last hidden layer: shrinking by a decade per layer toward the input
  assert.deepEqual(gradientGrowth([0.01, 0.1, 1]), { growth: -1, underflow: 0 });
  assert.deepEqual(gradientGrowth([100, 10, 1]), { growth: 1, underflow: 0 });
  assert.deepEqual(gradientGrowth([0, 0, 1e-4, 1e-2, 1]), { growth: -2, underflow: 2 });
  assert.ok(Number.isNaN(gradientGrowth([0, 0, 1]).growth));
  // analyseRun reads the last quarter of the evaluations that carry the columns (step 0 excluded)
  const rows = [0, 10, 20, 30, 40].map((step) => ({
    step: String(step),
    wasserstein_estimate: "1",
    w1: "1",
    critic_grad_norm: step === 40 ? "100 10 1" : "1 1 1",
    critic_weight_extreme: step === 40 ? "0.9 1 0.5" : "0 0 0",
  }));
  const a = analyseRun(rows, record("wgan-c0.1", 0), "w1");
  assert.equal(a.gradientGrowth, 1);
  assert.equal(a.weightsAtExtremes, 0.9);
  assert.equal(a.underflowLayers, 0);
  // folders without the columns
  const old = analyseRun(
    rows.map(({ critic_grad_norm: _, critic_weight_extreme: __, ...r }) => r),
    record("wgan", 0),
    "w1",
  );
  assert.ok(Number.isNaN(old.gradientGrowth) && Number.isNaN(old.weightsAtExtremes));
});

Deno.test("evaluationCost(): medians per evaluation, per run and of the share; none without timed records", async () => {
  const { evaluationCost, evaluationCostText } = await import("../../repro/analysis/verdict_markdown.ts");
  assert.equal(evaluationCost([{ trainSeconds: 10 }]), undefined);
  const c = evaluationCost([
    { trainSeconds: 90, evalSeconds: 10, evaluations: 5 },
    { trainSeconds: 80, evalSeconds: 20, evaluations: 5 },
    { trainSeconds: 70, evalSeconds: 30, evaluations: 5 },
    { trainSeconds: 50 },
  ])!;
  assert.deepEqual(c, { perEvaluation: 4, evaluations: 5, share: 0.2, runs: 3 });
  assert.match(evaluationCostText(c), /took 4\.00 s per evaluation, 5 evaluations per run: 20\.0% of a run's time/);
});

import assert from "node:assert/strict";
import { unreadByV1 } from "./arm_fixture.ts";
import type { ArmSummary } from "../../repro/analysis/arm_summary.ts";
import {
  ADAM_BAD_SHARE_DIFFERENCE,
  GAN_LOSS_LINE,
  judgeClaimsV1 as judgeClaims,
  MIN_EVAL_POINTS,
  TRACKS_CONTRADICT_BELOW,
  TRACKS_MIN_RHO,
  V1_CLAIM_RULES as CLAIM_RULES,
} from "../../repro/analysis/claims_v1.ts";

import type { Outcome } from "../../repro/folder/outcome.ts";
import type { ClaimId } from "../../repro/config/experiments.ts";
import { experiments } from "../../repro/config/registry.ts";

// Rules v1 judge the folders published before protocol v2; they stay as they were (these tests pin them).
const claimRule = (id: ClaimId) => {
  const rule = CLAIM_RULES.find((r) => r.id === id);
  if (!rule) throw new RangeError(`No rule for claim "${id}"`);
  return rule;
};

const ci = (mean: number, half: number) => ({ mean, ci95: half, n: 5, lo: mean - half, hi: mean + half });
const noQuality = { mean: NaN, ci95: NaN, n: 0, lo: NaN, hi: NaN };
const shares = (bad: number, as: Outcome = "collapsed"): Record<Outcome, number> => ({
  converged: 1 - bad,
  collapsed: 0,
  "not-trained": 0,
  failed: 0,
  "blew-up": 0,
  diverged: 0,
  [as]: bad,
});
function arm(id: string, o: Partial<ArmSummary> = {}): ArmSummary {
  return {
    arm: id,
    seeds: 5,
    spearman: ci(0.8, 0.1),
    spearmanValues: [0.7, 0.9],
    pearson: ci(0.8, 0.1),
    qualityMovedRuns: 5,
    spearmanChangesMedian: 0.5,
    spearmanPartialMedian: 0.5,
    ...unreadByV1(0.8, 50),
    finalQuality: ci(50, 5),
    finalQualityRuns: 5,
    coverage: ci(8, 0),
    shares: shares(0),
    throughput: ci(10, 1),
    evalPoints: 10,
    ...o,
  };
}

Deno.test("claim rule loss-tracks-quality: mean ρ ≥ 0.5 with CI above 0 supports; CI below 0.3 contradicts", () => {
  const judge = (o: Partial<ArmSummary>) => claimRule("loss-tracks-quality").judge({ critic: arm("wgan", o) }, "fid");
  assert.equal(TRACKS_MIN_RHO, 0.5);
  assert.equal(TRACKS_CONTRADICT_BELOW, 0.3);
  assert.equal(judge({ spearman: ci(0.5, 0.49) }).verdict, "supported");
  assert.equal(judge({ spearman: ci(0.49, 0.1) }).verdict, "inconclusive"); // mean below 0.5
  assert.equal(judge({ spearman: ci(0.5, 0.5) }).verdict, "inconclusive"); // CI touches 0
  assert.equal(judge({ spearman: ci(0.1, 0.19) }).verdict, "contradicted");
  const wide = judge({ spearman: ci(0.2, 0.2) });
  assert.equal(wide.verdict, "inconclusive");
  assert.match(wide.why, /the interval \[0\.00, 0\.40\] meets neither rule \(per-seed ρ from 0\.70 to 0\.90/);
  assert.match(judge({}).ours, /^Spearman ρ\(estimate, fid\) = /);
  // too little data, each way
  assert.match(judge({ seeds: 1 }).why, /too little data: 1 seed/);
  assert.match(judge({ evalPoints: MIN_EVAL_POINTS - 1 }).why, /4 evaluations in a run/);
  assert.match(judge({ spearman: { ...ci(0.8, 0.1), ci95: NaN } }).why, /a correlation undefined in some seed/);
});

Deno.test("claim rule gan-loss-does-not: CI of ρ below 0.5 supports, above 0.5 contradicts, straddling is open", () => {
  const judge = (o: Partial<ArmSummary>) => claimRule("gan-loss-does-not").judge({ gan: arm("gan", o) }, "fid");
  assert.equal(GAN_LOSS_LINE, 0.5);
  assert.equal(judge({ spearman: ci(0.3, 0.19) }).verdict, "supported");
  assert.equal(judge({ spearman: ci(0.7, 0.19) }).verdict, "contradicted");
  const open = judge({ spearman: ci(0.5, 0.1) });
  assert.equal(open.verdict, "inconclusive");
  assert.match(open.why, /straddles 0\.5/);
  assert.equal(judge({ spearman: ci(0.1, 0.1), evalPoints: 2 }).verdict, "inconclusive");
});

Deno.test("claim rule wgan-trains-where-gan-fails: better quality CI and fewer bad seeds support", () => {
  const judge = (w: Partial<ArmSummary>, g: Partial<ArmSummary>) =>
    claimRule("wgan-trains-where-gan-fails").judge({ wgan: arm("wgan", w), gan: arm("gan", g) }, "fid");
  assert.equal(
    judge({ finalQuality: ci(50, 5) }, { finalQuality: ci(200, 5), shares: shares(1) }).verdict,
    "supported",
  );
  // better quality, but the GAN fails no more often: open, and it says why
  const same = judge({ finalQuality: ci(50, 5) }, { finalQuality: ci(200, 5) });
  assert.equal(same.verdict, "inconclusive");
  assert.match(same.why, /does not train in more seeds/);
  // every GAN run blew up: no quality to average; WGAN has one and fails less
  assert.equal(
    judge({}, { finalQuality: noQuality, finalQualityRuns: 0, shares: shares(1, "blew-up") }).verdict,
    "supported",
  );
  assert.equal(judge({ finalQuality: ci(200, 5) }, { finalQuality: ci(50, 5) }).verdict, "contradicted");
  const overlap = judge({ finalQuality: ci(100, 30) }, { finalQuality: ci(120, 30), shares: shares(1) });
  assert.equal(overlap.verdict, "inconclusive");
  assert.match(overlap.why, /overlap/);
});

Deno.test("claim rule adam-less-stable: worse quality CI or ≥ 50 points more failures supports; the reverse contradicts", () => {
  const judge = (r: Partial<ArmSummary>, a: Partial<ArmSummary>) =>
    claimRule("adam-less-stable").judge({ rmsprop: arm("rmsprop", r), adam: arm("adam-b1-0.5", a) }, "fid");
  assert.equal(ADAM_BAD_SHARE_DIFFERENCE, 0.5);
  assert.equal(judge({ finalQuality: ci(50, 5) }, { finalQuality: ci(80, 5) }).verdict, "supported");
  assert.equal(judge({ finalQuality: ci(80, 5) }, { finalQuality: ci(50, 5) }).verdict, "contradicted");
  // overlapping quality: the failure shares decide at a difference of 0.5, not 0.4
  const q = { finalQuality: ci(60, 20) };
  assert.equal(judge({ ...q, shares: shares(0) }, { ...q, shares: shares(0.6) }).verdict, "supported");
  assert.equal(judge({ ...q, shares: shares(0.6) }, { ...q, shares: shares(0) }).verdict, "contradicted");
  const open = judge({ ...q, shares: shares(0) }, { ...q, shares: shares(0.4) });
  assert.equal(open.verdict, "inconclusive");
  assert.match(open.why, /rmsprop: 5 converged; adam β1=0\.5: 3 converged, 2 collapsed/);
  // worse quality but fewer failures: both directions hold, so it is open
  assert.equal(
    judge({ finalQuality: ci(50, 5), shares: shares(0.6) }, { finalQuality: ci(80, 5), shares: shares(0) }).verdict,
    "inconclusive",
  );
  assert.match(judge({}, {}).ours, /final fid: rmsprop 50\.0 ± 5\.0, adam β1=0\.5 50\.0 ± 5\.0/);
});

Deno.test("judgeClaimsV1(): one row per instance in the experiment's claim order; an arm with no runs is open", () => {
  const e = experiments().find((x) => x.id === "mnist-mlp")!;
  const rows = judgeClaims(e, [arm("wgan"), arm("gan", { spearman: ci(0.9, 0.05) })], "fid");
  assert.deepEqual(rows.map((r) => r.claim), [
    "wgan: the critic's Wasserstein estimate tracks sample quality",
    "gan: the discriminator's loss does not track sample quality",
    "this generator trains under WGAN and collapses or fails under the standard GAN",
  ]);
  assert.deepEqual(rows.map((r) => r.verdict), ["supported", "contradicted", "inconclusive"]);
  assert.ok(rows.every((r) => r.rule && r.paper));
  assert.ok(rows.filter((r) => r.verdict !== "inconclusive").every((r) => r.why === ""));
  const partial = judgeClaims(e, [arm("wgan")], "fid");
  assert.equal(partial[1].verdict, "inconclusive");
  assert.equal(partial[1].why, "no finished run of gan");
});

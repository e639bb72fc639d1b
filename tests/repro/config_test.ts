import assert from "node:assert/strict";
import { applySettings, findExperiment, parseSeeds, parseShard, shardRuns } from "../../repro/config.ts";
import { EXPERIMENTS } from "../../repro/experiments.ts";
import { closest } from "../../repro/errors.ts";
import { meanCi, pearson, ranks, spearman } from "../../repro/stats.ts";

Deno.test("parseSeeds() accepts ranges and lists and rejects bad ones", () => {
  assert.deepEqual(parseSeeds("0-4"), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeeds("3,0-1,3"), [0, 1, 3]);
  assert.throws(() => parseSeeds("4-2"), /range 4-2 is empty/);
  assert.throws(() => parseSeeds("a-b"), /expected a list like 0-4/);
});

Deno.test("findExperiment() suggests the closest id", () => {
  assert.equal(findExperiment("mnist-mlp").id, "mnist-mlp");
  assert.throws(() => findExperiment("mnist-mpl"), /unknown name \(did you mean "mnist-mlp"\?\) \(see --list\)/);
  assert.equal(closest("zzzzzz", ["mnist-mlp"]), undefined);
});

Deno.test("applySettings() types values from the defaults and rejects unknown keys with a suggestion", () => {
  const base = findExperiment("mnist-mlp").profiles.quick;
  const s = applySettings(base, ["iterations=12", "dItersSchedule=true"]);
  assert.equal(s.iterations, 12);
  assert.equal(s.dItersSchedule, true);
  assert.throws(() => applySettings(base, ["iteratons=3"]), /unknown key \(did you mean "iterations"\?\)/);
  assert.throws(() => applySettings(base, ["iterations=abc"]), /expected a non-negative integer, got "abc"/);
  assert.throws(() => applySettings(base, ["dItersSchedule=yes"]), /expected true or false/);
  assert.throws(() => applySettings(base, ["evalEvery=0"]), /evalEvery=0: it must be at least 1/);
  assert.throws(() => applySettings(base, ["imageSize=64"]), /choose 28 or 32/);
});

Deno.test("shards partition the (arm, seed) pairs exactly", () => {
  const e = findExperiment("toy-8gaussians");
  const all = shardRuns(e, [0, 1, 2]);
  const parts = [1, 2, 3].flatMap((i) => shardRuns(e, [0, 1, 2], { index: i, count: 3 }));
  assert.equal(all.length, 12);
  assert.deepEqual(parts.map((k) => `${k.arm}/${k.seed}`).sort(), all.map((k) => `${k.arm}/${k.seed}`).sort());
  assert.throws(() => parseShard("3/2"), /expected i\/n with 1 ≤ i ≤ n/);
});

Deno.test("every experiment has unique arm ids, the three profiles, and a time estimate per arm", () => {
  assert.equal(new Set(EXPERIMENTS.map((e) => e.id)).size, EXPERIMENTS.length);
  for (const e of EXPERIMENTS) {
    assert.equal(new Set(e.arms.map((a) => a.id)).size, e.arms.length, e.id);
    assert.deepEqual(Object.keys(e.profiles).sort(), ["default", "paper", "quick"]);
    for (const a of e.arms) assert.ok(e.secondsPerIteration[a.id] > 0, `${e.id}/${a.id}`);
  }
});

Deno.test("statistics: ranks with ties, Spearman/Pearson on known data, t-based confidence intervals", () => {
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.equal(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 1);
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-12);
  const m = meanCi([1, 2, 3]); // sd 1, t(2) = 4.303
  assert.equal(m.mean, 2);
  assert.ok(Math.abs(m.ci95 - 4.303 / Math.sqrt(3)) < 1e-9);
  assert.ok(Number.isNaN(meanCi([5]).ci95));
});

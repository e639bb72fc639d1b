import assert from "node:assert/strict";
import { parseSeeds, parseShard, resolveConfig, shardFromEnvironment, shardRuns } from "../../repro/config/resolve.ts";

import { closest } from "../../repro/errors.ts";
import { loadExperimentData } from "../../repro/run/data.ts";
import {
  correlationMeanCi,
  formatMeanCi,
  meanCi,
  pearson,
  positiveMeanCi,
  ranks,
  spearman,
} from "../../repro/analysis/stats.ts";
import { experiments, findExperiment } from "../../repro/config/registry.ts";

Deno.test("parseSeeds() accepts ranges and lists and rejects bad ones", () => {
  assert.deepEqual(parseSeeds("0-4"), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeeds("3,0-1,3"), [0, 1, 3]);
  assert.throws(() => parseSeeds("4-2"), /range 4-2 is empty/);
  assert.throws(() => parseSeeds("a-b"), /expected a list like 0-4/);
});

Deno.test("parseSeeds(): seeds are 0 … 2³² − 1 (2³² would repeat seed 0), at most 10,000 over all ranges", () => {
  assert.deepEqual(parseSeeds("4294967294-4294967295"), [4294967294, 4294967295]);
  assert.deepEqual(parseSeeds("0004"), [4]);
  assert.throws(() => parseSeeds("4294967296"), /seed 4294967296 is out of range \(seeds are 0 to 4294967295/);
  assert.throws(() => parseSeeds("0-4294967296"), /seed 4294967296 is out of range/);
  // past 2^53 the number is no longer the one typed: refused from its digits, at once
  const start = performance.now();
  assert.throws(() => parseSeeds("9007199254740993"), /seed 9007199254740993 is out of range/);
  assert.throws(() => parseSeeds("0-9007199254740993"), /out of range/);
  assert.ok(performance.now() - start < 100);
  assert.equal(parseSeeds("0-9999").length, 10_000);
  assert.equal(parseSeeds("0-9999,5000-9999,0").length, 10_000, "overlaps count once");
  assert.throws(() => parseSeeds("0-9999,10000-19999"), /20,000 seeds, more than the 10,000 one command runs/);
  assert.throws(() => parseSeeds("0-9999,20000"), /10,001 seeds/);
  assert.throws(() => parseSeeds("0-4294967295"), /4,294,967,296 seeds/);
});

Deno.test("findExperiment() suggests the closest id", () => {
  assert.equal(findExperiment("mnist-mlp").id, "mnist-mlp");
  assert.throws(() => findExperiment("mnist-mpl"), /unknown name \(did you mean "mnist-mlp"\?\) \(see --list\)/);
  assert.equal(closest("zzzzzz", ["mnist-mlp"]), undefined);
});

Deno.test("resolveConfig(): run settings typed and range-checked; unknown keys rejected with a suggestion", () => {
  const e = findExperiment("mnist-mlp");
  const { settings, arms } = resolveConfig(e, "quick", ["iterations=12", "dItersSchedule=true", "width=8"]);
  assert.equal(settings.iterations, 12);
  assert.equal(settings.dItersSchedule, true);
  // run-wide defaults flow into every arm; the GAN arm never uses the Diters warm-up
  assert.deepEqual(arms.map((a) => [a.id, a.critic.kind === "dcgan" && a.critic.width]), [
    ["wgan", 8],
    ["gan", 8],
    ["gan-tanh", 8],
  ]);
  assert.deepEqual(arms.map((a) => a.algorithm.dItersSchedule), [true, false, false]);
  // the control arm: the official MLP_G with a tanh output; the official one has none
  assert.deepEqual(arms.map((a) => a.generator.kind === "mlp" && a.generator.outputActivation), [
    undefined,
    undefined,
    "tanh",
  ]);
  const bad = (set: string, message: RegExp) => assert.throws(() => resolveConfig(e, "quick", [set]), message);
  bad("iteratons=3", /Cannot set "iteratons": unknown key \(did you mean "iterations"\?\)/);
  bad("iterations=abc", /^UsageError: Cannot set "iterations": iterations must be an integer ≥ 1, got "abc"$/);
  bad("dItersSchedule=yes", /dItersSchedule must be true or false, got "yes"/);
  bad("evalEvery=0", /evalEvery must be an integer ≥ 1, got 0/);
  bad("imageSize=64", /imageSize must be one of 28, 32, got 64/);
  bad("iterations", /expected key=value/);
});

Deno.test("resolveConfig(): every arm hyperparameter is settable, for one arm or all, by its path or an unambiguous ending", () => {
  const e = findExperiment("mnist-adam-vs-rmsprop");
  const { arms } = resolveConfig(e, "default", [
    "lr=1e-4", // every arm
    "adam-b1-0.5.beta1=0.8", // one arm (the id contains a dot)
    "rmsprop.algorithm.optimizer.alpha=0.9", // full path
    "critic.init=he",
    "generator.batchNorm=false",
    "rmsprop.c=0.02",
    "nCritic=3",
  ]);
  const byId = Object.fromEntries(arms.map((a) => [a.id, a]));
  assert.deepEqual(arms.map((a) => a.algorithm.optimizer.lr), [1e-4, 1e-4, 1e-4]);
  assert.equal((byId["adam-b1-0.5"].algorithm.optimizer as { beta1: number }).beta1, 0.8);
  assert.equal((byId["adam-b1-0"].algorithm.optimizer as { beta1: number }).beta1, 0);
  assert.equal((byId.rmsprop.algorithm.optimizer as { alpha: number }).alpha, 0.9);
  assert.deepEqual(arms.map((a) => a.critic.init), ["he", "he", "he"]);
  assert.deepEqual(arms.map((a) => a.generator.kind === "dcgan" && a.generator.batchNorm), [false, false, false]);
  assert.deepEqual(arms.map((a) => (a.algorithm.lipschitz as { c: number }).c), [0.02, 0.01, 0.01]);
  assert.deepEqual(arms.map((a) => a.algorithm.nCritic), [3, 3, 3]);
  // the experiment's own definition is untouched
  assert.deepEqual(resolveConfig(e, "default").arms.map((a) => a.algorithm.optimizer.lr), [5e-5, 5e-5, 5e-5]);

  const gp = findExperiment("mnist-gp-vs-clip");
  assert.deepEqual(
    resolveConfig(gp, "quick", ["lambda=5"]).arms.map((a) => JSON.stringify(a.algorithm.lipschitz)),
    ['{"kind":"clip","c":0.01}', '{"kind":"gp","lambda":5}', '{"kind":"div","k":2,"p":6}'],
  );
  const bad = (set: string, message: RegExp) => assert.throws(() => resolveConfig(gp, "quick", [set]), message);
  bad("init=he", /ambiguous in arm wgan \(generator\.init or critic\.init; say which\)/);
  bad("wgan.lambda=5", /arm wgan has no such key/);
  bad("wgan.lr=-1", /^UsageError: Cannot set "wgan.lr": algorithm.optimizer.lr must be a number > 0, got -1$/);
  bad("beta1=1", /algorithm.optimizer.beta1 must be a number in \[0, 1\), got 1/);
  bad("critic.norm=group", /critic.norm must be one of batch, layer, none, got "group"/);
  bad("wgan.optimizer.kind=adam", /names the arm's structure/);
  bad("wgan.lrr=1", /arm wgan has no such key \(did you mean "wgan\.lr"\?\)/);
  bad("critic.init=0", /critic.init must be dcgan, torch-default, gan-toy, he or a positive standard deviation, got 0/);
});

Deno.test("resolveConfig(): optional values the schema allows but an arm leaves out are settable too", () => {
  const gp = findExperiment("mnist-gp-vs-clip");
  // WGAN-div's points (absent: real and fake), for the one arm that has a div term
  assert.deepEqual(
    resolveConfig(gp, "quick", ["points=interpolates", "k=10"]).arms.map((a) => JSON.stringify(a.algorithm.lipschitz)),
    ['{"kind":"clip","c":0.01}', '{"kind":"gp","lambda":10}', '{"kind":"div","k":10,"p":6,"points":"interpolates"}'],
  );
  // without the key the configuration is as before (no default written into it)
  assert.equal("points" in resolveConfig(gp, "quick").arms[2].algorithm.lipschitz, false);
  const bad = (set: string, message: RegExp) => assert.throws(() => resolveConfig(gp, "quick", [set]), message);
  bad(
    "wgan-div.points=midpoints",
    /algorithm\.lipschitz\.points must be one of real-fake, interpolates, got "midpoints"/,
  );
  bad("wgan-gp.points=interpolates", /arm wgan-gp has no such key \(did you mean "wgan-div\.points"\?\)/);
  bad("wgan-div.pionts=interpolates", /did you mean "wgan-div\.points"/);
  // a generator's output activation (an MLP generator's optional key)
  const mlp = findExperiment("mnist-mlp");
  assert.deepEqual(
    resolveConfig(mlp, "default", ["wgan.outputActivation=tanh"]).arms.map((a) =>
      a.generator.kind === "mlp" && a.generator.outputActivation
    ),
    ["tanh", undefined, "tanh"],
  );
  // the critic's schema has no output activation: nothing to set there
  assert.throws(
    () => resolveConfig(mlp, "default", ["wgan.critic.outputActivation=tanh"]),
    /arm wgan has no such key/,
  );
});

Deno.test("resolveConfig(): critic.kind=mlp swaps in the official MLP_D, whose keys later --set can reach", () => {
  const e = findExperiment("mnist-mlp");
  const { arms } = resolveConfig(e, "default", ["critic.kind=mlp", "gan.critic.hidden=256", "wgan.critic.init=0.02"]);
  assert.deepEqual(arms.map((a) => a.critic), [
    { kind: "mlp", hidden: 512, hiddenLayers: 3, activation: "relu", init: 0.02 },
    { kind: "mlp", hidden: 256, hiddenLayers: 3, activation: "relu", init: "dcgan" },
    { kind: "mlp", hidden: 512, hiddenLayers: 3, activation: "relu", init: "dcgan" },
  ]);
  // the official MLP_G: 3 hidden ReLU layers, PyTorch's default init for linear layers (weights_init skips them)
  assert.deepEqual(arms[0].generator, {
    kind: "mlp",
    hidden: 512,
    hiddenLayers: 3,
    activation: "relu",
    init: "dcgan",
    noiseDim: 100,
  });
  assert.throws(() => resolveConfig(e, "default", ["critic.kind=resnet"]), /expected mlp or dcgan, got "resnet"/);
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
  assert.equal(new Set(experiments().map((e) => e.id)).size, experiments().length);
  for (const e of experiments()) {
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

Deno.test("correlation and rate intervals stay in range: Fisher z for ρ, logarithms for iterations/s", () => {
  // three seeds at 0.9, 0.95, 0.2: the plain t interval would pass 1
  const plain = meanCi([0.9, 0.95, 0.2]);
  assert.ok(plain.hi > 1);
  const r = correlationMeanCi([0.9, 0.95, 0.2]);
  assert.ok(r.lo >= -1 && r.hi <= 1 && r.lo < r.mean && r.mean < r.hi, JSON.stringify(r));
  assert.ok(Math.abs(r.mean - Math.tanh((Math.atanh(0.9) + Math.atanh(0.95) + Math.atanh(0.2)) / 3)) < 1e-12);
  assert.ok(correlationMeanCi([1, 1, 1]).hi <= 1);
  const rate = positiveMeanCi([1, 5, 0.5]);
  assert.ok(meanCi([1, 5, 0.5]).lo < 0 && rate.lo > 0 && rate.hi > rate.lo);
  assert.equal(formatMeanCi(r), "0.82 [-0.74, 1.00]");
  assert.equal(formatMeanCi(meanCi([1, 2, 3])), "2.00 ± 2.48");
});

Deno.test("progress is weighted: a clipped-WGAN run outweighs a GAN run, and the Diters warm-up front-loads it", async () => {
  const { progressWeights, estimateSeconds } = await import("../../repro/run/estimate.ts");
  const experiment = findExperiment("mnist-dcgan");
  const config = resolveConfig(experiment, "default");
  const runs = [{ arm: "wgan", seed: 0 }, { arm: "gan", seed: 0 }];
  const { workDone, totalWork } = progressWeights({ experiment, config }, runs, "native");
  const wgan = estimateSeconds({ experiment, config }, "wgan", "native");
  const gan = estimateSeconds({ experiment, config }, "gan", "native");
  assert.ok(wgan > 3 * gan, `wgan ${wgan}s, gan ${gan}s`);
  assert.ok(Math.abs(totalWork - wgan - gan) < 1e-9);
  assert.equal(workDone(runs[0], 2000), wgan);
  // 2,000 iterations: 25 + 3 (500, 1000, 1500) warm-up iterations of 101 steps, the rest 6
  const expected = (25 * 101) / (28 * 101 + 1972 * 6);
  assert.ok(Math.abs(workDone(runs[0], 25) / wgan - expected) < 1e-12);
  assert.ok(Math.abs(workDone(runs[1], 1000) / gan - 0.5) < 1e-12, "the GAN's iterations weigh the same");
});

Deno.test("the reference code's options are settings: clamp before each update, epoch bursts, all digits, 8 bits", async () => {
  const e = findExperiment("mnist-mlp");
  const { settings, arms } = resolveConfig(e, "quick", [
    "wgan.constrainBeforeUpdate=true",
    "wgan.epochBursts=true",
    "trainOnHeldOut=true",
    "quantize8bit=true",
  ]);
  const wgan = arms.find((a) => a.id === "wgan")!, gan = arms.find((a) => a.id === "gan")!;
  assert.equal(wgan.algorithm.constrainBeforeUpdate, true);
  assert.equal(wgan.algorithm.epochBursts, true);
  assert.equal(gan.algorithm.epochBursts, false, "an arm key for one arm leaves the others");
  assert.throws(
    () => resolveConfig(findExperiment("mnist-gp-vs-clip"), "quick", ["epochBursts=true"]),
    /Cannot use arm wgan-gp: algorithm.epochBursts must be false with a gradient penalty or a WGAN-div term at interpolates \(an epoch's partial last batch/,
  );
  const data = await loadExperimentData(e, settings, undefined);
  const heldOut = data.heldOut!, train = data.train as typeof heldOut, fit = data.fit as typeof heldOut;
  // the GAN trains on all 10,000 digits; the classifier on the 9,000, scored on the 1,000 held out
  assert.deepEqual([fit.count, train.count, heldOut.count], [10_000, 9_000, 1_000]);
  assert.equal(data.name, "mnist-8bit-all");
  for (const x of fit.images.subarray(0, 5000)) {
    const level = (x + 1) * 127.5;
    assert.ok(Math.abs(level - Math.round(level)) < 1e-3 && level > -1e-3 && level < 255 + 1e-3, String(x));
  }
  const plain = await loadExperimentData(e, resolveConfig(e, "quick").settings, undefined);
  assert.equal(plain.fit, plain.train);
  assert.ok(plain.train.name === "mnist");
  await assert.rejects(
    () => loadExperimentData(e, { ...settings, quantize8bit: false }, "fashion-mnist"),
    /Cannot use trainOnHeldOut with --dataset fashion-mnist: it has its own test split/,
  );
});

Deno.test("shardFromEnvironment(): a Slurm array task's rank, a Kubernetes Indexed Job's index; refused when unclear", () => {
  const slurm = (id: number, min: number, max: number, extra: Record<string, string> = {}) =>
    shardFromEnvironment({
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
      ...extra,
    });
  assert.deepEqual(slurm(3, 1, 8), { index: 3, count: 8, from: "SLURM_ARRAY_TASK_ID" });
  assert.deepEqual(slurm(0, 0, 7, { SLURM_ARRAY_TASK_COUNT: "8" }), {
    index: 1,
    count: 8,
    from: "SLURM_ARRAY_TASK_ID",
  });
  // --array=1-7:2 is tasks 1, 3, 5, 7: task 5 is the third of four
  assert.deepEqual(slurm(5, 1, 7, { SLURM_ARRAY_TASK_STEP: "2", SLURM_ARRAY_TASK_COUNT: "4" }), {
    index: 3,
    count: 4,
    from: "SLURM_ARRAY_TASK_ID",
  });
  // --array=1,3,7: three tasks between 1 and 7 are not a range the rank can be read from
  assert.throws(() => slurm(3, 1, 7, { SLURM_ARRAY_TASK_COUNT: "3" }), /task 3 is not one of 3 tasks from 1 to 7 by 1/);
  assert.throws(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "2" }), /SLURM_ARRAY_TASK_MIN is not set/);
  assert.throws(() => slurm(2, 1, 4, { SLURM_ARRAY_TASK_STEP: "x" }), /SLURM_ARRAY_TASK_STEP is "x"/);
  assert.deepEqual(shardFromEnvironment({ JOB_COMPLETION_INDEX: "2", WGAN_BENCH_SHARDS: "4" }), {
    index: 3,
    count: 4,
    from: "JOB_COMPLETION_INDEX",
  });
  assert.throws(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "0" }), /WGAN_BENCH_SHARDS is not set/);
  assert.throws(
    () => shardFromEnvironment({ JOB_COMPLETION_INDEX: "4", WGAN_BENCH_SHARDS: "4" }),
    /JOB_COMPLETION_INDEX 4 is not below WGAN_BENCH_SHARDS = 4/,
  );
  assert.equal(shardFromEnvironment({ HOME: "/root" }), null);
  assert.equal(parseShard("2/4").from, "--shard");
});

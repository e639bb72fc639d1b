import assert from "node:assert/strict";
import { runCli } from "./cli_helpers.ts";
import { toyPlan } from "./toy_plan.ts";
import { tempDir } from "../temp.ts";
import { criticIterations, tf } from "../../mod.ts";
import { algorithmSpec } from "../../repro/config/arms.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { findExperiment } from "../../repro/config/registry.ts";
import { estimateSeconds, makespan, timeArms } from "../../repro/run/estimate.ts";
import { prepareRuns } from "../../repro/run/plan.ts";
import { timeInWorkers } from "../../repro/run/workers.ts";

Deno.test("a run on a slower backend because native is missing says, before it starts, what native would cost and why it is not here", async () => {
  const out = `${await tempDir()}/toy`;
  const r = await runCli(
    ["toy-8gaussians", "--profile", "quick", "--set", "iterations=2", "--seeds", "0", "--jobs", "1", "--out", out],
    { env: { WGAN_BENCH_BLAS: "/nonexistent/libopenblas.so.0" } },
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n");
  const estimate = lines.findIndex((l) => l.startsWith("estimated training time"));
  const native = lines.findIndex((l) => l.startsWith("the native backend would take"));
  assert.ok(estimate >= 0 && native === estimate + 1, r.stderr);
  assert.match(
    lines[native],
    /^the native backend would take ~\S+ \(--jobs \d\); it is not available here: WGAN_BENCH_BLAS=\/nonexistent\/libopenblas\.so\.0 does not exist$/,
  );
  assert.doesNotMatch(lines[estimate], /with native/);
});

Deno.test("the makespan hands runs out longest first to the lane that frees first", () => {
  // 5 → lane A; 4 → B; 3 → B (4 < 5); 3 → A (5 < 7): lanes 8 and 7
  assert.equal(makespan([3, 5, 3, 4], 2), 8);
  assert.equal(makespan([3, 5, 3, 4], 1), 15);
  // one long run sets the time however many lanes there are
  assert.equal(makespan([10, 1, 1], 4), 10);
  assert.equal(makespan([], 2), 0);
});

Deno.test("a timed estimate is the iteration's seconds times the critic steps, plus the evaluations and the start", () => {
  const experiment = findExperiment("mnist-dcgan");
  const config = resolveConfig(experiment, "default", ["iterations=1000", "evalEvery=100"]);
  const measured = { iteration: { wgan: 0.05, gan: 0.02 }, evaluation: { wgan: 0.8, gan: 0.7 }, startup: 3 };
  const spec = algorithmSpec(config.arms.find((a) => a.id === "wgan")!);
  let steps = 0;
  for (let i = 0; i < 1000; i++) steps += criticIterations(spec, i) + 1;
  // 11 evaluations: the start's and every 100
  const expected = 0.05 * steps / (spec.nCritic + 1) + 11 * 0.8 + 3;
  assert.ok(Math.abs(estimateSeconds({ experiment, config, measured }, "wgan", "native") - expected) < 1e-9);
  // the Diters warm-up makes the clipped run cost more than 1,000 plain iterations
  assert.ok(steps > 1000 * (spec.nCritic + 1));
  // without timings: the tables, which count training only
  const tables = estimateSeconds({ experiment, config }, "gan", "native");
  assert.ok(Math.abs(tables - 0.08 * 1000 * 0.35) < 1e-9, String(tables));
});

Deno.test("timing the arms here times each one's iterations and an evaluation, and leaves no tensor behind", async () => {
  const plan = await toyPlan();
  const { context } = await prepareRuns(plan);
  const before = tf.memory().numTensors;
  const arms = plan.config.arms.map((a) => a.id);
  const t = await timeArms(plan.config, arms, context.data, context.evaluator, 0.05);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Object.keys(t.iteration).sort(), [...arms].sort());
  for (const a of arms) {
    assert.ok(t.iteration[a] > 0 && t.iteration[a] < 5, `${a}: ${t.iteration[a]}`);
    assert.ok(t.evaluation![a] > 0, `${a} evaluation: ${t.evaluation![a]}`);
  }
  // a clipped iteration (5 critic steps) costs more than a GAN one (1)
  assert.ok(t.iteration.wgan > t.iteration.gan, JSON.stringify(t.iteration));
  await assert.rejects(timeArms(plan.config, ["nope"], context.data), /Cannot time arm "nope"/);
});

Deno.test("timing in workers side by side: every arm from each worker, and the workers' start", async () => {
  const plan = await toyPlan();
  const arms = plan.config.arms.map((a) => a.id);
  const t = await timeInWorkers(plan, arms, 2, 0.05);
  for (const a of arms) assert.ok(t.iteration[a] > 0 && t.evaluation![a] > 0, `${a}: ${JSON.stringify(t)}`);
  // a worker's start: a Deno process, the modules, the data and the evaluator
  assert.ok(t.startup! > 0.05 && t.startup! < 120, String(t.startup));
  await assert.rejects(
    timeInWorkers(plan, ["nope"], 2, 0.05),
    /Cannot time the arms in a worker: Cannot time arm "nope"/,
  );
});

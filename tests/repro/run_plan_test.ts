import assert from "node:assert/strict";
import { describeResolved, prepareRuns } from "../../repro/run/plan.ts";
import { runInWorkers } from "../../repro/run/workers.ts";
import { toyPlan } from "./toy_plan.ts";

const hooks = { onIteration() {}, onDone() {} };

Deno.test("a worker resolves the parent's plan into the same configuration, backend, threads, data and columns", async () => {
  const plan = await toyPlan();
  const expected = describeResolved(plan, await prepareRuns(plan), false);
  const r = await runInWorkers(plan, [{ arm: "wgan", seed: 0 }], { lanes: 1, expected }, hooks);
  assert.deepEqual(r, { finished: 1, interrupted: false });
  // what the run folder records is the plan's arm
  const runConfig = JSON.parse(await Deno.readTextFile(`${plan.outDir}/runs/wgan/seed-0/config.json`));
  const { id: _id, ...arm } = plan.config.arms.find((a) => a.id === "wgan")!;
  assert.deepEqual({ ...runConfig, arm: undefined, seed: undefined }, { ...arm, arm: undefined, seed: undefined });
});

Deno.test("a worker that resolves anything else than the parent is stopped, and the run fails naming what differs", async () => {
  const plan = await toyPlan();
  const expected = describeResolved(plan, await prepareRuns(plan), false);
  const other = { ...expected, threads: 4, data: { ...expected.data, name: "elsewhere" } };
  await assert.rejects(
    runInWorkers(plan, [{ arm: "gan", seed: 0 }], { lanes: 1, expected: other }, hooks),
    /Cannot run gan seed 0 in a worker: it resolved another configuration than this process \(this process's → the worker's: threads 4 → 1, data\.name elsewhere → 8gaussians\)/,
  );
  // stopped before it trained: no finished run
  assert.equal(await Deno.stat(`${plan.outDir}/runs/gan/seed-0/done.json`).then(() => true, () => false), false);
});

/**
 * One (arm, seed) run in-process: the resume paths that a subprocess kill
 * cannot hit at an exact moment.
 */
import assert from "node:assert/strict";
import { selectBackend } from "../../mod.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { loadExperimentData } from "../../repro/run/data.ts";
import { describeEnvironment } from "../../repro/folder/environment.ts";
import { createEvaluator } from "../../repro/run/evaluate.ts";
import { type RunContext, runOne } from "../../repro/run/run_one.ts";
import { readCsvIfExists } from "../../repro/folder/files.ts";
import { tempDir } from "../temp.ts";
import { findExperiment } from "../../repro/config/registry.ts";

async function context(outDir: string, id = "toy-8gaussians"): Promise<RunContext> {
  const experiment = findExperiment(id);
  const { settings, arms } = resolveConfig(experiment, "quick", ["iterations=6", "evalEvery=3", "logEvery=1"]);
  const backend = await selectBackend("cpu");
  const data = await loadExperimentData(experiment, settings, undefined);
  const evaluator = await createEvaluator(experiment, settings, data, await tempDir(), () => {});
  return {
    experimentId: experiment.id,
    profile: "quick",
    iterations: settings.iterations,
    evalEvery: settings.evalEvery,
    logEvery: settings.logEvery,
    arms,
    data,
    evaluator,
    env: await describeEnvironment(backend),
    outDir,
  };
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const withoutTime = <T extends { trainSeconds: number; evalSeconds?: number }>(r: T) => ({
  ...r,
  trainSeconds: 0,
  evalSeconds: 0,
});
const untimed = (rows: Record<string, string>[]) =>
  rows.map(({ wall_time_s: _w, iterations_per_s: _i, ...rest }) => rest);

Deno.test({
  name: "a run killed after its final checkpoint but before done.json reports its final quality on rerun",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const key = { arm: "wgan-gp", seed: 0 };
    const straightCtx = await context(await tempDir());
    const straight = (await runOne(straightCtx, key))!;
    assert.notEqual(straight.finalQuality.w1, straight.initialQuality.w1);
    // evaluation's cost is recorded: steps 0, 3 and 6
    assert.equal(straight.evaluations, 3);
    assert.ok(straight.evalSeconds! > 0 && straight.evalSeconds! < 60, `${straight.evalSeconds}`);

    const dir = await tempDir();
    const ctx = await context(dir);
    // the last iteration's checkpoint is written, then the process dies before done.json
    await assert.rejects(
      runOne({
        ...ctx,
        onIteration: (_k, it) => {
          if (it === 6) throw new Error("killed");
        },
      }, key),
      /killed/,
    );
    const runPath = `${dir}/runs/wgan-gp/seed-0`;
    assert.ok(await exists(`${runPath}/checkpoint.bin`));
    assert.ok(!(await exists(`${runPath}/done.json`)));

    const resumed = (await runOne(ctx, key))!;
    assert.deepEqual(withoutTime(resumed), withoutTime(straight));
    assert.equal(resumed.outcome, straight.outcome);
    assert.deepEqual(
      untimed(await readCsvIfExists(`${runPath}/steps.csv`)),
      untimed(await readCsvIfExists(`${straightCtx.outDir}/runs/wgan-gp/seed-0/steps.csv`)),
    );
    assert.ok(!(await exists(`${runPath}/checkpoint.bin`)), "the checkpoint is removed once done.json exists");
  },
});

Deno.test({
  name: "a run's resolved configuration is saved in its folder",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ctx = await context(await tempDir());
    await runOne({ ...ctx, iterations: 1 }, { arm: "wgan", seed: 3 });
    const saved = JSON.parse(await Deno.readTextFile(`${ctx.outDir}/runs/wgan/seed-3/config.json`));
    const arm = ctx.arms.find((a) => a.id === "wgan")!;
    assert.deepEqual(saved, {
      arm: "wgan",
      seed: 3,
      algorithm: arm.algorithm,
      generator: arm.generator,
      critic: arm.critic,
    });
    assert.deepEqual(saved.algorithm.lipschitz, { kind: "clip", c: 0.01 });
  },
});

Deno.test({
  name: "a run's evaluation rows carry the critic's per-layer gradient norms and weight statistics",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ctx = await context(await tempDir());
    await runOne({ ...ctx, iterations: 3 }, { arm: "wgan", seed: 1 });
    const rows = await readCsvIfExists(`${ctx.outDir}/runs/wgan/seed-1/steps.csv`);
    const evaluated = rows.filter((r) => r.w1 !== "");
    assert.deepEqual(evaluated.map((r) => r.step), ["0", "3"]);
    const numbers = (cell: string) => cell.split(" ").map(Number);
    for (const r of evaluated) {
      const layers = numbers(r.critic_inactive_real).length;
      const grads = numbers(r.critic_grad_norm);
      assert.equal(grads.length, layers + 1, "the input and each hidden layer");
      assert.ok(grads.every((g) => Number.isFinite(g) && g > 0), r.critic_grad_norm);
      // the clipped critic (c = 0.01): every layer's largest |w| is c, and the extremes are shares
      const max = numbers(r.critic_weight_max);
      assert.equal(max.length, layers + 1, "each hidden layer and the output layer");
      assert.ok(max.every((m) => Math.abs(m - 0.01) < 1e-6), r.critic_weight_max);
      assert.ok(numbers(r.critic_weight_extreme).every((s) => s > 0 && s <= 1), r.critic_weight_extreme);
      const histogram = numbers(r.critic_weight_histogram);
      assert.equal(histogram.length, 20);
      assert.ok(Math.abs(histogram.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    }
    // rows between evaluations carry none
    for (const r of rows.filter((r) => r.w1 === "")) assert.equal(r.critic_grad_norm, "");
  },
});

Deno.test({
  name: "WGAN-GP Fig. 1a: a critic trained against the data plus noise — W1 fixed, the fit measured, the surface drawn",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await tempDir();
    const ctx = await context(dir, "toy-critic-fit-8gaussians");
    assert.deepEqual(ctx.evaluator.columns, ["w1", "heldout_wasserstein", "critic_lipschitz", "fit_gap"]);
    assert.equal(ctx.evaluator.primary, "fit_gap");
    const record = (await runOne(ctx, { arm: "wgan-gp", seed: 0 }))!;
    const rows = (await readCsvIfExists(`${dir}/runs/wgan-gp/seed-0/steps.csv`)).filter((r) => r.fit_gap !== "");
    assert.deepEqual(rows.map((r) => Number(r.step)), [0, 3, 6]);
    // the generator is fixed: the same evaluation points, so the same exact W1, at every evaluation
    assert.equal(new Set(rows.map((r) => r.w1)).size, 1);
    assert.ok(Number(rows[0].w1) > 0.3, `data vs data + N(0, I): W1 ${rows[0].w1}`);
    for (const r of rows) {
      // the estimate here is the float32 one; fit_gap's is the float64 mean of the same scores
      const share = Number(r.heldout_wasserstein) / (Number(r.critic_lipschitz) * Number(r.w1));
      assert.ok(Math.abs(1 - share - Number(r.fit_gap)) < 1e-5, `fit_gap = 1 − estimate / (L · W1) at ${r.step}`);
      // duality: no critic's share exceeds 1
      assert.ok(Number(r.fit_gap) >= 0, `fit_gap ${r.fit_gap} at ${r.step}`);
    }
    // the critic trained (its estimate changed), and the record labels by fit_gap
    assert.notEqual(rows[0].heldout_wasserstein, rows[2].heldout_wasserstein);
    assert.ok(["converged", "failed"].includes(record.outcome), record.outcome);
    // the value surface is what each evaluation draws: a 256-pixel heat map, titled, enlarged twice
    const png = await Deno.readFile(`${dir}/runs/wgan-gp/seed-0/samples-000006.png`);
    const view = new DataView(png.buffer);
    assert.equal(view.getUint32(16), 512);
    // a rerun of the same key (done.json present) returns the same record
    assert.deepEqual(withoutTime((await runOne(ctx, { arm: "wgan-gp", seed: 0 }))!), withoutTime(record));
  },
});

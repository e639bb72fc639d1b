import assert from "node:assert/strict";
import { insideBand } from "../../bench/fidelity.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { tempDir } from "../temp.ts";
import { findExperiment } from "../../repro/config/registry.ts";
import { torchPython } from "./torch_python.ts";

Deno.test("fidelity band: two standard errors of the difference of seed means plus 10% of the reference", () => {
  // equal means: inside; a difference of 3 with sd 1 over 3 seeds each (2·√(2/3) + 0.1·10 = 2.63): outside
  assert.equal(insideBand([9, 10, 11], [9, 10, 11]).inside, true);
  const far = insideBand([12, 13, 14], [9, 10, 11]);
  assert.equal(far.inside, false);
  assert.ok(Math.abs(far.allowed - (2 * Math.sqrt(2 / 3) + 1)) < 1e-9 && far.difference === 3);
  assert.equal(insideBand([11.5, 12.5, 13.5], [9, 10, 11]).inside, true);
});

const python = await torchPython();

Deno.test({
  name:
    "the PyTorch port trains a toy WGAN-GP arm from the harness's resolved configuration and writes rows and samples",
  ignore: python === null, // python3-torch is optional (bench/reference); the band test above always runs
  async fn() {
    const experiment = findExperiment("toy-8gaussians");
    const { settings, arms } = resolveConfig(experiment, "quick", ["iterations=10", "evalEvery=5", "logEvery=5"]);
    const dir = await tempDir();
    const job = {
      experiment: experiment.id,
      profile: "quick",
      arms: arms.filter((a) => a.id === "wgan-gp"),
      settings,
      seeds: [0, 1],
      threads: 1,
      data: { kind: "toy", toy: "8gaussians" },
    };
    await Deno.writeTextFile(`${dir}/job.json`, JSON.stringify(job));
    const script = new URL("../../bench/reference/fidelity.py", import.meta.url).pathname;
    const out = await new Deno.Command(python!, { args: [script, `${dir}/job.json`, `${dir}/out`] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const rows = (await Deno.readTextFile(`${dir}/out/steps.csv`)).trim().split("\n");
    assert.match(rows[0], /^experiment,profile,arm,seed,step,critic_iterations,critic_loss,wasserstein_estimate/);
    // steps 1, 5, 10 per seed; steps.csv appears only when the job has finished
    assert.equal(rows.length, 1 + 2 * 3);
    assert.equal(await Deno.stat(`${dir}/out/steps.csv.partial`).then(() => true, () => false), false);
    // the dead-unit diagnostic at evaluation steps (5, 10), one share per hidden layer; no probe, no real share
    const header = rows[0].split(",");
    const fakeShares = rows.slice(1).map((r) => r.split(",")[header.indexOf("critic_inactive_fake")]);
    const critic = arms.find((a) => a.id === "wgan-gp")!.critic;
    assert.ok(critic.kind === "mlp");
    const layers = critic.hiddenLayers;
    assert.deepEqual(fakeShares.map((s) => s === "" ? 0 : s.split(" ").length), [0, layers, layers, 0, layers, layers]);
    assert.ok(fakeShares.flatMap((s) => s ? s.split(" ").map(Number) : []).every((v) => v >= 0 && v <= 1));
    assert.ok(rows.slice(1).every((r) => r.split(",")[header.indexOf("critic_inactive_real")] === ""));
    for (const step of [0, 5, 10]) {
      const bytes = await Deno.readFile(`${dir}/out/samples/wgan-gp/seed-1/step-${String(step).padStart(6, "0")}.f32`);
      assert.equal(bytes.length, settings.evalSamples * 2 * 4);
      assert.ok(new Float32Array(bytes.buffer).every(Number.isFinite));
    }
    // gan_toy.py's init: He-uniform hidden layers make the untrained generator spread out, not a point mass
    const first = new Float32Array((await Deno.readFile(`${dir}/out/samples/wgan-gp/seed-0/step-000000.f32`)).buffer);
    const mean = first.reduce((a, b) => a + b, 0) / first.length;
    const std = Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / first.length);
    assert.ok(std > 0.1, `initial sample std ${std}`);
  },
});

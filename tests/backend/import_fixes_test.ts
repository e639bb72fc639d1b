/**
 * The gradient fixes are in place as soon as the library is imported: a fresh
 * process that imports "wgan-bench" and never calls `selectBackend` trains a
 * LeakyReLU critic with a gradient penalty, and a tanh critic's penalty has
 * correct weight gradients (stock tfjs throws for the first and is silently
 * wrong for the second).
 */
import assert from "node:assert/strict";
import { lastJsonLine, runDeno } from "../subprocess.ts";
import { tempDir } from "../temp.ts";

const SCRIPT = `
import { algorithm, gradientPenalty, mlpCritic, mlpGenerator, tf, toyDataset, train, Trainer } from "wgan-bench";

const trainer = new Trainer({
  generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
  critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2, activation: "leaky-relu" }),
  algorithm: algorithm("wgan-gp", { batchSize: 16 }),
  data: toyDataset("8gaussians"),
  seed: 0,
});
const { stats } = await train(trainer, { iterations: 2 });

// tanh critic: the penalty's weight gradient along a direction vs a central difference (float64 reference on cpu)
const critic = mlpCritic({ seed: 3, inputShape: [3], hidden: 8, hiddenLayers: 1, activation: "tanh", init: 0.5 });
const real = tf.tensor2d([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]), fake = tf.tensor2d([[-0.6, 0.1, 0.2], [0.2, -0.9, 0.4]]);
const eps = tf.tensor1d([0.3, 0.7]);
const w = critic.variables[0];
const { grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, eps), [w]);
const g = await grads[w.name].data();
const w0 = Float32Array.from(await w.data());
const dir = w0.map((_, i) => Math.sin(7 * i + 1));
const at = async (h) => {
  w.assign(tf.tensor(w0.map((x, i) => x + h * dir[i]), w.shape));
  return (await gradientPenalty(critic, real, fake, eps).data())[0];
};
const h = 1e-2;
const numeric = (await at(h) - await at(-h)) / (2 * h);
const analytic = g.reduce((s, x, i) => s + x * dir[i], 0);
console.log(JSON.stringify({ backend: tf.getBackend(), penalty: stats.penalty, criticLoss: stats.criticLoss, numeric, analytic }));
`;

Deno.test("importing the library registers the gradient fixes: no selectBackend call is needed", async () => {
  const dir = await tempDir();
  const script = `${dir}/uses_library.ts`;
  await Deno.writeTextFile(script, SCRIPT);
  const root = new URL("../../", import.meta.url).pathname;
  const out = await runDeno(
    ["run", "--quiet", "--allow-read", "--allow-env", "--config", `${root}deno.json`, script],
    { cwd: root },
  );
  assert.equal(out.code, 0, out.stderr);
  const r = lastJsonLine<{ backend: string; penalty: number; criticLoss: number; numeric: number; analytic: number }>(
    out.stdout,
  );
  assert.equal(r.backend, "cpu");
  assert.ok(Number.isFinite(r.penalty) && r.penalty > 0 && Number.isFinite(r.criticLoss), JSON.stringify(r));
  assert.ok(
    Math.abs(r.analytic - r.numeric) <= 0.02 * Math.abs(r.numeric),
    `analytic ${r.analytic} vs numeric ${r.numeric}`,
  );
});

import assert from "node:assert/strict";
import { algorithm, dcganCritic, mlpCritic, mlpGenerator, tf, toyDataset, Trainer } from "../../mod.ts";
import { activationGradientNorms, weightStatistics } from "../../lib/metrics/mod.ts";
import { backendTest } from "../helpers.ts";

const close = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12), `${what}: ${a} vs ${b}`);

backendTest("activationGradientNorms() of a one-hidden-layer critic, computed by hand", async () => {
  // D(x) = w2 · relu(x W1 + b1) + b2, 2 → 3 → 1; L = mean D(fake) − mean D(real) over n = 2 each
  const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 3, hiddenLayers: 1 });
  const [w1, b1, w2, b2] = critic.variables;
  const W1 = [[1, -2, 0.5], [0.25, 1, -1]], B1 = [0.1, -0.2, 0.3], W2 = [2, -1, 0.5];
  w1.assign(tf.tensor2d(W1));
  b1.assign(tf.tensor1d(B1));
  w2.assign(tf.tensor2d(W2.map((v) => [v])));
  b2.assign(tf.tensor1d([0.7]));
  const R = [[1, 0.5], [-0.5, 2]], F = [[0.3, -1], [2, 1]];
  const real = tf.tensor2d(R), fake = tf.tensor2d(F);
  const norms = await activationGradientNorms(critic, real, fake);
  assert.equal(norms.length, 2);
  // the hidden layer: every sample's gradient is ±w2 / n
  const n = 2, w2norm = Math.hypot(...W2);
  close(norms[1], w2norm * Math.sqrt(2 * n) / n, 1e-5, "hidden layer");
  // the input: ±(1/n) W1 (relu'(z) ⊙ w2), z = x W1 + b1
  let sq = 0;
  for (const x of [...R, ...F]) {
    const z = [0, 1, 2].map((j) => x[0] * W1[0][j] + x[1] * W1[1][j] + B1[j]);
    const back = [0, 1, 2].map((j) => (z[j] > 0 ? W2[j] : 0));
    for (const i of [0, 1]) sq += ((W1[i][0] * back[0] + W1[i][1] * back[1] + W1[i][2] * back[2]) / n) ** 2;
  }
  close(norms[0], Math.sqrt(sq), 1e-5, "input");
  // a tap is added to the layer's activation: D changes by w2 · t
  const t = tf.tensor2d([[1, 0, 0], [0, 0, 2]]);
  const [d0, d1] = await tf.sub(critic.tapped!(real, [t]), critic.apply(real)).data();
  close(d0, W2[0], 1e-5, "tap on sample 0");
  close(d1, 2 * W2[2], 1e-5, "tap on sample 1");
  assert.throws(() => critic.tapped!(real, []), /Cannot tap mlp 1x3 relu: it has 1 hidden layers, got 0 taps/);
  tf.dispose([real, fake, t]);
  critic.dispose();
});

backendTest("activationGradientNorms() of a deep critic match finite differences on every layer", async () => {
  const critic = mlpCritic({ seed: 3, inputShape: [2], hidden: 5, hiddenLayers: 3, activation: "leaky-relu" });
  const real = tf.randomNormal([4, 2], 0, 1, "float32", 1), fake = tf.randomNormal([4, 2], 0.5, 1, "float32", 2);
  const norms = await activationGradientNorms(critic, real, fake);
  assert.equal(norms.length, 4);
  // zero taps: the plain forward pass
  const shapes = critic.hidden!(real).map((h) => h.shape);
  const zeros = shapes.map((s) => tf.zeros(s));
  assert.deepEqual(await critic.tapped!(real, zeros).data(), await critic.apply(real).data());
  // L as a function of one side's input or taps, in float64 differences of float32 passes
  const loss = async (x: tf.Tensor, sign: number, taps: tf.Tensor[]) =>
    sign * (await tf.mean(critic.tapped!(x, taps)).data())[0];
  const h = 1e-2;
  for (let layer = 0; layer < 4; layer++) {
    let sq = 0;
    for (const [x, sign] of [[real, -1], [fake, 1]] as const) {
      const shape = layer === 0 ? x.shape : shapes[layer - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      for (let j = 0; j < size; j++) {
        const e = tf.oneHot([j], size).reshape(shape).mul(h);
        const at = async (s: number) => {
          const input = layer === 0 ? x.add(e.mul(s)) : x;
          const taps = zeros.map((z, k) => (k === layer - 1 ? z.add(e.mul(s)) : z));
          return await loss(input, sign, taps);
        };
        sq += ((await at(1)) - (await at(-1))) ** 2 / (2 * h) ** 2;
      }
    }
    // leaky-relu kinks: a ±h step rarely crosses one with these inputs; 1% covers float32 differences
    close(norms[layer], Math.sqrt(sq), 1e-2, `layer ${layer}`);
  }
  tf.dispose([real, fake, ...zeros]);
  critic.dispose();
});

backendTest("activationGradientNorms() on a DCGAN critic: the input and one norm per convolution", async () => {
  const critic = dcganCritic({ seed: 1, imageSize: 32, channels: 1, width: 4, norm: "none" });
  const real = tf.randomUniform([4, 32, 32, 1], -1, 1, "float32", 3);
  const fake = tf.randomUniform([4, 32, 32, 1], -1, 1, "float32", 4);
  const before = tf.memory().numTensors;
  const norms = await activationGradientNorms(critic, real, fake);
  assert.equal(tf.memory().numTensors, before, "nothing left behind");
  assert.equal(norms.length, 4);
  assert.ok(norms.every((g) => Number.isFinite(g) && g > 0), String(norms));
  assert.equal(critic.layerWeights!.length, 4);
  tf.dispose([real, fake]);
  critic.dispose();
});

Deno.test("weightStatistics(): per-layer largest |w|, the share at the extremes, and a pooled histogram", async () => {
  const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 2, hiddenLayers: 1 });
  const [w1, w2] = critic.layerWeights!;
  // layer 1: two of four at ±0.5; layer 2: one of two at its extreme 0.25
  w1.assign(tf.tensor2d([[0.5, -0.5], [0.1, 0]]));
  w2.assign(tf.tensor2d([[0.25], [-0.2]]));
  const s = await weightStatistics(critic, 4);
  assert.deepEqual(s.maxAbs, [0.5, 0.25]);
  assert.deepEqual(s.extremeShare, [0.5, 0.5]);
  // pooled over 6 weights scaled by 0.5: −1, −0.4 | 0, 0.2, 0.5 | 1 → bins [−1,−.5) [−.5,0) [0,.5) [.5,1]
  assert.deepEqual(s.histogram, [1 / 6, 1 / 6, 2 / 6, 2 / 6]);
  await assert.rejects(weightStatistics(critic, 0), /bins must be ≥ 1/);
  await assert.rejects(
    weightStatistics({ ...critic, layerWeights: undefined }),
    /Cannot read the layer weights of "mlp 1x2 relu critic"/,
  );
  critic.dispose();
});

backendTest(
  "the per-layer diagnostics change nothing: training with and without them gives the same numbers",
  async () => {
    const run = async (diagnose: boolean) => {
      const trainer = new Trainer({
        generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 2 }),
        critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 8, hiddenLayers: 3 }),
        algorithm: algorithm("wgan", { batchSize: 8, dItersSchedule: false }),
        data: toyDataset("swissroll"),
        seed: 5,
      });
      const stats = [];
      for (let i = 0; i < 4; i++) {
        trainer.step();
        stats.push(await trainer.stats());
        if (diagnose) {
          // batches of their own, as the evaluator's held-out ones: the training streams are not drawn from
          const real = tf.randomNormal([8, 2], 0, 1, "float32", i),
            fake = tf.randomNormal([8, 2], 0, 1, "float32", 9 + i);
          assert.equal((await activationGradientNorms(trainer.critic, real, fake)).length, 4);
          assert.equal((await weightStatistics(trainer.critic)).maxAbs.length, 4);
          tf.dispose([real, fake]);
        }
      }
      const state = await trainer.getState();
      trainer.dispose();
      return { stats, state };
    };
    const plain = await run(false);
    assert.deepEqual(await run(true), plain);
  },
);

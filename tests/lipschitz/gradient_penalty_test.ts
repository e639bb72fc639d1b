import assert from "node:assert/strict";
import { criticInputGradient, dcganCritic, gradientPenalty, mlpCritic, Rng, tf } from "../../mod.ts";
import {
  assertPenaltyMatchesFiniteDifferences,
  backendTest,
  linearCritic,
  normalTensor,
  scalarValue,
} from "../helpers.ts";

backendTest("gradientPenalty() of a linear critic is λ(‖w‖ − 1)² with gradient 2λ(‖w‖ − 1)·w/‖w‖", async () => {
  const w = [0.6, -1.2, 2.0]; // ‖w‖ = 2.4083
  const norm = Math.hypot(...w);
  const critic = linearCritic(w);
  const real = normalTensor(1, [5, 3]), fake = normalTensor(2, [5, 3]);
  const eps = tf.tensor1d(new Rng(3).uniforms(5));
  const gp = await scalarValue(gradientPenalty(critic, real, fake, eps, { lambda: 10 }));
  assert.ok(Math.abs(gp - 10 * (norm - 1) ** 2) < 1e-4 * gp, `gp ${gp} vs ${10 * (norm - 1) ** 2}`);
  const { grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, eps, { lambda: 10 }), [
    critic.variables[0],
  ]);
  const g = await grads[critic.variables[0].name].data();
  w.forEach((wi, i) => {
    const expected = 2 * 10 * (norm - 1) * wi / norm;
    assert.ok(Math.abs(g[i] - expected) < 1e-4 * Math.abs(expected) + 1e-6, `∂gp/∂w${i} ${g[i]} vs ${expected}`);
  });
  critic.dispose();
});

backendTest("gradientPenalty() is zero for a critic with unit gradient norm", async () => {
  const critic = linearCritic([0.6, 0.8]);
  const gp = await scalarValue(
    gradientPenalty(critic, normalTensor(1, [4, 2]), normalTensor(2, [4, 2]), tf.fill([4], 0.5)),
  );
  assert.ok(Math.abs(gp) < 1e-8, `gp ${gp}`);
  critic.dispose();
});

backendTest(
  "gradientPenalty() interpolates per sample: x̂ᵢ = εᵢ·realᵢ + (1 − εᵢ)·fakeᵢ, checked against x̂ built by hand",
  async () => {
    // 4 samples of 4 features: an ε applied per feature (broadcast on the last axis) would also run, and differ.
    const critic = mlpCritic({
      seed: 5,
      inputShape: [4],
      hidden: 6,
      hiddenLayers: 2,
      activation: "leaky-relu",
      init: "he",
    });
    const real = normalTensor(1, [4, 4]), fake = normalTensor(2, [4, 4]);
    const eps = [0.1, 0.9, 0.35, 0.6];
    const [r, f] = [await real.data(), await fake.data()];
    const xHat = tf.tensor2d(
      Array.from(r, (x, k) => eps[Math.floor(k / 4)] * x + (1 - eps[Math.floor(k / 4)]) * f[k]),
      [4, 4],
    );
    const g = await criticInputGradient(critic, xHat).data();
    let expected = 0;
    for (let i = 0; i < 4; i++) expected += 10 * (Math.hypot(...g.subarray(4 * i, 4 * i + 4)) - 1) ** 2 / 4;
    const gp = await scalarValue(gradientPenalty(critic, real, fake, tf.tensor1d(eps), { lambda: 10 }));
    assert.ok(Math.abs(gp - expected) <= 1e-5 * expected, `gp ${gp} vs per-sample ${expected}`);
    // and the ε order matters: the same four values on other samples give another penalty
    const swapped = await scalarValue(gradientPenalty(critic, real, fake, tf.tensor1d([0.9, 0.1, 0.6, 0.35])));
    assert.ok(Math.abs(swapped - gp) > 1e-3 * gp, `swapped ε: ${swapped} vs ${gp}`);
    critic.dispose();
  },
);

backendTest("gradientPenalty() weight gradients match finite differences: MLP critic with LeakyReLU", async () => {
  await assertPenaltyMatchesFiniteDifferences(
    "mlp",
    (critic, real, fake) => gradientPenalty(critic, real, fake, tf.tensor1d([0.1, 0.4, 0.6, 0.9])),
  );
});

backendTest(
  "gradientPenalty() weight gradients match finite differences: conv critic with LeakyReLU + layer norm",
  async () => {
    await assertPenaltyMatchesFiniteDifferences(
      "conv",
      (critic, real, fake) => gradientPenalty(critic, real, fake, tf.tensor1d([0.3, 0.8])),
    );
  },
);

backendTest("gradientPenalty() weight gradients agree with the cpu backend's to 1e-4", async (backend) => {
  const run = async () => {
    const critic = dcganCritic({ seed: 4, imageSize: 28, channels: 1, width: 2, norm: "layer", init: "he" });
    const { grads } = tf.variableGrads(
      () =>
        gradientPenalty(critic, normalTensor(1, [2, 28, 28, 1]), normalTensor(2, [2, 28, 28, 1]), tf.fill([2], 0.4)),
      critic.variables as tf.Variable[],
    );
    // tfjs omits variables that do not affect the loss (the last bias): zero.
    const out = await Promise.all(
      critic.variables.map(async (v) => grads[v.name] ? await grads[v.name].data() : new Float32Array(v.size)),
    );
    critic.dispose();
    return out;
  };
  const here = await run();
  await tf.setBackend("cpu");
  const reference = await run();
  await tf.setBackend(backend);
  here.forEach((g, i) => {
    let diff = 0, norm = 0;
    g.forEach((x, j) => {
      diff += (x - reference[i][j]) ** 2;
      norm += reference[i][j] ** 2;
    });
    assert.ok(
      Math.sqrt(diff) <= 1e-4 * Math.sqrt(norm) + 1e-7,
      `variable ${i}: relative difference ${Math.sqrt(diff / norm)}`,
    );
  });
});

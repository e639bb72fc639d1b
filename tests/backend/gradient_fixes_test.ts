/**
 * Each gradient fix is shown to matter: without it the computation throws, is
 * silently wrong, or is slow; with it, it matches finite differences.
 */
import assert from "node:assert/strict";
import { dcganCritic, gradientPenalty, mlpCritic, tf } from "../../mod.ts";
import {
  ALL_GRADIENT_FIXES,
  applyGradientFixes,
  type GradientFix,
  restoreStockGradients,
} from "../../lib/backend/mod.ts";
import {
  alongGradient,
  backendTest,
  finiteDifferenceCheck,
  maxAbs,
  maxAbsDiff,
  normalTensor,
  tinyCritic,
} from "../helpers.ts";

/** Runs `fn` with every fix but `missing`, then restores all fixes. */
async function without<T>(missing: GradientFix | GradientFix[], fn: () => Promise<T> | T): Promise<T> {
  const left = Array.isArray(missing) ? missing : [missing];
  restoreStockGradients();
  applyGradientFixes(ALL_GRADIENT_FIXES.filter((f) => !left.includes(f)));
  try {
    return await fn();
  } finally {
    applyGradientFixes();
  }
}

backendTest("without the comparison-gradient fix, a LeakyReLU critic's penalty cannot be differentiated", async () => {
  const critic = mlpCritic({ seed: 1, inputShape: [3], hidden: 5, hiddenLayers: 1, activation: "leaky-relu" });
  const real = normalTensor(1, [4, 3]), fake = normalTensor(2, [4, 3]);
  const penaltyGrads = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => gradientPenalty(critic, real, fake, tf.fill([4], 0.5)),
        critic.variables as tf.Variable[],
      );
      return Object.keys(grads).length;
    });
  // (on native the fused LeakyReLU gradient needs no comparison kernel: the stock path is shown without it too)
  await without(
    ["comparison", "native-fused"],
    () => assert.throws(penaltyGrads, /gradient function not found for (Greater|Less)/),
  );
  assert.ok(penaltyGrads() > 0);
  critic.dispose();
});

const SMOOTH_ACTIVATIONS: [string, (t: tf.Tensor) => tf.Tensor][] = [
  ["Tanh", (t) => tf.tanh(t)],
  ["Sigmoid", (t) => tf.sigmoid(t)],
  ["Exp", (t) => tf.exp(tf.mul(t, 0.5))],
];

for (const [name, act] of SMOOTH_ACTIVATIONS) {
  backendTest(
    `without the input-saving fix, ${name}'s second derivative is silently wrong; with it, exact`,
    async () => {
      const critic = tinyCritic(3, 3, 4, act);
      const real = normalTensor(1, [4, 3]), fake = normalTensor(2, [4, 3]);
      const eps = tf.tensor1d([0.2, 0.4, 0.6, 0.8]);
      const check = () =>
        finiteDifferenceCheck(() => gradientPenalty(critic, real, fake, eps), critic.variables, { directions: 1 });
      const broken = alongGradient(await without("input-saving", check));
      const fixed = alongGradient(await check());
      assert.ok(broken > 0.02, `stock ${name} gradient should be wrong, relative error ${broken}`);
      assert.ok(fixed < 2e-3, `fixed ${name} gradient relative error ${fixed}`);
      critic.dispose();
    },
  );
}

backendTest(
  "without the wasm training fix, a conv critic cannot be trained on wasm (no Conv2DBackpropFilter)",
  async () => {
    const critic = dcganCritic({ seed: 1, imageSize: 28, channels: 1, width: 2, norm: "batch" });
    const x = normalTensor(1, [2, 28, 28, 1]);
    const count = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.mean(critic.apply(x)) as tf.Scalar,
          critic.variables as tf.Variable[],
        );
        return Object.keys(grads).length;
      });
    await without("wasm-training", () => assert.throws(count, /Conv2DBackpropFilter/));
    assert.equal(count(), critic.variables.length);
    critic.dispose();
  },
  { only: ["wasm"] },
);

backendTest("the wasm conv gradients equal the stock cpu conv gradients (strides 1 and 2, odd sizes)", async () => {
  const cases: { x: number[]; f: number[]; stride: number; pad: number | "same" | "valid" }[] = [
    { x: [2, 9, 9, 3], f: [4, 4, 3, 5], stride: 2, pad: 1 },
    { x: [1, 8, 7, 2], f: [3, 3, 2, 4], stride: 1, pad: "same" },
    { x: [2, 10, 10, 2], f: [3, 3, 2, 3], stride: 2, pad: "valid" },
  ];
  for (const c of cases) {
    const x = normalTensor(1, c.x) as tf.Tensor4D, f = normalTensor(2, c.f) as tf.Tensor4D;
    const both = async () => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)))
      )([x, f]);
      return [await g[0].data(), await g[1].data()];
    };
    const fixed = await both();
    await tf.setBackend("cpu");
    const stock = await without("wasm-training", both);
    await tf.setBackend("wasm");
    for (let k = 0; k < 2; k++) {
      const diff = maxAbsDiff(fixed[k], stock[k]);
      assert.ok(diff <= 1e-4 * maxAbs(stock[k]), `${JSON.stringify(c)} input ${k}: max difference ${diff}`);
    }
  }
}, { only: ["wasm"] });

backendTest(
  "on wasm the matMul gradient uses explicit transposes, not the transpose flags (10x slower there), with the same values",
  async () => {
    const a = normalTensor(1, [64, 784]), b = normalTensor(2, [784, 512]);
    const grad = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)));
    const kernels = async (f: () => tf.Tensor[]) => {
      const info = await tf.profile(() => f());
      return info.kernels.map((k) => k.name).filter((k) => k === "Transpose" || k === "BatchMatMul").length;
    };
    // stock: forward + two flagged products; fixed: forward + two products over two explicit transposes
    const stockKernels = await without("wasm-training", () => kernels(() => grad([a, b])));
    const fixedKernels = await kernels(() => grad([a, b]));
    assert.equal(stockKernels, 3);
    assert.equal(fixedKernels, 5);
    const [ga, gb] = grad([a, b]);
    const [sa, sb] = await without("wasm-training", () => grad([a, b]));
    assert.ok(maxAbsDiff(await ga.data(), await sa.data()) <= 1e-4 * maxAbs(await sa.data()));
    assert.ok(maxAbsDiff(await gb.data(), await sb.data()) <= 1e-4 * maxAbs(await sb.data()));
  },
  { only: ["wasm"] },
);

backendTest(
  "on native the LeakyReLU gradient is one fused kernel instead of tfjs's greater/select/multiply, with the same values",
  async () => {
    const x = normalTensor(1, [64, 1000]), dy = normalTensor(2, [64, 1000]);
    const grad = () => [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.2), dy)))(x)];
    const kernels = async () => (await tf.profile(grad)).kernels.map((k) => k.name).filter((k) => k !== "Identity");
    const stock = await without("native-fused", kernels);
    const fused = await kernels();
    assert.ok(["Greater", "Select", "Multiply"].every((k) => stock.includes(k)), stock.join());
    assert.ok(fused.includes("WganBenchLeakyReluGrad") && !fused.includes("Select"), fused.join());
    const [a] = grad(), [b] = await without("native-fused", grad);
    assert.deepEqual(await a.data(), await b.data());
  },
  { only: ["native"] },
);

backendTest(
  "on native the mean and sum gradients broadcast dy in one kernel (no full-size ones), with the same values; second derivatives within rounding",
  async () => {
    const x = normalTensor(1, [4, 3, 5, 6]), w = normalTensor(2, [4, 3, 5, 6]);
    // layer norm's moments (means over all but the batch axis), a per-channel mean and a plain sum
    const f = (a: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [1, 2, 3], true);
      const normed = tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return tf.add(tf.sum(tf.mul(normed, w)), tf.add(tf.sum(tf.mean(a, [0, 2])), tf.sum(tf.square(tf.sum(a, 1)))));
    };
    const first = () => tf.grad(f)(x);
    const second = () => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.grad(f)(a))))(x);
    const multiplies = async () =>
      (await tf.profile(() => first())).kernels.filter((k) => k.name === "Multiply").length;
    const [a1, a2] = [await first().data(), await second().data()];
    const [b1, b2] = await without("native-fused", async () => [await first().data(), await second().data()]);
    assert.deepEqual(a1, b1, "first derivatives: bit-identical to tfjs's");
    const scale = maxAbs(b2);
    assert.ok(maxAbsDiff(a2, b2) <= 1e-6 * scale, `second derivatives: ${maxAbsDiff(a2, b2)} (scale ${scale})`);
    // tfjs multiplies dy by a full-size ones tensor once per mean and sum: 5 here (3 from moments' means and sum)
    const stock = await without("native-fused", multiplies);
    assert.ok((await multiplies()) <= stock - 5, `Multiply kernels: ${await multiplies()} vs stock ${stock}`);
    // the kernel itself, over broadcast patterns (per sample, per channel, scalar, inner and outer runs)
    for (
      const [from, to] of [
        [[4, 1, 1, 1], [4, 3, 5, 6]],
        [[1, 1, 1, 6], [4, 3, 5, 6]],
        [[4, 1, 5, 1], [4, 3, 5, 6]],
        [[1, 3, 1, 6], [4, 3, 5, 6]],
        [[1, 1], [7, 9]],
        [[7, 1], [7, 9]],
        [[3], [3]],
      ]
    ) {
      const small = normalTensor(3, from);
      const mine = tf.engine().runKernel("WganBenchBroadcastTo", { x: small }, { shape: to }) as tf.Tensor;
      assert.deepEqual(await mine.data(), await tf.broadcastTo(small, to).data(), `${from} → ${to}`);
    }
  },
  { only: ["native"] },
);

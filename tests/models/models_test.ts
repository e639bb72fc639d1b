import assert from "node:assert/strict";
import { dcganCritic, dcganGenerator, mlpCritic, mlpGenerator, parameterCount, tf } from "../../mod.ts";
import { backendTest, normalTensor } from "../helpers.ts";

Deno.test("the paper's MLP generator has 4 hidden ReLU layers of 512 units (100 → 784: 1,241,872 parameters)", () => {
  const g = mlpGenerator({ seed: 0, outputShape: [28, 28, 1] });
  // (100·512 + 512) + 3·(512·512 + 512) + (512·784 + 784)
  assert.equal(parameterCount(g), 100 * 512 + 512 + 3 * (512 * 512 + 512) + 512 * 784 + 784);
  assert.equal(parameterCount(g), 1_241_872);
  g.dispose();
});

Deno.test("DCGAN-32 parameter counts match the official dcgan.py (ngf = ndf = 64, nz = 100, 1 channel)", () => {
  // Generator: ConvT(100→256, 4) + BN(256) + ConvT(256→128) + BN + ConvT(128→64) + BN + ConvT(64→1), no biases
  const g = dcganGenerator({ seed: 0, imageSize: 32, channels: 1 });
  const expectedG = 100 * 256 * 16 + 2 * 256 + 256 * 128 * 16 + 2 * 128 + 128 * 64 * 16 + 2 * 64 + 64 * 1 * 16;
  assert.equal(parameterCount(g), expectedG);
  // Critic: Conv(1→64), Conv(64→128) + BN, Conv(128→256) + BN, final Conv(256→1, 4), no biases
  const d = dcganCritic({ seed: 0, imageSize: 32, channels: 1 });
  const expectedD = 1 * 64 * 16 + 64 * 128 * 16 + 2 * 128 + 128 * 256 * 16 + 2 * 256 + 256 * 16;
  assert.equal(parameterCount(d), expectedD);
  g.dispose();
  d.dispose();
});

backendTest("DCGAN models produce the right shapes for 28, 32 and 64 pixels, 1 and 3 channels", async () => {
  for (const imageSize of [28, 32, 64] as const) {
    for (const channels of [1, 3]) {
      for (const filters of ["pyramid", "constant"] as const) {
        const g = dcganGenerator({
          seed: 1,
          imageSize,
          channels,
          noiseDim: 4,
          width: 2,
          filters,
          batchNorm: filters === "pyramid",
        });
        const d = dcganCritic({ seed: 2, imageSize, channels, width: 2 });
        const x = g.apply(normalTensor(0, [2, 4]));
        assert.deepEqual(x.shape, [2, imageSize, imageSize, channels]);
        const v = await x.data();
        assert.ok(v.every((p) => p >= -1 && p <= 1), "tanh output");
        assert.deepEqual(d.apply(x).shape, [2]);
        tf.dispose(x);
        g.dispose();
        d.dispose();
      }
    }
  }
  assert.throws(
    () => dcganGenerator({ seed: 0, imageSize: 48 as 32, channels: 1 }),
    /image size must be 28, 32 or 64, got 48/,
  );
});

Deno.test("the same seed builds identical weights; init is N(0, 0.02) by default", async () => {
  const a = mlpCritic({ seed: 5, inputShape: [784] }), b = mlpCritic({ seed: 5, inputShape: [784] });
  const wa = await a.variables[0].data(), wb = await b.variables[0].data();
  assert.deepEqual(wa.slice(0, 100), wb.slice(0, 100));
  const std = Math.sqrt(Array.from(wa).reduce((s, x) => s + x * x, 0) / wa.length);
  assert.ok(Math.abs(std - 0.02) < 0.0005, `std ${std}`);
  a.dispose();
  b.dispose();
});

backendTest(
  "layer norm makes the conv critic's score independent of other samples in the batch; batch norm does not",
  async () => {
    for (const [norm, independent] of [["layer", true], ["batch", false]] as const) {
      const d = dcganCritic({ seed: 3, imageSize: 28, channels: 1, width: 2, norm });
      const x = normalTensor(1, [3, 28, 28, 1]);
      const alone = await d.apply(x.slice([0], [1])).data();
      const together = await d.apply(x).data();
      assert.equal(Math.abs(alone[0] - together[0]) < 1e-5, independent, norm);
      d.dispose();
    }
  },
);

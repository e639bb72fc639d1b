import assert from "node:assert/strict";
import { dcganCritic, dcganGenerator, mlpCritic, mlpGenerator, parameterCount, tf } from "../../mod.ts";
import { backendTest, normalTensor } from "../helpers.ts";

Deno.test("the official MLP_G has 3 hidden ReLU layers of 512 units (100 → 784: 979,216 parameters)", () => {
  const g = mlpGenerator({ seed: 0, outputShape: [28, 28, 1] });
  // (100·512 + 512) + 2·(512·512 + 512) + (512·784 + 784)
  assert.equal(parameterCount(g), 100 * 512 + 512 + 2 * (512 * 512 + 512) + 512 * 784 + 784);
  assert.equal(parameterCount(g), 979_216);
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

/** Each variable's values, min, max and standard deviation about 0. */
async function stats(model: { variables: readonly tf.Variable[] }) {
  return await Promise.all(model.variables.map(async (v) => {
    const x = await v.data();
    let min = Infinity, max = -Infinity, ss = 0;
    for (const a of x) {
      min = Math.min(min, a);
      max = Math.max(max, a);
      ss += a * a;
    }
    return { shape: v.shape, min, max, rms: Math.sqrt(ss / x.length) };
  }));
}

Deno.test("the same seed builds identical weights; MLPs default to PyTorch's Linear init (the official weights_init skips Linear)", async () => {
  const a = mlpCritic({ seed: 5, inputShape: [784] }), b = mlpCritic({ seed: 5, inputShape: [784] });
  const wa = await a.variables[0].data(), wb = await b.variables[0].data();
  assert.deepEqual(wa.slice(0, 100), wb.slice(0, 100));
  // kaiming_uniform_(a=√5) → U(±1/√fanIn); bias U(±1/√fanIn): rms = bound/√3
  const [w0, b0, w1, , , , w3, b3] = await stats(a);
  for (const [s, fanIn] of [[w0, 784], [b0, 784], [w1, 512], [w3, 512], [b3, 512]] as const) {
    const bound = 1 / Math.sqrt(fanIn);
    assert.ok(s.max <= bound && s.min >= -bound, `${s.shape}: inside ±${bound}`);
    if (s.shape.join() !== "1") assert.ok(Math.abs(s.rms / (bound / Math.sqrt(3)) - 1) < 0.1, `${s.shape}: ${s.rms}`);
  }
  a.dispose();
  b.dispose();
});

Deno.test("init rules: dcgan (N(0, 0.02) convs, N(1, 0.02) scales), torch-default (transposed fan-in = out·k²), gan-toy, a number", async () => {
  const g = dcganGenerator({ seed: 1, imageSize: 28, channels: 1, width: 8, noiseDim: 10 });
  const [first, scale, shift, up1] = await stats(g);
  for (const s of [first, up1]) assert.ok(Math.abs(s.rms - 0.02) < 0.002, `dcgan weight rms ${s.rms}`);
  assert.ok(Math.abs(scale.rms - 1) < 0.01 && scale.min > 0.9 && shift.rms === 0);
  g.dispose();

  const t = dcganGenerator({ seed: 1, imageSize: 28, channels: 1, width: 8, noiseDim: 10, init: "torch-default" });
  const [tFirst, tScale, , tUp1, , , tUp2] = await stats(t);
  // ConvTranspose2d(nz, 16, 7) weight (nz, 16, 7, 7): PyTorch's fan-in is 16·49; ConvTranspose2d(16, 8, 4): 8·16
  assert.ok(tFirst.max <= 1 / Math.sqrt(16 * 49) && tFirst.max > 0.9 / Math.sqrt(16 * 49));
  assert.ok(tUp1.max <= 1 / Math.sqrt(8 * 16) && tUp1.max > 0.9 / Math.sqrt(8 * 16));
  assert.ok(tUp2.max <= 1 / Math.sqrt(1 * 16) && tUp2.max > 0.8 / Math.sqrt(1 * 16));
  assert.equal(tScale.min, 1);
  t.dispose();

  // gan_toy.py (tflib): He-uniform ±√(6/fanIn) before ReLUs, Glorot-uniform ±√(6/(in+out)) at the output, zero bias
  const toy = mlpGenerator({ seed: 2, noiseDim: 2, outputShape: [2], hidden: 512, init: "gan-toy" });
  const [h0, hb0, h1, , , , out, outB] = await stats(toy);
  assert.ok(Math.abs(h0.max - Math.sqrt(6 / 2)) < 0.01 && hb0.rms === 0 && outB.rms === 0);
  assert.ok(Math.abs(h1.rms - Math.sqrt(2 / 512)) < 0.002, `He rms ${h1.rms}`);
  assert.ok(out.max <= Math.sqrt(6 / 514) && out.max > 0.95 * Math.sqrt(6 / 514));
  toy.dispose();

  const n = mlpCritic({ seed: 3, inputShape: [50], hidden: 400, init: 0.05 });
  const [nw, nb] = await stats(n);
  assert.ok(Math.abs(nw.rms - 0.05) < 0.002 && nb.rms === 0);
  n.dispose();
  assert.throws(
    () => mlpCritic({ seed: 0, inputShape: [2], init: "xavier" as never }),
    /Cannot initialise weights: init must be dcgan, torch-default, gan-toy, he or a positive standard deviation, got "xavier"/,
  );
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

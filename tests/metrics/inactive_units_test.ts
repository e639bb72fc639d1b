import assert from "node:assert/strict";
import { dcganCritic, mlpCritic, tf } from "../../mod.ts";
import { inactiveUnitShares } from "../../lib/metrics/mod.ts";

Deno.test("inactiveUnitShares() on a hand-built MLP: the units whose pre-activation is never positive, per layer", async () => {
  // 2 → 4 → 4 → 1; inputs in (0, 1]²
  const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 4, hiddenLayers: 2 });
  const [w0, b0, w1, b1] = critic.variables;
  w0.assign(tf.tensor2d([[1, -1, 1, -1], [1, -1, 1, -1]]));
  // unit 0: s + 0.1 > 0; unit 1: −s − 0.1 < 0; unit 2: s > 0; unit 3: −s − 5 < 0  (s = x₁ + x₂ > 0)
  b0.assign(tf.tensor1d([0.1, -0.1, 0, -5]));
  // layer 2: unit 0 copies layer 1's unit 0 (active); units 1–3 get −1 whatever comes in
  w1.assign(tf.tensor2d([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]));
  b1.assign(tf.tensor1d([0, -1, -1, -1]));
  const x = tf.tensor2d([[0.5, 0.25], [1, 1], [0.01, 0.02]]);
  assert.deepEqual(await inactiveUnitShares(critic, x), [0.5, 0.75]);
  // a unit active on one sample only is active on the batch
  const one = tf.tensor2d([[0.5, 0.5]]);
  b0.assign(tf.tensor1d([0.1, 5, 0, -5]));
  assert.deepEqual(await inactiveUnitShares(critic, tf.concat([x, one])), [0.25, 0.75]);
  // the forward pass is unchanged by exposing the hidden layers, and nothing is left behind
  const before = tf.memory().numTensors;
  const shares = await inactiveUnitShares(critic, x);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(shares.length, 2);
  tf.dispose([x, one]);
  critic.dispose();
});

Deno.test("inactiveUnitShares() on a DCGAN critic: one share per convolution, a unit being a channel", async () => {
  const critic = dcganCritic({ seed: 1, imageSize: 32, channels: 1, width: 4, norm: "none" });
  const x = tf.randomUniform([8, 32, 32, 1], -1, 1, "float32", 3);
  const shares = await inactiveUnitShares(critic, x);
  assert.equal(shares.length, 3);
  for (const s of shares) assert.ok(s >= 0 && s <= 1);
  // a first-layer bias of −100 silences all of its 4 channels
  const bias = critic.variables[1];
  assert.deepEqual(bias.shape, [4]);
  bias.assign(tf.fill([4], -100));
  assert.equal((await inactiveUnitShares(critic, x))[0], 1);
  x.dispose();
  critic.dispose();
});

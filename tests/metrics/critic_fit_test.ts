import assert from "node:assert/strict";
import { exactW1, mlpCritic, Rng, tf } from "../../mod.ts";
import { lipschitzScaledShare, pairLipschitz, valueSurface } from "../../lib/metrics/mod.ts";
import { backendTest } from "../helpers.ts";

/** The critic's scores on `[n, 2]` points. */
const scores = async (critic: ReturnType<typeof mlpCritic>, x: Float32Array) =>
  new Float32Array(await critic.apply(tf.tensor2d(x, [x.length / 2, 2])).data());
const mean = (v: Float32Array) => v.reduce((a, b) => a + b, 0) / v.length;
const concat = (a: Float32Array, b: Float32Array) => {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

backendTest(
  "a translated sample: the linear critic along the shift is optimal, its scaled share of W1 is 1",
  async () => {
    // P and P + v: W1 = ‖v‖ (the shift is a plan of cost ‖v‖; the potential −x·v/‖v‖ proves it optimal)
    const rng = new Rng(5);
    const n = 64, v = [0.6, -0.8];
    const real = rng.normals(2 * n);
    const fake = real.map((x, i) => x + v[i % 2]);
    const w1 = exactW1(fake, real, 2);
    assert.ok(Math.abs(w1 - 1) < 1e-5, `W1 of a shift by a unit vector: ${w1}`);
    const critic = mlpCritic({ seed: 0, inputShape: [2], hiddenLayers: 0 });
    // D(x) = −3 v·x + 0.5: real scores higher than fake by 3‖v‖²; on the points, slope 3 along v, less across it
    critic.variables[0].assign(tf.tensor2d([[-3 * v[0]], [-3 * v[1]]]));
    critic.variables[1].assign(tf.tensor1d([0.5]));
    const [vr, vf] = [await scores(critic, real), await scores(critic, fake)];
    const lipschitz = pairLipschitz(concat(real, fake), concat(vr, vf), 2);
    assert.ok(Math.abs(lipschitz - 3) < 1e-4, `the pairs (x, x + v) have slope 3, none more: ${lipschitz}`);
    const share = lipschitzScaledShare(mean(vr) - mean(vf), lipschitz, w1);
    assert.ok(Math.abs(share - 1) < 1e-4, `the optimal critic's share: ${share}`);
    // a critic at an angle to the shift: its slope on the pairs is its own norm, 1, at most; its share cos(angle)
    critic.variables[0].assign(tf.tensor2d([[1], [0]]));
    const [tr, tfk] = [await scores(critic, real), await scores(critic, fake)];
    const l2 = pairLipschitz(concat(real, fake), concat(tr, tfk), 2);
    assert.ok(l2 <= 1 + 1e-5 && l2 > 0.99, `a unit linear critic's slope on 128 points: ${l2}`);
    assert.ok(Math.abs(lipschitzScaledShare(mean(tr) - mean(tfk), 1, w1) - -v[0]) < 1e-4, "cos(angle)");
    critic.dispose();
  },
);

backendTest("duality: any critic's scaled share of W1 on two samples is at most 1", async () => {
  const rng = new Rng(9);
  const real = rng.fork("real").normals(2 * 48), fake = rng.fork("fake").normals(2 * 48, 0.7, 1.5);
  const w1 = exactW1(fake, real, 2);
  for (const seed of [1, 2, 3, 4]) {
    const critic = mlpCritic({ seed, inputShape: [2], hidden: 32, hiddenLayers: 3, init: "gan-toy" });
    const [vr, vf] = [await scores(critic, real), await scores(critic, fake)];
    const l = pairLipschitz(concat(real, fake), concat(vr, vf), 2);
    const share = lipschitzScaledShare(Math.abs(mean(vr) - mean(vf)), l, w1);
    assert.ok(share <= 1 + 1e-9 && share >= 0, `critic ${seed}: share ${share}`);
    critic.dispose();
  }
});

Deno.test("pairLipschitz(): the steepest pair, exactly; distinct points only; NaN for a non-finite value", () => {
  // slopes: (0,0)-(3,4): |5-0|/5 = 1; (0,0)-(1,0): 2; (1,0)-(3,4): |5-2|/√20
  const points = new Float32Array([0, 0, 1, 0, 3, 4, 1, 0]);
  assert.equal(pairLipschitz(points, new Float32Array([0, 2, 5, 2]), 2), 2);
  // a repeated point with another value has no finite slope: it is left out, not Infinity
  assert.equal(pairLipschitz(points, new Float32Array([0, 2, 5, 9]), 2), 9);
  assert.ok(Number.isNaN(pairLipschitz(points, new Float32Array([0, NaN, 5, 2]), 2)));
  assert.throws(() => pairLipschitz(points, new Float32Array([1, 2]), 2), /Cannot pair 4 points of dimension 2 with 2/);
});

Deno.test("lipschitzScaledShare() is NaN where it has no meaning", () => {
  assert.ok(Number.isNaN(lipschitzScaledShare(1, 0, 1)));
  assert.ok(Number.isNaN(lipschitzScaledShare(1, 1, 0)));
  assert.ok(Number.isNaN(lipschitzScaledShare(NaN, 1, 1)));
  assert.equal(lipschitzScaledShare(0.5, 2, 0.5), 0.5);
});

backendTest("valueSurface(): the critic on a grid, row 0 at the top", async () => {
  const critic = mlpCritic({ seed: 0, inputShape: [2], hiddenLayers: 0 });
  critic.variables[0].assign(tf.tensor2d([[2], [-1]]));
  critic.variables[1].assign(tf.tensor1d([0.25]));
  const side = 5, range = 2;
  const s = await valueSurface(critic, side, range);
  assert.equal(s.length, side * side);
  // top-left (−2, 2): −4 − 2 + 0.25; bottom-right (2, −2): 4 + 2 + 0.25; the centre: 0.25
  assert.ok(
    Math.abs(s[0] - -5.75) < 1e-5 && Math.abs(s[side * side - 1] - 6.25) < 1e-5 && Math.abs(s[12] - 0.25) < 1e-5,
  );
  const wide = mlpCritic({ seed: 0, inputShape: [3], hiddenLayers: 0 });
  await assert.rejects(valueSurface(wide, 3, 1), /input shape 3/);
  wide.dispose();
  critic.dispose();
});

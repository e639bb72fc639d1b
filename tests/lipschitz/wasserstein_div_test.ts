import assert from "node:assert/strict";
import { tf, wassersteinDivergence } from "../../mod.ts";
import {
  assertPenaltyMatchesFiniteDifferences,
  backendTest,
  linearCritic,
  normalTensor,
  scalarValue,
} from "../helpers.ts";

backendTest("wassersteinDivergence() of a linear critic is k‖w‖^p with gradient k·p‖w‖^(p−2)·w", async () => {
  const w = [0.5, -0.3, 0.8];
  const n2 = w.reduce((s, x) => s + x * x, 0);
  const critic = linearCritic(w);
  const real = normalTensor(1, [4, 3]), fake = normalTensor(2, [4, 3]);
  const value = await scalarValue(wassersteinDivergence(critic, real, fake, { k: 2, p: 6 }));
  assert.ok(Math.abs(value - 2 * n2 ** 3) < 1e-5 * value, `${value} vs ${2 * n2 ** 3}`);
  const { grads } = tf.variableGrads(() => wassersteinDivergence(critic, real, fake), [critic.variables[0]]);
  const g = await grads[critic.variables[0].name].data();
  w.forEach((wi, i) => {
    const expected = 2 * 6 * n2 ** 2 * wi;
    assert.ok(Math.abs(g[i] - expected) < 1e-4 * Math.abs(expected), `∂/∂w${i} ${g[i]} vs ${expected}`);
  });
  // a non-even-integer power goes through tf.pow
  const p3 = await scalarValue(wassersteinDivergence(critic, real, fake, { k: 1, p: 3 }));
  assert.ok(Math.abs(p3 - n2 ** 1.5) < 1e-5, `${p3} vs ${n2 ** 1.5}`);
  critic.dispose();
});

backendTest(
  "wassersteinDivergence() weight gradients match finite differences: MLP critic with LeakyReLU",
  async () => {
    await assertPenaltyMatchesFiniteDifferences(
      "mlp",
      (critic, real, fake) => wassersteinDivergence(critic, real, fake),
    );
  },
);

backendTest(
  "wassersteinDivergence() weight gradients match finite differences: conv critic with LeakyReLU + layer norm",
  async () => {
    await assertPenaltyMatchesFiniteDifferences(
      "conv",
      (critic, real, fake) => wassersteinDivergence(critic, real, fake),
    );
  },
);

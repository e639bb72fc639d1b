import assert from "node:assert/strict";
import {
  algorithm,
  dcganCritic,
  interpolatedWassersteinDivergence,
  lipschitzTerm,
  type Model,
  Rng,
  scoredWassersteinDivergence,
  tf,
  wassersteinDivergence,
} from "../../mod.ts";
import {
  assertPenaltyMatchesFiniteDifferences,
  backendTest,
  FD_CASES,
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

/** The WGAN critic loss plus the shared-pass divergence: every path of the critic step's shared objective. */
function sharedObjective(critic: Model, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  const { dReal, dFake, penalty } = scoredWassersteinDivergence(critic, real, fake);
  return tf.add(tf.sub(tf.mean(dFake), tf.mean(dReal)), penalty) as tf.Scalar;
}

/** The same objective from separate passes: the scores, then the divergence's own two passes. */
function separateObjective(critic: Model, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  const adversarial = tf.sub(tf.mean(critic.apply(fake)), tf.mean(critic.apply(real)));
  return tf.add(adversarial, wassersteinDivergence(critic, real, fake)) as tf.Scalar;
}

for (const which of ["mlp", "conv"] as const) {
  backendTest(
    `scoredWassersteinDivergence() (one shared pass) gives the separate passes' scores, term and weight gradients: ${which}`,
    async () => {
      const c = FD_CASES[which];
      const critic = c.critic(), real = c.real(), fake = c.fake();
      const shared = scoredWassersteinDivergence(critic, real, fake);
      const close = async (a: tf.Tensor, b: tf.Tensor, what: string, tol: number) => {
        const [x, y] = [await a.data(), await b.data()];
        assert.equal(x.length, y.length, what);
        const scale = Math.max(...Array.from(y, Math.abs), 1e-12);
        x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= tol * scale, `${what}[${i}]: ${v} vs ${y[i]}`));
      };
      const separate = [critic.apply(real), critic.apply(fake), wassersteinDivergence(critic, real, fake)];
      await close(shared.dReal, separate[0], "dReal", 1e-5);
      await close(shared.dFake, separate[1], "dFake", 1e-5);
      await close(shared.penalty, separate[2], "penalty", 1e-4);
      const vars = critic.variables as tf.Variable[];
      const a = tf.variableGrads(() => sharedObjective(critic, real, fake), vars).grads;
      const b = tf.variableGrads(() => separateObjective(critic, real, fake), vars).grads;
      for (const v of vars) await close(a[v.name], b[v.name], `∂/∂${v.name}`, 1e-4);
      tf.dispose([shared.dReal, shared.dFake, shared.penalty, ...separate, real, fake]);
      tf.dispose([...Object.values(a), ...Object.values(b)]);
      critic.dispose();
    },
  );
  backendTest(
    `scoredWassersteinDivergence() weight gradients of loss + term (one shared pass) match finite differences: ${which}`,
    async () => {
      await assertPenaltyMatchesFiniteDifferences(which, sharedObjective);
      await assertPenaltyMatchesFiniteDifferences(
        which,
        (critic, real, fake) => scoredWassersteinDivergence(critic, real, fake).penalty,
      );
    },
  );
}

backendTest(
  "scoredWassersteinDivergence() with batch norm scores each batch on its own, as the separate passes",
  async () => {
    const critic = dcganCritic({ seed: 5, imageSize: 28, channels: 1, width: 2, norm: "batch" });
    const real = normalTensor(1, [3, 28, 28, 1]), fake = normalTensor(2, [3, 28, 28, 1]);
    assert.equal(critic.perSample, false);
    const { dReal, dFake, penalty } = scoredWassersteinDivergence(critic, real, fake);
    const expect = [critic.apply(real), critic.apply(fake)];
    // batch statistics: stacked scores would differ from these; each batch's own pass gives them exactly
    assert.deepEqual(await dReal.data(), await expect[0].data());
    assert.deepEqual(await dFake.data(), await expect[1].data());
    const alone = await scalarValue(wassersteinDivergence(critic, real, fake));
    const shared = await scalarValue(penalty);
    assert.ok(Math.abs(shared - alone) <= 1e-5 * alone, `${shared} vs ${alone}`);
    tf.dispose([dReal, dFake, ...expect, real, fake]);
    critic.dispose();
  },
);

// WGAN-div at interpolates (the authors' code, musikisomorphie/wgan-div): k · mean ‖∇D(x̂)‖^p

/** Fixed per-sample ε for the interpolates (not 0 or 1: both ends take part). */
const EPS = [0.15, 0.8, 0.45, 0.6];
const fixedEps = (n: number) => tf.tensor1d(EPS.slice(0, n));

backendTest(
  "interpolatedWassersteinDivergence() of a linear critic is k‖w‖^p with gradient k·p‖w‖^(p−2)·w",
  async () => {
    const w = [0.5, -0.3, 0.8];
    const n2 = w.reduce((s, x) => s + x * x, 0);
    const critic = linearCritic(w);
    const real = normalTensor(1, [4, 3]), fake = normalTensor(2, [4, 3]), eps = fixedEps(4);
    const value = await scalarValue(interpolatedWassersteinDivergence(critic, real, fake, eps, { k: 10, p: 6 }));
    assert.ok(Math.abs(value - 10 * n2 ** 3) < 1e-5 * value, `${value} vs ${10 * n2 ** 3}`);
    const { grads } = tf.variableGrads(
      () => interpolatedWassersteinDivergence(critic, real, fake, eps, { k: 10, p: 6 }),
      [critic.variables[0]],
    );
    const g = await grads[critic.variables[0].name].data();
    w.forEach((wi, i) => {
      const expected = 10 * 6 * n2 ** 2 * wi;
      assert.ok(Math.abs(g[i] - expected) < 1e-4 * Math.abs(expected), `∂/∂w${i} ${g[i]} vs ${expected}`);
    });
    tf.dispose([real, fake, eps, ...Object.values(grads)]);
    critic.dispose();
  },
);

for (const which of ["mlp", "conv"] as const) {
  backendTest(
    `interpolatedWassersteinDivergence() weight gradients match finite differences: ${which}`,
    async () => {
      await assertPenaltyMatchesFiniteDifferences(
        which,
        (critic, real, fake) => interpolatedWassersteinDivergence(critic, real, fake, fixedEps(real.shape[0])),
      );
    },
  );
}

backendTest(
  "interpolatedWassersteinDivergence() at ε = 1 and ε = 0 is the term at the real and at the fake points",
  async () => {
    const c = FD_CASES.conv;
    const critic = c.critic(), real = c.real(), fake = c.fake();
    const n = real.shape[0];
    const at = async (e: number) =>
      await scalarValue(interpolatedWassersteinDivergence(critic, real, fake, tf.fill([n], e), { k: 10, p: 6 }));
    // the real-and-fake form with both batches the same is k · mean ‖∇D‖^p at that batch
    const atReal = await scalarValue(wassersteinDivergence(critic, real, real, { k: 10, p: 6 }));
    const atFake = await scalarValue(wassersteinDivergence(critic, fake, fake, { k: 10, p: 6 }));
    assert.ok(atReal > 0 && atFake > 0 && Math.abs(atReal - atFake) > 1e-3 * atReal, "the two ends differ");
    const [one, zero] = [await at(1), await at(0)];
    assert.ok(Math.abs(one - atReal) <= 1e-5 * atReal, `ε = 1: ${one} vs ${atReal}`);
    assert.ok(Math.abs(zero - atFake) <= 1e-5 * atFake, `ε = 0: ${zero} vs ${atFake}`);
    tf.dispose([real, fake]);
    critic.dispose();
  },
);

backendTest(
  'lipschitzTerm({ kind: "div", points: "interpolates" }) draws one ε per sample from the penalty stream',
  async () => {
    const c = FD_CASES.mlp;
    const critic = c.critic(), real = c.real(), fake = c.fake();
    const term = lipschitzTerm({ kind: "div", k: 10, p: 6, points: "interpolates" });
    // the shared pass is for real-and-fake points only: at interpolates the step scores the batches itself
    assert.equal(term.scoreWithPenalty, undefined);
    assert.equal(typeof lipschitzTerm({ kind: "div", k: 2, p: 6 }).scoreWithPenalty, "function");
    const first = await scalarValue(term.penalty(critic, real, fake, new Rng(7))!);
    const again = await scalarValue(term.penalty(critic, real, fake, new Rng(7))!);
    assert.equal(first, again, "same stream, same number");
    const eps = tf.tensor1d(new Rng(7).uniforms(real.shape[0]));
    const direct = await scalarValue(interpolatedWassersteinDivergence(critic, real, fake, eps, { k: 10, p: 6 }));
    assert.equal(first, direct);
    const other = await scalarValue(term.penalty(critic, real, fake, new Rng(8))!);
    assert.notEqual(first, other, "another stream, other interpolates");
    tf.dispose([real, fake, eps]);
    critic.dispose();
  },
);

backendTest(
  "a WGAN-div spec with points other than real-fake or interpolates is refused in one line",
  () => {
    assert.throws(
      () => algorithm("wgan-div", { lipschitz: { kind: "div", k: 2, p: 6, points: "midpoints" as "interpolates" } }),
      /^RangeError: Cannot use algorithm "wgan-div": lipschitz\.points must be one of real-fake, interpolates, got "midpoints"$/,
    );
  },
  { only: ["cpu"] },
);

import assert from "node:assert/strict";
import { algorithm, ALGORITHM_NAMES, criticIterations } from "../../mod.ts";

Deno.test("the built-in algorithms carry their papers' hyperparameters", () => {
  assert.deepEqual(ALGORITHM_NAMES, ["wgan", "wgan-gp", "wgan-div", "gan"]);
  const wgan = algorithm("wgan");
  assert.deepEqual(wgan.lipschitz, { kind: "clip", c: 0.01 });
  assert.deepEqual(wgan.optimizer, { kind: "rmsprop", lr: 5e-5, alpha: 0.99, eps: 1e-8 });
  assert.equal(wgan.nCritic, 5);
  assert.equal(wgan.batchSize, 64);
  const gp = algorithm("wgan-gp");
  assert.deepEqual(gp.lipschitz, { kind: "gp", lambda: 10 });
  assert.deepEqual(gp.optimizer, { kind: "adam", lr: 1e-4, beta1: 0, beta2: 0.9, eps: 1e-8 });
  assert.deepEqual(algorithm("wgan-div").lipschitz, { kind: "div", k: 2, p: 6 });
  assert.equal(algorithm("gan").loss, "standard");
});

Deno.test("the official Diters schedule: 100 critic iterations for the first 25 generator iterations and every 500th", () => {
  const wgan = algorithm("wgan");
  const schedule = [0, 24, 25, 499, 500, 501, 1000].map((i) => criticIterations(wgan, i));
  assert.deepEqual(schedule, [100, 100, 5, 5, 100, 5, 100]);
  assert.equal(criticIterations(algorithm("wgan", { dItersSchedule: false }), 0), 5);
});

Deno.test("algorithm() rejects unknown names, unknown keys and bad values in one line", () => {
  assert.throws(
    () => algorithm("wgan-pg"),
    /Cannot use algorithm "wgan-pg": unknown name \(choose one of wgan, wgan-gp/,
  );
  assert.throws(
    () => algorithm("wgan", { ncritic: 3 } as never),
    /Cannot override "ncritic" of algorithm "wgan": unknown key/,
  );
  assert.throws(
    () => algorithm("wgan", { nCritic: 0 }),
    /Cannot use algorithm "wgan": nCritic must be an integer ≥ 1, got 0/,
  );
  // overrides do not leak into the defaults
  algorithm("wgan", { lipschitz: { kind: "clip", c: 0.1 } });
  assert.deepEqual(algorithm("wgan").lipschitz, { kind: "clip", c: 0.01 });
});

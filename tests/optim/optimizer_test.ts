import assert from "node:assert/strict";
import { createOptimizer, tf } from "../../mod.ts";
import { backendTest } from "../helpers.ts";

/** PyTorch's update rules written out in float64 for a scalar parameter. */
function reference(kind: "rmsprop" | "adam", grads: number[], p0: number) {
  let p = p0, v = 0, m = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    if (kind === "rmsprop") {
      v = 0.99 * v + 0.01 * g * g;
      p -= 0.01 * g / (Math.sqrt(v) + 1e-8);
    } else {
      m = 0.5 * m + 0.5 * g;
      v = 0.9 * v + 0.1 * g * g;
      p -= (0.01 / (1 - 0.5 ** t)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.9 ** t) + 1e-8);
    }
    out.push(p);
  });
  return out;
}

for (const kind of ["rmsprop", "adam"] as const) {
  backendTest(`${kind} follows torch.optim's update rule step by step`, async () => {
    const grads = [0.3, -1.2, 0.05, 2.0, -0.7];
    const spec = kind === "rmsprop"
      ? { kind, lr: 0.01, alpha: 0.99, eps: 1e-8 } as const
      : { kind, lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-8 } as const;
    const opt = createOptimizer(spec);
    const v = tf.variable(tf.scalar(0.5));
    const expected = reference(kind, grads, 0.5);
    for (let i = 0; i < grads.length; i++) {
      const g = tf.scalar(grads[i]);
      opt.apply([v], [g]);
      g.dispose();
      const got = (await v.data())[0];
      assert.ok(Math.abs(got - expected[i]) < 1e-6, `step ${i + 1}: ${got} vs ${expected[i]}`);
    }
    assert.equal(opt.step, grads.length);
    v.dispose();
    opt.dispose();
  });
}

backendTest("optimizer state round-trips: a restored optimizer continues identically", async () => {
  const spec = { kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8 } as const;
  const a = createOptimizer(spec), b = createOptimizer(spec);
  const va = tf.variable(tf.tensor1d([1, 2])), vb = tf.variable(tf.tensor1d([1, 2]));
  const g = tf.tensor1d([0.5, -0.25]);
  a.apply([va], [g]);
  a.apply([va], [g]);
  vb.assign(va);
  b.setState(await a.getState(), [vb]);
  a.apply([va], [g]);
  b.apply([vb], [g]);
  assert.deepEqual(await vb.data(), await va.data());
  assert.throws(() => b.setState({ step: 1, slots: [] }, [vb]), /expected 2 slots for 1 variables, got 0/);
});

Deno.test("createOptimizer() rejects invalid hyperparameters with the offending value", () => {
  assert.throws(
    () => createOptimizer({ kind: "rmsprop", lr: 0, alpha: 0.99, eps: 1e-8 }),
    /Cannot create rmsprop optimizer: lr must be a number > 0, got 0/,
  );
  assert.throws(
    () => createOptimizer({ kind: "adam", lr: 1e-4, beta1: 1, beta2: 0.9, eps: 1e-8 }),
    /beta1 must be a number in \[0, 1\), got 1/,
  );
});

backendTest("a variable without a gradient is left unchanged", async () => {
  const opt = createOptimizer({ kind: "rmsprop", lr: 0.1, alpha: 0.99, eps: 1e-8 });
  const a = tf.variable(tf.scalar(1)), b = tf.variable(tf.scalar(1));
  opt.apply([a, b], [tf.scalar(1), undefined]);
  assert.equal((await b.data())[0], 1);
  assert.notEqual((await a.data())[0], 1);
});

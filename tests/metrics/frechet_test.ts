import assert from "node:assert/strict";
import { classCoverage, frechetDistance, kernelDistance, Rng } from "../../mod.ts";
import { meanAndCovariance, symmetricEigen } from "../../lib/metrics/mod.ts";

Deno.test("frechetDistance() of a set against itself is 0", () => {
  const a = new Rng(1).normals(400 * 5);
  assert.ok(Math.abs(frechetDistance(a, a, 5)) < 1e-8);
});

Deno.test("frechetDistance() matches the closed form for Gaussians: ‖Δμ‖² + Σ(σ₁ − σ₂)² for diagonal covariances", () => {
  const rng = new Rng(2);
  const n = 20_000, d = 3;
  const sa = [1, 2, 0.5], sb = [1.5, 1, 0.5], mb = [1, 0, -2];
  const a = new Float32Array(n * d), b = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      a[i * d + j] = sa[j] * rng.normal();
      b[i * d + j] = mb[j] + sb[j] * rng.normal();
    }
  }
  const expected = mb.reduce((s, m) => s + m * m, 0) + sa.reduce((s, x, j) => s + (x - sb[j]) ** 2, 0); // 5 + 1.25
  const got = frechetDistance(a, b, d);
  assert.ok(Math.abs(got - expected) < 0.1, `FD ${got} vs ${expected}`);
});

Deno.test("symmetricEigen() reconstructs the matrix; meanAndCovariance() is the unbiased estimate", () => {
  const m = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = symmetricEigen(m, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k];
      assert.ok(Math.abs(s - m[i * 3 + j]) < 1e-10);
    }
  }
  const { mean, cov } = meanAndCovariance(new Float32Array([1, 2, 3, 4, 5, 9]), 2);
  assert.deepEqual([...mean], [3, 5]);
  assert.deepEqual([...cov], [4, 7, 7, 13]);
});

Deno.test("kernelDistance() is ≈ 0 for the same distribution and clearly positive for shifted ones", () => {
  const rng = new Rng(3);
  const same = kernelDistance(rng.normals(400 * 4), rng.normals(400 * 4), 4);
  const shifted = kernelDistance(rng.normals(400 * 4), rng.normals(400 * 4, 1), 4);
  // the cubic kernel's unbiased estimate has a standard error of a few hundredths at 400 samples
  assert.ok(Math.abs(same) < 0.1, `same ${same}`);
  assert.ok(shifted > 5, `shifted ${shifted}`);
});

Deno.test("classCoverage() detects a constructed collapse onto 3 of 10 classes", () => {
  const balanced = classCoverage(Int32Array.from({ length: 1000 }, (_, i) => i % 10), 10);
  assert.equal(balanced.classesCovered, 10);
  assert.ok(Math.abs(balanced.klToUniform) < 1e-12);
  const collapsed = classCoverage(Int32Array.from({ length: 999 }, (_, i) => [2, 5, 7][i % 3]), 10);
  assert.equal(collapsed.classesCovered, 3);
  assert.ok(Math.abs(collapsed.klToUniform - Math.log(10 / 3)) < 1e-9);
});

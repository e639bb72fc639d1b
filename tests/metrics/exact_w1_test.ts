import assert from "node:assert/strict";
import { exactW1, Rng } from "../../mod.ts";
import { optimalAssignment } from "../../lib/metrics/mod.ts";

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])
  );
}

Deno.test("optimalAssignment() finds the minimum-cost matching (checked by brute force over all permutations)", () => {
  const rng = new Rng(2);
  for (let trial = 0; trial < 20; trial++) {
    const n = 6;
    const cost = Float64Array.from({ length: n * n }, () => rng.uniform());
    const match = optimalAssignment(cost, n);
    const total = (p: ArrayLike<number>) =>
      Array.from({ length: n }, (_, i) => cost[i * n + p[i]]).reduce((a, b) => a + b);
    const best = Math.min(...permutations(n).map(total));
    assert.ok(Math.abs(total(match) - best) < 1e-12, `trial ${trial}`);
    assert.equal(new Set(match).size, n);
  }
});

Deno.test("exactW1() known values: identical sets, translation, 1-D sorted matching", () => {
  const rng = new Rng(5);
  const a = rng.normals(2 * 300);
  // the same points in another order
  const perm = rng.permutation(300);
  const shuffled = new Float32Array(600);
  perm.forEach((j, i) => shuffled.set(a.subarray(2 * j, 2 * j + 2), 2 * i));
  assert.ok(exactW1(a, shuffled, 2) < 1e-9);
  // a translation by (0.3, −0.4) costs exactly 0.5 per point
  const moved = a.map((x, i) => x + (i % 2 === 0 ? 0.3 : -0.4));
  assert.ok(Math.abs(exactW1(a, moved, 2) - 0.5) < 1e-6);
  assert.ok(Math.abs(exactW1(a, moved, 2) - exactW1(moved, a, 2)) < 1e-9);
  // in 1-D the optimal plan matches sorted values
  const x = rng.normals(200), y = rng.normals(200, 1, 2);
  const xs = [...x].sort((p, q) => p - q), ys = [...y].sort((p, q) => p - q);
  const sorted = xs.reduce((s, v, i) => s + Math.abs(v - ys[i]), 0) / 200;
  assert.ok(Math.abs(exactW1(x, y, 1) - sorted) < 1e-6);
  assert.throws(() => exactW1(new Float32Array(4), new Float32Array(6), 2), /sets of 2 and 3 points/);
});

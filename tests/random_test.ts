import assert from "node:assert/strict";
import { Rng } from "../mod.ts";

Deno.test("Rng: same seed gives the same stream, different seeds and labels differ", () => {
  const a = new Rng(123), b = new Rng(123), c = new Rng(124);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.nextUint32()));
  assert.notEqual(new Rng(1).fork("noise").uniform(), new Rng(1).fork("data").uniform());
  assert.equal(new Rng(1).fork("noise").uniform(), new Rng(1).fork("noise").uniform());
});

Deno.test("Rng: uniform and normal draws have the right moments", () => {
  const rng = new Rng(9);
  const n = 200_000;
  const u = rng.uniforms(n), z = rng.normals(n, 2, 3);
  const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
  const variance = (a: Float32Array, m: number) => a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length;
  assert.ok(Math.abs(mean(u) - 0.5) < 0.005 && Math.abs(variance(u, 0.5) - 1 / 12) < 0.002);
  assert.ok(Math.abs(mean(z) - 2) < 0.03 && Math.abs(Math.sqrt(variance(z, 2)) - 3) < 0.03);
  assert.ok(u.every((x) => x >= 0 && x < 1));
});

Deno.test("Rng: permutation is a permutation; state round-trips exactly, including a pending normal", () => {
  const rng = new Rng(4);
  const p = rng.permutation(100);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  rng.normal(); // leaves a spare normal
  const saved = rng.getState();
  const next = [rng.normal(), rng.uniform(), rng.int(7)];
  const other = new Rng(0);
  other.setState(saved);
  assert.deepEqual([other.normal(), other.uniform(), other.int(7)], next);
  assert.throws(() => new Rng(1.5), /seed must be an integer from -2\^31 to 2\^32 - 1, got 1.5/);
  assert.throws(() => rng.int(0), /n must be a positive integer/);
});

Deno.test("Rng: any 32-bit seed, signed or unsigned; nothing that would wrap onto another seed", () => {
  const draws = (seed: number) => {
    const r = new Rng(seed);
    return [r.nextUint32(), r.nextUint32()];
  };
  assert.deepEqual(draws(-1), draws(2 ** 32 - 1), "a signed seed is its unsigned bit pattern");
  assert.notDeepEqual(draws(2 ** 32 - 1), draws(0));
  for (const bad of [2 ** 32, -(2 ** 31) - 1, 2 ** 53 + 2, 0.5, NaN]) {
    assert.throws(() => new Rng(bad), /seed must be an integer from -2\^31 to 2\^32 - 1/, String(bad));
  }
});

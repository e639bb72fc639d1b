import assert from "node:assert/strict";
import { Rng, toyDataset } from "../../mod.ts";
import { sampleToy, toyModes } from "../../lib/data/mod.ts";

Deno.test("8 and 25 Gaussians: every mode is hit about equally, with the reference code's spread", () => {
  for (const [name, std] of [["8gaussians", 0.02 / 1.414], ["25gaussians", 0.05 / 2.828]] as const) {
    const modes = toyModes(name);
    const pts = sampleToy(name, new Rng(1), 20_000);
    const counts = new Array(modes.length).fill(0);
    let sq = 0;
    for (let i = 0; i < 20_000; i++) {
      let best = 0, bestD = Infinity;
      modes.forEach(([x, y], k) => {
        const d = (pts[2 * i] - x) ** 2 + (pts[2 * i + 1] - y) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      counts[best]++;
      sq += bestD;
    }
    const expected = 20_000 / modes.length;
    counts.forEach((c) => assert.ok(Math.abs(c - expected) < 5 * Math.sqrt(expected), `${name}: ${counts}`));
    const measured = Math.sqrt(sq / 40_000);
    assert.ok(Math.abs(measured - std) < 0.03 * std, `${name} std ${measured} vs ${std}`);
  }
  assert.ok(Math.abs(toyModes("8gaussians")[0][0] - 2 / 1.414) < 1e-12);
});

Deno.test("Swiss roll: radius equals the angle t ∈ [1.5π, 4.5π] (before noise), scaled by 1/7.5", () => {
  const pts = sampleToy("swissroll", new Rng(2), 5000);
  let maxR = 0, minR = Infinity;
  for (let i = 0; i < 5000; i++) {
    const r = Math.hypot(pts[2 * i], pts[2 * i + 1]) * 7.5;
    maxR = Math.max(maxR, r);
    minR = Math.min(minR, r);
  }
  assert.ok(minR > 1.5 * Math.PI - 1.5 && minR < 1.5 * Math.PI + 0.5, `min radius ${minR}`);
  assert.ok(maxR < 4.5 * Math.PI + 1.5 && maxR > 4.5 * Math.PI - 0.5, `max radius ${maxR}`);
  assert.throws(() => toyDataset("9gaussians" as never), /unknown name \(choose one of 8gaussians/);
});

import assert from "node:assert/strict";
import { modeCoverage, Rng } from "../../mod.ts";
import { sampleToy, toyModes, toyModeStd } from "../../lib/data/mod.ts";

Deno.test("modeCoverage(): real 8-Gaussian samples cover all modes; a constructed collapse covers 2; noise covers none", () => {
  const modes = toyModes("8gaussians"), std = toyModeStd("8gaussians");
  const real = modeCoverage(sampleToy("8gaussians", new Rng(1), 2000), modes, std);
  assert.equal(real.modesCovered, 8);
  // P(‖x − μ‖ < 3σ) for an isotropic 2-D Gaussian is 1 − e^(−9/2); 4 binomial standard errors at n = 2000
  const p = 1 - Math.exp(-4.5), se = Math.sqrt(p * (1 - p) / 2000);
  assert.ok(Math.abs(real.highQualityShare - p) < 4 * se, `${real.highQualityShare} vs ${p} ± ${4 * se}`);
  const rng = new Rng(2);
  const collapsed = new Float32Array(2000);
  for (let i = 0; i < 1000; i++) {
    const [cx, cy] = modes[i % 2];
    collapsed[2 * i] = cx + std * rng.normal();
    collapsed[2 * i + 1] = cy + std * rng.normal();
  }
  const c = modeCoverage(collapsed, modes, std);
  assert.equal(c.modesCovered, 2);
  const noise = modeCoverage(rng.normals(2000, 0, 0.1), modes, std);
  assert.equal(noise.modesCovered, 0);
  assert.equal(noise.highQualityShare, 0);
});

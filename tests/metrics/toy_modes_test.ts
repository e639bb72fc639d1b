import assert from "node:assert/strict";
import { modeCoverage, Rng } from "../../mod.ts";
import { sampleToy, toyModes, toyModeStd } from "../../lib/data/mod.ts";

Deno.test("modeCoverage(): real 8-Gaussian samples cover all modes; a constructed collapse covers 2; noise covers none", () => {
  const modes = toyModes("8gaussians"), std = toyModeStd("8gaussians");
  const real = modeCoverage(sampleToy("8gaussians", new Rng(1), 2000), modes, std);
  assert.equal(real.modesCovered, 8);
  assert.ok(real.highQualityShare > 0.98, `${real.highQualityShare}`);
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

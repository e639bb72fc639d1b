import assert from "node:assert/strict";
import { calibrateRecognisability, imageDataset, Rng, trainClassifier } from "../../mod.ts";
import { labelPng, pngSize, sampleGridPng } from "../../repro/analysis/sample_grids.ts";
import { gridCells } from "../../bench/gate_check.ts";

Deno.test("gridCells(): a raw grid gives back its 64 images exactly; a run's drawn grid, each 2×2 block's mean", () => {
  const rng = new Rng(5);
  // smooth images (strokes are wider than a pixel): sums of a few broad bumps, in [−1, 1]
  const images = new Float32Array(64 * 28 * 28);
  for (let k = 0; k < 64; k++) {
    const cx = 8 + 12 * rng.uniform(), cy = 8 + 12 * rng.uniform();
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        images[k * 784 + y * 28 + x] = 2 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 18) - 1;
      }
    }
  }
  const raw = sampleGridPng(images, [28, 28, 1]);
  const exact = gridCells(raw);
  assert.equal(exact.exact, true);
  const eightBit = (v: number) => (Math.round(((v + 1) / 2) * 255) / 255) * 2 - 1;
  let worst = 0;
  for (let i = 0; i < images.length; i++) worst = Math.max(worst, Math.abs(exact.images[i] - eightBit(images[i])));
  assert.ok(worst < 1e-6, `largest difference ${worst}`);
  // the titled picture a run writes: found under its title, close to the samples (its renderer smooths the pixels)
  const { width, height } = pngSize(raw);
  for (const caption of ["a caption", ""]) {
    const drawn = gridCells(labelPng(raw, width, height, "a title", caption));
    assert.equal(drawn.exact, false);
    let sum = 0;
    for (let i = 0; i < images.length; i++) sum += Math.abs(drawn.images[i] - images[i]);
    assert.ok(sum / images.length < 0.03, `mean difference ${sum / images.length} (caption "${caption}")`);
  }
  // anything else is refused, naming it
  assert.throws(
    () => gridCells(sampleGridPng(images.subarray(0, 784 * 9), [28, 28, 1]), "small.png"),
    /Cannot read small\.png as a sample grid: 92×92 pixels is not 8 columns/,
  );
});

Deno.test("Recognisability.judge(): each image's three gates, and measure() counts exactly the images it passes", async () => {
  const rng = new Rng(0);
  const n = 300, images = new Float32Array(n * 16), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 16; j++) images[i * 16 + j] = (i % 2 ? 0.5 : -0.5) + 0.2 * rng.normal();
  }
  const ds = imageDataset({ name: "toy", sampleShape: [4, 4, 1], images, labels });
  const clf = await trainClassifier(ds, ds, { seed: 1, epochs: 3, maxShift: 0 });
  try {
    const test = await calibrateRecognisability(clf, images);
    // real images, then flat grey, then noise: a mix the gates split
    const mixed = new Float32Array([
      ...images.subarray(0, 100 * 16),
      ...new Float32Array(50 * 16).fill(0.02),
      ...rng.uniforms(50 * 16, -1, 1),
    ]);
    const j = await test.judge(mixed);
    assert.equal(j.recognisable.length, 200);
    j.recognisable.forEach((r, i) =>
      assert.equal(r, j.confident[i] && j.layoutNear[i] && j.onManifold[i], `image ${i}`)
    );
    const m = await test.measure(mixed);
    assert.equal(m.share, j.recognisable.filter(Boolean).length / 200);
    // most real images pass every gate; the grey ones fail at least one
    assert.ok(j.recognisable.slice(0, 100).filter(Boolean).length > 80);
    assert.ok(j.recognisable.slice(100, 150).every((r) => !r));
    j.confidence.forEach((c, i) => assert.equal(j.confident[i], c >= test.threshold));
  } finally {
    clf.dispose();
  }
});

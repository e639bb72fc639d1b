/**
 * The image metric ranks constructed MNIST sample sets as a person would (bench/metric_check.ts): real digits
 * before blurred or noised ones, all ten classes before two before one, anything before uniform noise — with the
 * harness's own evaluator (feature network cached in .cache/wgan-bench, trained on first use: ~1 min).
 */
import assert from "node:assert/strict";
import { type ImageDataset, selectBackend } from "../../mod.ts";
import {
  constructedSets,
  harnessEvaluator,
  KNOWN_DISAGREEMENTS,
  MEASURES,
  ordering,
  PERSON_ORDER,
  scoreSets,
} from "../../bench/metric_check.ts";
import { addNoise, gaussianBlur } from "../../lib/data/mod.ts";
import { Rng } from "../../mod.ts";

Deno.test({
  name: "image metric: the feature network clears 98.5% on held-out MNIST and every measure orders the " +
    "constructed sets as a person would (known disagreements stated and still real)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await selectBackend("native").catch(() => selectBackend("cpu"));
    const { evaluator, data, n } = await harnessEvaluator("mnist");
    assert.ok(
      Number(evaluator.info.classifier_heldout_accuracy) >= 0.985,
      `${evaluator.info.classifier_heldout_accuracy}`,
    );
    const scores = await scoreSets(evaluator, constructedSets(data.train as ImageDataset, n, 0));
    // the real-vs-real floor is what real images score: the real set lands near it, far below every degraded set
    const floor = Number(evaluator.info.fd_lenet_real_floor);
    assert.ok(Math.abs(scores.real.fd_lenet - floor) < 0.5 * floor, `real ${scores.real.fd_lenet} vs floor ${floor}`);
    for (const m of MEASURES) {
      for (const pair of PERSON_ORDER) {
        if (!m.sees(pair)) continue;
        const known = KNOWN_DISAGREEMENTS.some((k) => k.column === m.column && k.pair.join() === pair.join());
        const o = ordering(scores, m, pair, n);
        const what = `${m.column} on ${pair[0]} vs ${pair[1]}: ${scores[pair[0]][m.column]} vs ${
          scores[pair[1]][m.column]
        }`;
        if (known) assert.notEqual(o, "agrees", `${m.column} now orders ${pair} correctly: drop it from the list`);
        // a share may tie within its sampling resolution (two standard errors); it never reverses a pair beyond it
        else if (m.share) assert.notEqual(o, "reversed", what);
        else assert.equal(o, "agrees", what);
      }
    }
    // the resolution: ties shares within two standard errors of their difference, not beyond
    const share = MEASURES.find((m) => m.share)!;
    const near = { a: { [share.column]: 0.825 }, b: { [share.column]: 0.837 }, c: { [share.column]: 0.741 } };
    assert.equal(ordering(near, share, ["a", "b"], 1000), "tie");
    assert.equal(ordering(near, share, ["b", "a"], 1000), "tie");
    assert.equal(ordering(near, share, ["a", "c"], 1000), "agrees");
    assert.equal(ordering(near, share, ["c", "a"], 1000), "reversed");
    assert.equal(ordering(near, share, ["a", "b"]), "reversed", "without n, exact");
    // the primary distance sees every pair
    for (const pair of PERSON_ORDER) assert.equal(ordering(scores, MEASURES[0], pair), "agrees", `fd_lenet ${pair}`);
  },
});

Deno.test("degradations: blur smooths each image (σ 0 copies it); noise is seeded and clipped to [−1, 1]", () => {
  const rng = new Rng(3);
  const images = rng.uniforms(2 * 36, -1, 1);
  const blurred = gaussianBlur(images, [6, 6, 1], 1.5);
  const tv = (x: Float32Array) => x.reduce((s, v, i) => s + (i % 6 ? Math.abs(v - x[i - 1]) : 0), 0);
  assert.ok(tv(blurred) < 0.5 * tv(images), "horizontal variation at least halved");
  assert.deepEqual(gaussianBlur(images, [6, 6, 1], 0), images);
  const noised = addNoise(images, 2, new Rng(1));
  assert.ok(noised.every((v) => v >= -1 && v <= 1));
  assert.deepEqual(noised, addNoise(images, 2, new Rng(1)));
  assert.throws(() => gaussianBlur(images, [5, 5, 1], 1), /Cannot blur 72 values as 5×5×1 images/);
});

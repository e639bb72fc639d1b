/**
 * Outcome labels on constructed MNIST sample sets, through the harness's own
 * evaluator (classifier, calibrated recognisability, FID): noise has not
 * trained, one class of real digits has collapsed, held-out real digits have
 * converged, scaled-up noise has blown up.
 */
import assert from "node:assert/strict";
import { imageDataset, Rng, selectBackend, trainClassifier } from "../../mod.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { loadExperimentData } from "../../repro/run/data.ts";
import { createEvaluator } from "../../repro/run/evaluate.ts";
import { classifyOutcome, imageOutcomeRules, lastEvaluations } from "../../repro/folder/outcome.ts";
import { findExperiment } from "../../repro/config/registry.ts";

Deno.test({
  name: "image outcomes: Gaussian noise → not-trained, 1,000 digits of one class → collapsed, real digits → converged",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await selectBackend("native").catch(() => selectBackend("cpu"));
    const experiment = findExperiment("mnist-mlp");
    const { settings } = resolveConfig(experiment, "default");
    const data = await loadExperimentData(experiment, settings, undefined);
    const cache = Deno.env.get("WGAN_BENCH_TEST_CACHE") ?? ".cache/wgan-bench";
    const ev = await createEvaluator(experiment, settings, data, cache, () => {});
    const rules = ev.outcomeRules;
    // calibration: unseen real images pass the test about as often as the 95% confidence level allows
    assert.ok(Number(ev.info.recognisable_real_share) > 0.8, `real share ${ev.info.recognisable_real_share}`);
    assert.equal(ev.info.recognisable_real_classes, 10);
    // and no uniform noise passes it (the evaluator's own check, printed in verdict.md)
    assert.equal(ev.info.recognisable_noise_share, 0);

    const n = 1000, per = 784, rng = new Rng(7);
    const heldOut = data.heldOut!, train = data.train as typeof heldOut;
    const initial = await ev.measure(rng.normals(n * per, 0, 0.02)); // an untrained generator: near-constant images
    const label = async (samples: Float32Array) => classifyOutcome(rules, initial, await ev.measure(samples), false);

    // mid-grey N(0, 0.3²) noise passes the classifier's confidence and its feature manifold for a third of the
    // images; the pixel-statistics gate (lib/metrics/recognisable.ts) is what keeps it not-trained
    for (const [mean, std] of [[0, 1], [-0.8, 0.5], [-0.8, 0.3], [0, 0.3]]) {
      const noise = rng.normals(n * per, mean, std);
      assert.equal(await label(noise), "not-trained", `N(${mean}, ${std}²) noise`);
    }
    const copies = new Float32Array(n * per);
    const threes = [...Array(train.count).keys()].filter((i) => train.labels![i] === 3);
    for (let i = 0; i < n; i++) {
      const k = threes[i % threes.length];
      copies.set(train.images.subarray(k * per, (k + 1) * per), i * per);
    }
    assert.equal(await label(copies), "collapsed");
    assert.equal(await label(heldOut.images.subarray(0, n * per)), "converged");
    assert.equal(await label(rng.normals(n * per, 0, 50)), "blew-up");
    assert.equal(classifyOutcome(rules, initial, await ev.measure(copies), true), "diverged");
  },
});

Deno.test("toy outcomes: a generator whose W1 runs off to 2e36 has blown up (left out of means), not merely failed", async () => {
  const experiment = findExperiment("toy-8gaussians");
  const { settings } = resolveConfig(experiment, "quick");
  const data = await loadExperimentData(experiment, settings, undefined);
  const rules = (await createEvaluator(experiment, settings, data, "", () => {})).outcomeRules;
  const start = { w1: 1.5 };
  assert.equal(classifyOutcome(rules, start, { w1: 2e36 }, false), "blew-up");
  assert.equal(classifyOutcome(rules, start, { w1: 10.5 }, false), "blew-up");
  assert.equal(classifyOutcome(rules, start, { w1: NaN }, false), "blew-up");
  assert.equal(classifyOutcome(rules, start, { w1: 9 }, false), "failed");
  assert.equal(classifyOutcome(rules, start, { w1: 0.5 }, false), "converged");
});

Deno.test("an image set too small for the feature classifier is refused up front, saying why", async () => {
  const experiment = findExperiment("mnist-mlp");
  const { settings } = resolveConfig(experiment, "quick");
  const rng = new Rng(0);
  const make = (name: string, n: number) =>
    imageDataset({
      name,
      sampleShape: [28, 28, 1],
      images: Float32Array.from({ length: n * 784 }, () => rng.uniform() * 2 - 1),
      labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    });
  const train = make("small", 100);
  const data = { name: "small", train, fit: train, heldOut: make("small", 20), sampleShape: [28, 28, 1] };
  await assert.rejects(
    () => createEvaluator(experiment, settings, data, "", () => {}),
    /^Error: Cannot evaluate on "small": the harness's feature classifier \(for fd_lenet, kd_lenet and recognisability\) needs at least 128 training images and the training split has 100 \(20 more are held out for scoring\); give more images$/,
  );
  // the library itself no longer trains for zero steps
  await assert.rejects(
    () => trainClassifier(data.train, data.heldOut, { seed: 0 }),
    /Cannot train a feature classifier on "small": it trains on batches of 128 images and the training set has 100/,
  );
});

Deno.test("image outcomes are judged on the median of the last 3 evaluations, and converged needs half the real share", () => {
  const rules = imageOutcomeRules(10, 0.85);
  const initial = { fd_lenet: 600 };
  const q = (fd: number, rec: number, classes: number, rms = 0.5) => ({
    fd_lenet: fd,
    recognisable: rec,
    recognisable_classes: classes,
    sample_rms: rms,
  });
  // one good last evaluation after two bad ones does not make a run converged; one bad one does not unmake it
  assert.equal(classifyOutcome(rules, initial, [q(500, 0.1, 2), q(480, 0.1, 2), q(40, 0.6, 10)], false), "not-trained");
  assert.equal(classifyOutcome(rules, initial, [q(40, 0.6, 10), q(45, 0.6, 10), q(500, 0.1, 2)], false), "converged");
  // a recognisable share above the not-trained floor but below half of real images' (0.425): trained, not converged
  assert.equal(classifyOutcome(rules, initial, [q(40, 0.3, 10), q(40, 0.3, 10), q(40, 0.3, 10)], false), "failed");
  assert.equal(classifyOutcome(rules, initial, [q(40, 0.43, 8), q(40, 0.43, 8), q(40, 0.43, 8)], false), "converged");
  // a blown-up run is never counted as trained, even between two readable evaluations
  assert.equal(
    classifyOutcome(rules, initial, [q(40, 0.6, 10, 50), q(40, 0.6, 10, 60), q(40, 0.6, 10)], false),
    "blew-up",
  );
  // the window is the last three evaluated rows; logged rows without quality are skipped
  const rows = [
    { step: 10, fd_lenet: "" },
    { step: 100, fd_lenet: "300", recognisable: "0.1" },
    { step: 110, fd_lenet: "" },
    { step: 200, fd_lenet: "200", recognisable: "0.2" },
    { step: 300, fd_lenet: "100", recognisable: "0.3" },
    { step: 400, fd_lenet: "50", recognisable: "0.5" },
  ];
  assert.deepEqual(lastEvaluations(rows, ["fd_lenet", "recognisable"], "fd_lenet"), [
    { fd_lenet: 200, recognisable: 0.2 },
    { fd_lenet: 100, recognisable: 0.3 },
    { fd_lenet: 50, recognisable: 0.5 },
  ]);
});

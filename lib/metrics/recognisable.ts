/**
 * Which generated images a classifier can honestly call digits (or shirts):
 * a sample is *recognisable* when the classifier is at least as confident
 * about it as it is about 95% of held-out real images, and its features lie
 * inside the real images' feature manifold (within the k-nearest-neighbour
 * radius of some held-out real image, as in the improved precision of
 * Kynkäänniemi et al., 2019), and its coarse layout (4×4-pixel block means)
 * lies as near some held-out real image's as 99% of real images' lie to
 * their nearest neighbour. Confidence alone is not enough, nor is the feature
 * manifold: a small classifier is confident about some noise and maps it
 * among real features. Measured with the harness's LeNet-like features:
 * with confidence and the feature manifold alone, 32.6% of mid-grey
 * N(0, 0.3²) noise passed on MNIST (all one class); a per-image pixel mean and
 * spread gate fixed that but let 75% of uniform noise through on
 * Fashion-MNIST. With the layout gate: every MNIST noise tried 0%, uniform
 * noise on Fashion-MNIST 0.9%, unseen real digits 84.6% (84.7% without it).
 *
 * Samples are clamped to the data range [−1, 1] first, as they would be to be
 * viewed: a generator without an output activation can otherwise make the
 * classifier arbitrarily confident by scaling noise up.
 *
 * @module
 */
import type { FeatureClassifier } from "./classifier.ts";
import { classCoverage } from "./class_coverage.ts";

/** The calibrated test, from held-out real images. */
export interface Recognisability {
  /** Confidence that `quantile` of held-out real images reach. */
  readonly threshold: number;
  /** Share of held-out real images the confidence level lets through (≥ 0.95 by construction). */
  readonly quantile: number;
  /** Neighbours that set each real image's radius. */
  readonly k: number;
  /**
   * The layout radius: 99% of held-out real images have another real image within this distance in the coarse
   * layout (4×4-pixel block means).
   */
  readonly layoutRadius: number;
  /** Classifies `images` (flattened, in [−1, 1]): the recognisable share and the classes they cover. */
  measure(images: Float32Array): Promise<RecognisableStats>;
  /**
   * Each image's verdict and every gate's, for checking the test against a person's reading (`deno task
   * gate-check`): `measure` counts the images `recognisable` marks.
   */
  judge(images: Float32Array): Promise<RecognisableJudgements>;
}

/** What {@linkcode Recognisability.judge} returns: one entry per image. */
export interface RecognisableJudgements {
  /** The classifier's class and its confidence. */
  predicted: Int32Array;
  confidence: Float32Array;
  /** Confidence at least the threshold. */
  confident: boolean[];
  /** The coarse layout within the layout radius of some held-out real image. */
  layoutNear: boolean[];
  /** The features within the k-NN radius of some held-out real image. */
  onManifold: boolean[];
  /** All three: what `measure` counts. */
  recognisable: boolean[];
}

/** What {@linkcode Recognisability.measure} returns. */
export interface RecognisableStats {
  /** Share of samples that are recognisable. */
  share: number;
  /** Classes holding at least a fifth of a uniform share of the recognisable samples (0 when there are none). */
  classesCovered: number;
}

/** Side of the pixel blocks whose means make an image's coarse layout. */
const LAYOUT_BLOCK = 4;
/** Held-out real images the layout gate compares against (the first ones). */
const LAYOUT_REFERENCE = 1000;
/** The layout radius: this quantile of real images' distances to their nearest other real image. */
const LAYOUT_QUANTILE = 0.99;

/** Each image's coarse layout: the means of LAYOUT_BLOCK × LAYOUT_BLOCK pixel blocks, per channel. */
function coarseLayout(images: Float32Array, shape: readonly number[]): { data: Float32Array; dim: number } {
  const [h, w, c] = shape;
  const bh = Math.ceil(h / LAYOUT_BLOCK), bw = Math.ceil(w / LAYOUT_BLOCK), dim = bh * bw * c;
  const n = images.length / (h * w * c);
  const data = new Float32Array(n * dim), counts = new Float32Array(dim);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        counts[((Math.floor(y / LAYOUT_BLOCK) * bw) + Math.floor(x / LAYOUT_BLOCK)) * c + ch]++;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const block = (Math.floor(y / LAYOUT_BLOCK) * bw + Math.floor(x / LAYOUT_BLOCK)) * c;
        for (let ch = 0; ch < c; ch++) data[i * dim + block + ch] += images[((i * h + y) * w + x) * c + ch];
      }
    }
    for (let k = 0; k < dim; k++) data[i * dim + k] /= counts[k];
  }
  return { data, dim };
}

function sqDist(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = a[i * d + t] - b[j * d + t];
    s += x * x;
  }
  return s;
}

/**
 * Calibrates the test on held-out real images (their confidences and features).
 *
 * @example
 * ```ts
 * import { calibrateRecognisability, imageDataset, Rng, trainClassifier } from "wgan-bench";
 * const rng = new Rng(0);
 * const n = 300, images = new Float32Array(n * 16), labels = new Int32Array(n);
 * for (let i = 0; i < n; i++) {
 *   labels[i] = i % 2;
 *   for (let j = 0; j < 16; j++) images[i * 16 + j] = (i % 2 ? 0.5 : -0.5) + 0.2 * rng.normal();
 * }
 * const ds = imageDataset({ name: "toy", sampleShape: [4, 4, 1], images, labels });
 * const clf = await trainClassifier(ds, ds, { seed: 1, epochs: 3, maxShift: 0 });
 * const test = await calibrateRecognisability(clf, images);
 * const real = await test.measure(images), flat = await test.measure(new Float32Array(n * 16).fill(0.02));
 * if (!(real.share > 0.8 && real.classesCovered === 2 && flat.share < 0.2)) throw new Error(`${real.share} ${flat.share}`);
 * clf.dispose();
 * ```
 */
export async function calibrateRecognisability(
  classifier: FeatureClassifier,
  heldOutImages: Float32Array,
  opts: { quantile?: number; k?: number } = {},
): Promise<Recognisability> {
  const quantile = opts.quantile ?? 0.95, k = opts.k ?? 3;
  const { confidence: confidences, features: real } = await classifier.describe(heldOutImages);
  const n = confidences.length;
  if (n <= k) throw new RangeError(`Cannot calibrate recognisability on ${n} held-out images (need more than ${k})`);
  const sorted = Float32Array.from(confidences).sort();
  const threshold = sorted[Math.floor((1 - quantile) * n)];
  const d = real.length / n;
  // the layout gate: a sample's coarse layout must lie as near some real image's as real images' lie to each other
  const m0 = Math.min(n, LAYOUT_REFERENCE);
  const per = heldOutImages.length / n;
  const ref = coarseLayout(heldOutImages.subarray(0, m0 * per), classifier.sampleShape);
  const nearest = new Float64Array(m0);
  for (let i = 0; i < m0; i++) {
    let best = Infinity;
    for (let j = 0; j < m0; j++) if (j !== i) best = Math.min(best, sqDist(ref.data, i, ref.data, j, ref.dim));
    nearest[i] = best;
  }
  const layoutRadius2 = nearest.sort()[Math.min(m0 - 1, Math.floor(LAYOUT_QUANTILE * m0))];
  const radii = new Float64Array(n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[j] = j === i ? Infinity : sqDist(real, i, real, j, d);
    radii[i] = row.sort()[k - 1]; // row is refilled for every i: sorting it in place is safe
  }
  return {
    threshold,
    quantile,
    k,
    layoutRadius: Math.sqrt(layoutRadius2),
    async measure(images) {
      const { predicted, recognisable } = await gates(images, true);
      const kept = predicted.filter((_, i) => recognisable[i]);
      return {
        share: kept.length / predicted.length,
        classesCovered: kept.length ? classCoverage(kept, classifier.classes).classesCovered : 0,
      };
    },
    judge: (images) => gates(images, false),
  };

  /** The three gates on each image; `shortCircuit` skips the later ones once an image has failed one. */
  async function gates(images: Float32Array, shortCircuit: boolean): Promise<RecognisableJudgements> {
    const clamped = images.map((x) => (x > 1 ? 1 : x < -1 ? -1 : x));
    const { confidence, features, predicted } = await classifier.describe(clamped);
    const m = confidence.length;
    const layout = coarseLayout(clamped, classifier.sampleShape);
    const nearReal = (i: number) => {
      for (let j = 0; j < m0; j++) if (sqDist(layout.data, i, ref.data, j, ref.dim) <= layoutRadius2) return true;
      return false;
    };
    const inManifold = (i: number) => {
      for (let j = 0; j < n; j++) if (sqDist(features, i, real, j, d) <= radii[j]) return true;
      return false;
    };
    const out: RecognisableJudgements = {
      predicted,
      confidence,
      confident: [],
      layoutNear: [],
      onManifold: [],
      recognisable: [],
    };
    for (let i = 0; i < m; i++) {
      const confident = confidence[i] >= threshold;
      const near = shortCircuit && !confident ? false : nearReal(i);
      const on = shortCircuit && !(confident && near) ? false : inManifold(i);
      out.confident.push(confident);
      out.layoutNear.push(near);
      out.onManifold.push(on);
      out.recognisable.push(confident && near && on);
    }
    return out;
  }
}

/**
 * Which generated images a classifier can honestly call digits (or shirts):
 * a sample is *recognisable* when the classifier is at least as confident
 * about it as it is about 95% of held-out real images, and its features lie
 * inside the real images' feature manifold (within the k-nearest-neighbour
 * radius of some held-out real image, as in the improved precision of
 * Kynkäänniemi et al., 2019), and its pixel mean and standard deviation lie
 * within the range 99% of held-out real images span (0.5% and 99.5%
 * quantiles). Confidence alone is not enough, nor is the feature manifold: a
 * small classifier is confident about some noise and maps it among real
 * features. Measured on MNIST with the harness's LeNet-like features: without
 * the pixel gate 84.7% of unseen real digits pass, uniform noise 6.9% and
 * mid-grey N(0, 0.3²) noise 32.6% (all as one class); with it 83.9% of real
 * digits pass and every kind of noise tried 0%.
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
  /** The range of per-image pixel mean and standard deviation real images span (their 0.5% and 99.5% quantiles). */
  readonly pixelRange: { mean: [number, number]; std: [number, number] };
  /** Classifies `images` (flattened, in [−1, 1]): the recognisable share and the classes they cover. */
  measure(images: Float32Array): Promise<RecognisableStats>;
}

/** What {@linkcode Recognisability.measure} returns. */
export interface RecognisableStats {
  /** Share of samples that are recognisable. */
  share: number;
  /** Classes holding at least a fifth of a uniform share of the recognisable samples (0 when there are none). */
  classesCovered: number;
}

/** Real images' per-image pixel statistics are trusted between these quantiles (and their mirror). */
const PIXEL_QUANTILE = 0.005;

/** Each image's pixel mean and standard deviation. */
function pixelStats(images: Float32Array, per: number): { mean: Float64Array; std: Float64Array } {
  const n = images.length / per;
  const mean = new Float64Array(n), std = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, ss = 0;
    for (let j = i * per; j < (i + 1) * per; j++) {
      s += images[j];
      ss += images[j] * images[j];
    }
    mean[i] = s / per;
    std[i] = Math.sqrt(Math.max(0, ss / per - mean[i] ** 2));
  }
  return { mean, std };
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
  const confidences = await classifier.confidence(heldOutImages);
  const n = confidences.length;
  if (n <= k) throw new RangeError(`Cannot calibrate recognisability on ${n} held-out images (need more than ${k})`);
  const sorted = Float32Array.from(confidences).sort();
  const threshold = sorted[Math.floor((1 - quantile) * n)];
  const real = await classifier.features(heldOutImages);
  const d = real.length / n;
  const per = heldOutImages.length / n;
  const range = (v: Float64Array): [number, number] => {
    const sorted = v.slice().sort();
    return [sorted[Math.floor(PIXEL_QUANTILE * (n - 1))], sorted[Math.ceil((1 - PIXEL_QUANTILE) * (n - 1))]];
  };
  const realStats = pixelStats(heldOutImages, per);
  const pixelRange = { mean: range(realStats.mean), std: range(realStats.std) };
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
    pixelRange,
    async measure(images) {
      const clamped = images.map((x) => (x > 1 ? 1 : x < -1 ? -1 : x));
      const [conf, features, predicted] = await Promise.all([
        classifier.confidence(clamped),
        classifier.features(clamped),
        classifier.predict(clamped),
      ]);
      const m = conf.length;
      const kept: number[] = [];
      const px = pixelStats(clamped, per);
      const inside = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;
      for (let i = 0; i < m; i++) {
        if (!(conf[i] >= threshold)) continue;
        if (!inside(px.mean[i], pixelRange.mean) || !inside(px.std[i], pixelRange.std)) continue;
        for (let j = 0; j < n; j++) {
          if (sqDist(features, i, real, j, d) <= radii[j]) {
            kept.push(predicted[i]);
            break;
          }
        }
      }
      return {
        share: kept.length / m,
        classesCovered: kept.length ? classCoverage(Int32Array.from(kept), classifier.classes).classesCovered : 0,
      };
    },
  };
}

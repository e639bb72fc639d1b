/**
 * The Fréchet distance between feature sets (the FID formula, usable with any
 * feature extractor) and the mean/covariance estimate it starts from.
 *
 * @module
 */
import { matMul, sqrtPsd, symmetricEigen } from "./linalg.ts";

/** Mean and covariance (unbiased) of `n` rows of `d` features. */
export function meanAndCovariance(features: Float32Array, d: number): { mean: Float64Array; cov: Float64Array } {
  const n = features.length / d;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`Cannot estimate a covariance from ${n} samples`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = features[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = centred[a];
      for (let b = a; b < d; b++) cov[a * d + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n - 1;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  return { mean, cov };
}

/**
 * ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½), with tr((Σ₁Σ₂)^½) computed as
 * tr((Σ₁^½ Σ₂ Σ₁^½)^½) so only symmetric square roots are needed.
 *
 * @example
 * ```ts
 * import { frechetDistance, Rng } from "wgan-bench";
 * const rng = new Rng(0);
 * const a = rng.normals(2000 * 3), b = rng.normals(2000 * 3, 1); // shifted by 1 in each of 3 features
 * const fd = frechetDistance(a, b, 3);
 * if (Math.abs(fd - 3) > 0.3) throw new Error(`expected ≈ 3, got ${fd}`);
 * ```
 */
export function frechetDistance(a: Float32Array, b: Float32Array, d: number): number {
  const A = meanAndCovariance(a, d), B = meanAndCovariance(b, d);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (A.mean[j] - B.mean[j]) ** 2;
  const sa = sqrtPsd(A.cov, d);
  const middle = matMul(matMul(sa, B.cov, d), sa, d);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const s = (middle[i * d + j] + middle[j * d + i]) / 2;
      middle[i * d + j] = middle[j * d + i] = s;
    }
  }
  const { values } = symmetricEigen(middle, d);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += A.cov[i * d + i] + B.cov[i * d + i];
  const cross = values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  return Math.max(meanTerm + trace - 2 * cross, 0);
}

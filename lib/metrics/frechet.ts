/**
 * Fréchet distance and kernel distance between feature sets (the FID and KID
 * formulas, usable with any feature extractor), plus the small dense linear
 * algebra they need (symmetric eigendecomposition by cyclic Jacobi).
 *
 * @module
 */

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

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric `d × d` matrix. */
export function symmetricEigen(matrix: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

function sqrtPsd(m: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k] * s;
      for (let j = 0; j < d; j++) out[i * d + j] += vik * vectors[j * d + k];
    }
  }
  return out;
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
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

/**
 * Unbiased squared MMD with the cubic polynomial kernel k(x, y) = (x·y / d + 1)³
 * (the KID of Bińkowski et al., 2018).
 *
 * @example
 * ```ts
 * import { kernelDistance, Rng } from "wgan-bench";
 * const rng = new Rng(0);
 * const kid = kernelDistance(rng.normals(500 * 4), rng.normals(500 * 4), 4);
 * if (Math.abs(kid) > 0.1) throw new Error("same distribution: KID ≈ 0 (standard error ≈ 0.03 here)");
 * ```
 */
export function kernelDistance(a: Float32Array, b: Float32Array, d: number): number {
  const m = a.length / d, n = b.length / d;
  if (m < 2 || n < 2) throw new RangeError(`Cannot compute KID from ${m} and ${n} samples`);
  const k = (x: Float32Array, i: number, y: Float32Array, j: number) => {
    let dot = 0;
    for (let f = 0; f < d; f++) dot += x[i * d + f] * y[j * d + f];
    return (dot / d + 1) ** 3;
  };
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) xx += 2 * k(a, i, a, j);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) yy += 2 * k(b, i, b, j);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) xy += k(a, i, b, j);
  return xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * xy) / (m * n);
}

/**
 * Class statistics of generated samples: how many classes receive at least a
 * fifth of a uniform share, and KL(histogram ‖ uniform) in nats (0 for a
 * perfectly balanced generator, log(classes) for total collapse).
 *
 * @example
 * ```ts
 * import { classCoverage } from "wgan-bench";
 * const c = classCoverage(new Int32Array(100).fill(3), 10);
 * if (c.classesCovered !== 1 || Math.abs(c.klToUniform - Math.log(10)) > 1e-12) throw new Error("collapse");
 * ```
 */
export function classCoverage(predicted: Int32Array, classes: number): { classesCovered: number; klToUniform: number } {
  const counts = new Array(classes).fill(0);
  predicted.forEach((c) => counts[c]++);
  const n = predicted.length;
  let kl = 0;
  for (const c of counts) if (c > 0) kl += (c / n) * Math.log((c / n) * classes);
  return { classesCovered: counts.filter((c) => c >= 0.2 * n / classes).length, klToUniform: kl };
}

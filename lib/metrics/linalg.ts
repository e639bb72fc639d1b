/**
 * The small dense linear algebra FID needs, in float64: a symmetric
 * eigendecomposition by cyclic Jacobi, the square root of a PSD matrix and a
 * square matrix product.
 *
 * @module
 */

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

/** The symmetric square root of a positive semi-definite `d × d` matrix (negative eigenvalues clipped to 0). */
export function sqrtPsd(m: Float64Array, d: number): Float64Array {
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

/** The product of two `d × d` matrices. */
export function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
}

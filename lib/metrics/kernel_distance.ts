/**
 * The kernel distance between feature sets (the KID formula).
 *
 * @module
 */

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

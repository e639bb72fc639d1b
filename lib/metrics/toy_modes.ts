/**
 * Mode coverage for mixtures of Gaussians, as in the mode-collapse literature
 * (VEEGAN, PacGAN): a generated point is "high quality" when it lies within
 * three standard deviations of its nearest mode centre; a mode is covered when
 * it receives at least a fifth of the high-quality points it would get if
 * every mode were hit equally.
 *
 * @module
 */

/** Mode statistics of a point set. */
export interface ModeCoverage {
  /** Modes that received enough high-quality samples. */
  modesCovered: number;
  /** Total number of modes. */
  modes: number;
  /** Share of samples within 3σ of a mode centre. */
  highQualityShare: number;
}

/**
 * Counts covered modes and the high-quality share of `points` (flattened 2-D).
 *
 * @example
 * ```ts
 * import { modeCoverage } from "wgan-bench";
 * import { toyModes, toyModeStd } from "wgan-bench/data";
 * // every point on the first mode: 1 of 8 modes covered, all high quality
 * const [cx, cy] = toyModes("8gaussians")[0];
 * const pts = new Float32Array(200).map((_, i) => (i % 2 === 0 ? cx : cy));
 * const m = modeCoverage(pts, toyModes("8gaussians"), toyModeStd("8gaussians"));
 * if (m.modesCovered !== 1 || m.highQualityShare !== 1) throw new Error("collapse expected");
 * ```
 */
export function modeCoverage(points: Float32Array, centres: [number, number][], std: number): ModeCoverage {
  const n = points.length / 2;
  if (centres.length === 0 || n === 0) {
    throw new RangeError(`Cannot measure mode coverage of ${n} points over ${centres.length} modes`);
  }
  const counts = new Array(centres.length).fill(0);
  let hq = 0;
  const limit = (3 * std) ** 2;
  for (let i = 0; i < n; i++) {
    let best = 0, bestD = Infinity;
    for (let k = 0; k < centres.length; k++) {
      const d = (points[2 * i] - centres[k][0]) ** 2 + (points[2 * i + 1] - centres[k][1]) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    }
    if (bestD <= limit) {
      hq++;
      counts[best]++;
    }
  }
  const needed = Math.max(1, 0.2 * n / centres.length);
  return {
    modesCovered: counts.filter((c) => c >= needed).length,
    modes: centres.length,
    highQualityShare: hq / n,
  };
}

/**
 * Degraded copies of image batches, for checking that a quality metric ranks
 * samples as a person would: Gaussian blur and additive Gaussian noise, each
 * by a stated amount. Images are `n × h × w × c`, pixels in [−1, 1].
 *
 * @module
 */
import type { Rng } from "../random.ts";

/** The 1-D Gaussian kernel of standard deviation `sigma` (pixels), truncated at 3σ and normalised. */
function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return k.map((v) => v / sum);
}

/**
 * One image (h×w×c at `from` in `src`) convolved along one axis with the odd-length kernel `k`, edge pixels
 * repeated beyond the border, written at `to` in `dst`.
 */
function convolveAxis(
  src: Float32Array,
  from: number,
  dst: Float32Array,
  to: number,
  k: Float32Array,
  shape: readonly number[],
  axis: "x" | "y",
): void {
  const [h, w, c] = shape;
  const r = (k.length - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = -r; i <= r; i++) {
          const sx = axis === "x" ? Math.min(w - 1, Math.max(0, x + i)) : x;
          const sy = axis === "y" ? Math.min(h - 1, Math.max(0, y + i)) : y;
          s += k[i + r] * src[from + (sy * w + sx) * c + ch];
        }
        dst[to + (y * w + x) * c + ch] = s;
      }
    }
  }
}

/**
 * Each image blurred by a Gaussian of standard deviation `sigma` pixels (separable, edge pixels repeated
 * beyond the border). `sigma` 0 returns a copy.
 *
 * @example
 * ```ts
 * import { gaussianBlur } from "wgan-bench/data";
 * // a single bright pixel spreads out and keeps its total
 * const img = new Float32Array(25); img[12] = 1;
 * const out = gaussianBlur(img, [5, 5, 1], 1);
 * if (!(out[12] < 0.2 && Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 0.05)) throw new Error("blur");
 * ```
 */
export function gaussianBlur(images: Float32Array, shape: readonly number[], sigma: number): Float32Array {
  if (!(sigma >= 0)) throw new RangeError(`Cannot blur by sigma ${sigma}: it must be ≥ 0`);
  if (sigma === 0) return images.slice();
  const [h, w, c] = shape;
  const per = h * w * c;
  if (images.length % per) throw new RangeError(`Cannot blur ${images.length} values as ${shape.join("×")} images`);
  const k = gaussianKernel(sigma);
  const tmp = new Float32Array(per), out = new Float32Array(images.length);
  for (let start = 0; start < images.length; start += per) {
    convolveAxis(images, start, tmp, 0, k, shape, "x");
    convolveAxis(tmp, 0, out, start, k, shape, "y");
  }
  return out;
}

/** Each pixel plus N(0, `std`²) noise from `rng`, clipped to [−1, 1]. */
export function addNoise(images: Float32Array, std: number, rng: Rng): Float32Array {
  if (!(std >= 0)) throw new RangeError(`Cannot add noise of standard deviation ${std}: it must be ≥ 0`);
  const noise = rng.normals(images.length, 0, std);
  return images.map((v, i) => Math.min(1, Math.max(-1, v + noise[i])));
}

/**
 * The 2-D toy distributions of the WGAN-GP code (`gan_toy.py`), with its
 * constants: 8 Gaussians (σ = 0.02 around 8 points on a circle of radius 2,
 * divided by 1.414), 25 Gaussians (σ = 0.05 on the 5×5 grid {−4,…,4}²,
 * divided by 2.828) and the Swiss roll (sklearn's `make_swiss_roll` with noise
 * 0.25, coordinates x and z, divided by 7.5). The reference code draws the 25
 * Gaussians from a shuffled fixed set of 100,000 points; here they are drawn
 * i.i.d. from the same mixture.
 *
 * @module
 */
import type { Rng } from "../random.ts";
import { type Dataset, iidSampler } from "./dataset.ts";

/** Names of the toy distributions. */
export type ToyName = "8gaussians" | "25gaussians" | "swissroll";

/** Names of the toy distributions, in table order. */
export const TOY_NAMES: readonly ToyName[] = ["8gaussians", "25gaussians", "swissroll"];

/** Mode centres of a toy (after scaling), for mode-coverage metrics; empty for the Swiss roll. */
export function toyModes(name: ToyName): [number, number][] {
  if (name === "8gaussians") {
    const r = Math.SQRT1_2;
    const c: [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1], [r, r], [r, -r], [-r, r], [-r, -r]];
    return c.map(([x, y]) => [(2 * x) / 1.414, (2 * y) / 1.414]);
  }
  if (name === "25gaussians") {
    const out: [number, number][] = [];
    for (let x = -2; x <= 2; x++) for (let y = -2; y <= 2; y++) out.push([(2 * x) / 2.828, (2 * y) / 2.828]);
    return out;
  }
  return [];
}

/** Standard deviation of each mixture component after scaling (0 for the Swiss roll). */
export function toyModeStd(name: ToyName): number {
  return name === "8gaussians" ? 0.02 / 1.414 : name === "25gaussians" ? 0.05 / 2.828 : 0;
}

/**
 * Draws `n` points (flattened `[x0, y0, x1, y1, ...]`) from a toy distribution.
 *
 * @example
 * ```ts
 * import { Rng } from "wgan-bench";
 * import { sampleToy } from "wgan-bench/data";
 * const pts = sampleToy("8gaussians", new Rng(0), 100);
 * if (pts.length !== 200) throw new Error("100 points, 2 coordinates");
 * ```
 */
export function sampleToy(name: ToyName, rng: Rng, n: number): Float32Array {
  const out = new Float32Array(2 * n);
  if (name === "swissroll") {
    for (let i = 0; i < n; i++) {
      const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
      rng.uniform(); // sklearn's y = 21 · U, dropped with the y column
      out[2 * i] = (t * Math.cos(t) + 0.25 * rng.normal()) / 7.5;
      rng.normal(); // the noise on the dropped column
      out[2 * i + 1] = (t * Math.sin(t) + 0.25 * rng.normal()) / 7.5;
    }
    return out;
  }
  const modes = toyModes(name);
  const std = toyModeStd(name);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = modes[rng.int(modes.length)];
    out[2 * i] = cx + std * rng.normal();
    out[2 * i + 1] = cy + std * rng.normal();
  }
  return out;
}

/**
 * A toy distribution as a {@linkcode Dataset}.
 *
 * @example
 * ```ts
 * import { Rng, toyDataset } from "wgan-bench";
 * const batch = toyDataset("swissroll").sampler(new Rng(1)).next(64);
 * if (batch.length !== 128) throw new Error("64 points");
 * ```
 */
export function toyDataset(name: ToyName): Dataset {
  if (!TOY_NAMES.includes(name)) {
    throw new RangeError(`Cannot build toy "${name}": unknown name (choose one of ${TOY_NAMES.join(", ")})`);
  }
  return { name, sampleShape: [2], sampler: (rng) => iidSampler(rng, (r, n) => sampleToy(name, r, n)) };
}

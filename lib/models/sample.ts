/**
 * Drawing samples from a generator with a seeded, fixed noise batch.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import { Rng } from "../random.ts";
import type { Model } from "./model.ts";

/** Options of {@linkcode sample}. */
export interface SampleOptions {
  /** Seed of the noise: the same seed gives the same noise, so samples are comparable across iterations. */
  seed: number;
  /**
   * Samples generated per forward pass (default 64). A generator with batch
   * norm normalises with each pass's statistics (as the official WGAN code
   * does), so its samples depend on this; keep it fixed to compare samples.
   */
  batchSize?: number;
}

/**
 * `n` samples of a generator, `[n, ...outputShape]` flattened, from noise
 * drawn from `seed` (the reproduction harness's evaluation samples of a run
 * with seed `s` are `sample(generator, n, { seed: s })`). Reads the values
 * with `await data()` (works on every backend, WebGPU included).
 *
 * @example
 * ```ts
 * import { mlpGenerator, sample } from "wgan-bench";
 * const g = mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const a = await sample(g, 10, { seed: 5, batchSize: 4 });
 * const b = await sample(g, 10, { seed: 5 });
 * if (a.length !== 20 || a.some((x, i) => x !== b[i])) throw new Error("same seed, same samples");
 * ```
 */
export async function sample(generator: Model, n: number, options: SampleOptions): Promise<Float32Array> {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new RangeError(`Cannot draw ${n} samples: n must be a non-negative integer`);
  }
  const chunk = options.batchSize ?? 64;
  const nz = generator.inputShape.reduce((a, b) => a * b, 1);
  const per = generator.outputShape.reduce((a, b) => a * b, 1);
  const noise = new Rng(options.seed).fork("eval-noise").normals(n * nz);
  const out = new Float32Array(n * per);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const x = tf.tidy(() =>
      generator.apply(tf.tensor(noise.subarray(start * nz, (start + m) * nz), [m, ...generator.inputShape]))
    );
    out.set(await x.data(), start * per);
    x.dispose();
  }
  return out;
}

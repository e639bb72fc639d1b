/**
 * Per-layer diagnostics of a critic, for the WGAN-GP paper's Fig. 1b: the norm of the critic loss's gradient with
 * respect to each layer's activations (with weight clipping it grows or shrinks geometrically from layer to layer in
 * a deep critic without normalisation; with a gradient penalty it stays level), and how the weights sit in their
 * range (clipping piles them up at ±c). Both read the model and change nothing: training with and without them
 * gives the same numbers.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";

/**
 * ‖∂L/∂a_k‖ for the critic's input (k = 0) and each hidden layer's activations a_k (k = 1…, input side first),
 * where L = mean D(fake) − mean D(real) is the Wasserstein critic loss without a penalty term, and the norm is the
 * Frobenius norm over both batches (every sample, unit and position). A sample's gradient at layer k is the product
 * of the layers above it, so log10 of these norms against k is a line whose slope is the per-layer gain. The critic
 * must expose `hidden` and `tapped` (the MLP and DCGAN critics do).
 *
 * @example
 * ```ts
 * import { mlpCritic, tf } from "wgan-bench";
 * import { activationGradientNorms } from "wgan-bench/metrics";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 3 });
 * const real = tf.randomNormal([16, 2]), fake = tf.randomNormal([16, 2]);
 * const norms = await activationGradientNorms(critic, real, fake);
 * if (norms.length !== 4 || !norms.every((g) => g >= 0)) throw new Error("input and three hidden layers");
 * tf.dispose([real, fake]);
 * critic.dispose();
 * ```
 */
export async function activationGradientNorms(critic: Model, real: Tensor, fake: Tensor): Promise<number[]> {
  if (!critic.hidden || !critic.tapped) {
    throw new RangeError(
      `Cannot take per-layer gradients of "${critic.description}": it does not expose its hidden layers`,
    );
  }
  const squares = tf.tidy(() => {
    const side = (x: Tensor, sign: number): Tensor[] => {
      const taps = critic.hidden!(x).map((h) => tf.zeros(h.shape));
      const loss = (input: Tensor, ...t: Tensor[]) => tf.mul(tf.sum(critic.tapped!(input, t)), sign / x.shape[0]);
      return tf.grads(loss)([x, ...taps]).map((g) => tf.sum(tf.square(g)));
    };
    const r = side(real, -1), f = side(fake, 1);
    return tf.stack(r.map((g, i) => tf.add(g, f[i])));
  });
  const v = await squares.data();
  squares.dispose();
  return Array.from(v, Math.sqrt);
}

/** How a model's weights sit in their range (see {@linkcode weightStatistics}). */
export interface WeightStatistics {
  /** Per layer (input side first), the largest |w|: c for a layer weight clipping has reached. */
  maxAbs: number[];
  /**
   * Per layer, the share of its weights with |w| ≥ 0.99 · that layer's largest |w|: near 1/2–1 for a layer clipping
   * has piled up at ±c, near 0 for weights spread out (any continuous distribution).
   */
  extremeShare: number[];
  /**
   * The weights of every layer pooled, each divided by the largest |w| of all layers, as shares of `bins` equal
   * bins over [−1, 1] (summing to 1): the histogram of WGAN-GP Fig. 1b (right), on a scale every model shares.
   */
  histogram: number[];
}

/**
 * The weights of `model`'s layers (`layerWeights`; biases and normalisation parameters left out): per layer the
 * largest |w| and the share at the extremes, and a pooled histogram.
 *
 * @example
 * ```ts
 * import { mlpCritic, tf } from "wgan-bench";
 * import { weightStatistics } from "wgan-bench/metrics";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 2 });
 * critic.layerWeights!.forEach((w) => w.assign(tf.clipByValue(w, -0.01, 0.01)));
 * const s = await weightStatistics(critic);
 * if (s.maxAbs.some((m) => Math.abs(m - 0.01) > 1e-9)) throw new Error("every layer clipped at 0.01");
 * if (s.extremeShare.some((x) => x < 0.5)) throw new Error("PyTorch's default init clips most weights at ±c");
 * critic.dispose();
 * ```
 */
export async function weightStatistics(model: Model, bins = 20): Promise<WeightStatistics> {
  if (!model.layerWeights) {
    throw new RangeError(`Cannot read the layer weights of "${model.description}": it does not expose them`);
  }
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`Cannot bin weights: bins must be ≥ 1, got ${bins}`);
  const layers = await Promise.all(model.layerWeights.map((w) => w.data() as Promise<Float32Array>));
  const maxAbs = layers.map((w) => w.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
  const extremeShare = layers.map((w, k) => {
    if (maxAbs[k] === 0) return 1;
    let at = 0;
    for (const x of w) if (Math.abs(x) >= 0.99 * maxAbs[k]) at++;
    return at / w.length;
  });
  const top = Math.max(...maxAbs);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (const w of layers) {
    for (const x of w) {
      const u = top === 0 ? 0 : x / top; // in [−1, 1]
      counts[Math.min(bins - 1, Math.floor(((u + 1) / 2) * bins))]++;
      total++;
    }
  }
  return { maxAbs, extremeShare, histogram: counts.map((c) => c / total) };
}

/**
 * Building blocks for the models: seeded variable creation and the
 * activations/normalisations written from ops that have correct second
 * derivatives (see ENGINE_NOTES.md: `tf.batchNorm` has none, LeakyReLU needs
 * the comparison-gradient fix).
 *
 * @module
 */
import { activeBackendHas } from "../backend/native/native_backend.ts";
import { BATCH_NORM_KERNEL } from "../backend/native/fused_kernels.ts";
import { type Tensor, tf, type Variable } from "../backend/tf.ts";
import type { Rng } from "../random.ts";
import type { Init } from "./model.ts";

/** Creates variables in order from a seeded generator. */
export class ParameterFactory {
  readonly variables: Variable[] = [];
  constructor(private readonly rng: Rng, private readonly init: Init) {}

  /** A weight drawn from N(0, std) with std from `init` (He: sqrt(2 / fanIn)). */
  weight(shape: number[], fanIn: number): Variable {
    const std = this.init === "he" ? Math.sqrt(2 / fanIn) : this.init;
    const size = shape.reduce((a, b) => a * b, 1);
    return this.#add(tf.tensor(this.rng.normals(size, 0, std), shape));
  }

  /** A batch-norm/layer-norm scale: N(1, 0.02) as in the official weights_init. */
  scale(shape: number[]): Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.#add(tf.tensor(this.rng.normals(size, 1, 0.02), shape));
  }

  /** A zero-initialised bias/shift. */
  zeros(shape: number[]): Variable {
    return this.#add(tf.zeros(shape));
  }

  #add(initial: Tensor): Variable {
    const v = tf.variable(initial, true);
    initial.dispose();
    this.variables.push(v);
    return v;
  }
}

/** Activations available to the models. */
export type Activation = "relu" | "leaky-relu" | "tanh" | "none";

/** Applies an activation; LeakyReLU uses slope 0.2 as in DCGAN. */
export function activate(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case "relu":
      return tf.relu(x);
    case "leaky-relu":
      return tf.leakyRelu(x, 0.2);
    case "tanh":
      return tf.tanh(x);
    case "none":
      return x;
  }
}

/**
 * Batch normalisation with batch statistics (the official WGAN code never
 * switches to eval mode), written from `moments` so it works on every backend.
 * `axes` are the reduced axes: `[0]` for dense, `[0, 1, 2]` for NHWC.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, axes: number[]): Tensor {
  const allButChannels = axes.length === x.rank - 1 && axes.every((a, i) => a === i);
  if (allButChannels && activeBackendHas(BATCH_NORM_KERNEL)) {
    // native: one fused kernel forward and one backward (no second derivative: see gradient_fixes.ts)
    return (tf.engine().runKernel(BATCH_NORM_KERNEL, { x, gamma, beta }, { eps: 1e-5 }) as Tensor[])[0];
  }
  return normalize(x, gamma, beta, axes);
}

/**
 * Layer normalisation over every non-batch axis with per-channel scale and
 * shift (as the WGAN-GP code's critic). Has correct second derivatives.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  return normalize(x, gamma, beta, Array.from({ length: x.rank - 1 }, (_, i) => i + 1));
}

function normalize(x: Tensor, gamma: Tensor, beta: Tensor, axes: number[]): Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  // gamma / sqrt(var + eps) is computed on the small statistics tensor, so the full-size work (forward and
  // backward) is one subtraction, one multiplication and one addition.
  const scale = tf.div(gamma, tf.sqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta);
}

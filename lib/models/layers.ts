/**
 * Building blocks for the models: seeded variable creation and the
 * activations/normalisations written from ops that have correct second
 * derivatives (tfjs 4.22's `tf.batchNorm` has none; LeakyReLU needs the
 * comparison-gradient fix of `backend/gradient_fixes.ts`).
 *
 * @module
 */
import { BATCH_NORM_KERNEL } from "../backend/kernel_names.ts";
import { activeBackendHas, type Tensor, tf, type Variable } from "../backend/tf.ts";
import type { Rng } from "../random.ts";
import type { Init } from "./model.ts";
import { initSchema } from "./schema.ts";
import { checked } from "../config/schema.ts";

/** What an initialisation rule needs to know about a layer's weight. */
export interface WeightRole {
  /** `"linear"`: a plain dense layer; `"conv"`: a convolution, or a dense layer standing for one. */
  layer: "linear" | "conv";
  /** Fan-in as PyTorch computes it for the layer (a transposed convolution's is out-channels · k²). */
  fanIn: number;
  fanOut: number;
  /** The network's last layer (no ReLU after it: Glorot under `"gan-toy"`). */
  output?: boolean;
}

/** Creates variables in order from a seeded generator, initialised by an {@linkcode Init} rule. */
export class ParameterFactory {
  readonly variables: Variable[] = [];
  constructor(private readonly rng: Rng, private readonly init: Init) {
    checked(initSchema, init, "Cannot initialise weights", "init");
  }

  /** The rule that applies to a layer: `"dcgan"` leaves plain linear layers at PyTorch's default. */
  #rule(role: WeightRole): Init {
    return this.init === "dcgan" ? (role.layer === "linear" ? "torch-default" : 0.02) : this.init;
  }

  /** A weight of `shape` drawn by the rule for this layer. */
  weight(shape: number[], role: WeightRole): Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const rule = this.#rule(role);
    let values: Float32Array;
    if (typeof rule === "number") values = this.rng.normals(size, 0, rule);
    else if (rule === "he") values = this.rng.normals(size, 0, Math.sqrt(2 / role.fanIn));
    else {
      const bound = rule === "torch-default"
        ? 1 / Math.sqrt(role.fanIn)
        : role.output
        ? Math.sqrt(6 / (role.fanIn + role.fanOut))
        : Math.sqrt(6 / role.fanIn);
      values = this.rng.uniforms(size, -bound, bound);
    }
    return this.#add(tf.tensor(values, shape));
  }

  /** A bias: U(±1/√fanIn) where PyTorch's default applies, else zeros. */
  bias(shape: number[], role: WeightRole): Variable {
    if (this.#rule(role) !== "torch-default") return this.zeros(shape);
    const bound = 1 / Math.sqrt(role.fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    return this.#add(tf.tensor(this.rng.uniforms(size, -bound, bound), shape));
  }

  /** A batch-norm/layer-norm scale: N(1, 0.02) as in the official weights_init (1 under `"torch-default"`). */
  scale(shape: number[]): Variable {
    if (this.init === "torch-default") return this.#add(tf.ones(shape));
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

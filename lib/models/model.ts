/**
 * The model interface shared by generators and critics: a pure function of
 * its input plus an explicit, ordered list of variables.
 *
 * @module
 */
import type { Tensor, Variable } from "../backend/tf.ts";
import { INIT_RULE_NAMES } from "./schema.ts";

/** A network built from raw tfjs ops with explicit variables. */
export interface Model {
  /** A short description, e.g. "mlp 4x512 relu". */
  readonly description: string;
  /** Per-sample input shape (noise `[nz]`, image `[h, w, c]`, point `[2]`). */
  readonly inputShape: readonly number[];
  /** Per-sample output shape (a critic's is `[]`: one score per sample). */
  readonly outputShape: readonly number[];
  /** Trainable variables in a fixed order (checkpoints rely on it). */
  readonly variables: readonly Variable[];
  /** Forward pass on a batch `[n, ...inputShape]` → `[n, ...outputShape]`. */
  apply(x: Tensor): Tensor;
  /**
   * True when each sample's output depends on that sample alone (no batch statistics): `apply` on two batches
   * stacked is then `apply` on each, and a critic step scores its real and fake batches in one pass (half the
   * kernel calls; the weight gradients come out of one product instead of two summed). Batch norm makes it false;
   * left out, it is taken as false.
   */
  readonly perSample?: boolean;
  /**
   * The hidden layers' pre-activations on a batch, first layer first: `[n, units]` for a dense layer, `[n, h, w,
   * channels]` for a convolution (after its normalisation). For diagnostics (e.g. `inactiveUnitShares`); models
   * that do not expose them leave it out.
   */
  hidden?(x: Tensor): Tensor[];
  /**
   * The forward pass with `taps[k]` added to hidden layer k's activation (after its nonlinearity; the shapes of
   * `hidden(x)`): with zero taps it is `apply(x)`, and the gradient with respect to a zero tap is the gradient with
   * respect to that layer's activations (`activationGradientNorms`). Models that do not expose it leave it out.
   */
  tapped?(x: Tensor, taps: readonly Tensor[]): Tensor;
  /**
   * The weight tensor of each layer, input side first, the output layer last (no biases, no normalisation
   * parameters): what weight clipping bounds, read by `weightStatistics`. Models that do not expose it leave it out.
   */
  readonly layerWeights?: readonly Variable[];
  /** Frees the variables. */
  dispose(): void;
}

/**
 * A forward pass that pushes each hidden layer's pre-activation onto `pre` when given one, and adds `taps[k]` to
 * hidden layer k's activation when given taps.
 */
export type TappableRun = (x: Tensor, pre?: Tensor[], taps?: readonly Tensor[]) => Tensor;

/** `Model.hidden` from a {@linkcode TappableRun}. */
export function hiddenFrom(run: TappableRun): (x: Tensor) => Tensor[] {
  return (x) => {
    const pre: Tensor[] = [];
    run(x, pre);
    return pre;
  };
}

/** `Model.tapped` from a {@linkcode TappableRun}: one tap per hidden layer, checked. */
export function tappedFrom(
  run: TappableRun,
  hiddenLayers: number,
  what: string,
): (x: Tensor, taps: readonly Tensor[]) => Tensor {
  return (x, taps) => {
    if (taps.length !== hiddenLayers) {
      throw new RangeError(`Cannot tap ${what}: it has ${hiddenLayers} hidden layers, got ${taps.length} taps`);
    }
    return run(x, undefined, taps);
  };
}

/**
 * Weight initialisation rule.
 *
 * - `"dcgan"`: the official WGAN code's `weights_init`: convolution weights (including the DCGAN models' dense
 *   first/last layers, which stand for its 1×1 → s0×s0 transposed and s0×s0 valid convolutions) from N(0, 0.02),
 *   normalisation scales from N(1, 0.02); plain linear layers (the MLP models) keep PyTorch's default.
 * - `"torch-default"`: PyTorch's default for every layer: weights Kaiming-uniform with a = √5, i.e.
 *   U(±1/√fanIn) (fanIn of a transposed convolution as PyTorch computes it: out-channels · k²), biases
 *   U(±1/√fanIn), normalisation scales 1.
 * - `"gan-toy"`: the WGAN-GP toy code (gan_toy.py, tflib): He-uniform U(±√(6/fanIn)) for layers followed by a
 *   ReLU, Glorot-uniform U(±√(6/(fanIn + fanOut))) for the output layer, zero biases.
 * - `"he"`: He-normal N(0, 2/fanIn) weights, zero biases.
 * - a number: N(0, std) weights, zero biases, normalisation scales N(1, 0.02).
 */
export type Init = number | "he" | "dcgan" | "torch-default" | "gan-toy";

/** The named initialisation rules. */
export const INIT_RULES = INIT_RULE_NAMES;

/**
 * Number of trainable scalars in a model.
 *
 * @example
 * ```ts
 * import { mlpCritic, parameterCount } from "wgan-bench";
 * // 2 → 8 → 1: (2·8 + 8) + (8·1 + 1)
 * if (parameterCount(mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 })) !== 33) throw new Error();
 * ```
 */
export function parameterCount(model: Model): number {
  return model.variables.reduce((n, v) => n + v.size, 0);
}

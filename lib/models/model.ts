/**
 * The model interface shared by generators and critics: a pure function of
 * its input plus an explicit, ordered list of variables.
 *
 * @module
 */
import type { Tensor, Variable } from "../backend/tf.ts";

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
  /** Frees the variables. */
  dispose(): void;
}

/** Weight initialisation: a normal standard deviation (the official WGAN code uses 0.02) or He-normal. */
export type Init = number | "he";

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

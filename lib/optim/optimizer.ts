/**
 * Optimizers with PyTorch's update rules (the official WGAN, WGAN-GP and
 * WGAN-div code is PyTorch). tfjs's own optimizers differ: its RMSProp
 * defaults to decay 0.9 and puts ε inside the square root, its ε is 1e-7.
 * Here, as in `torch.optim`:
 *
 * - RMSProp: v ← αv + (1 − α)g²; θ ← θ − lr · g / (√v + ε); α = 0.99, ε = 1e-8.
 * - Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε); ε = 1e-8.
 *
 * State (slot variables and step count) is explicit so checkpoints can save
 * and restore it exactly.
 *
 * @module
 */
import { activeBackendHas, type Tensor, tf, type Variable } from "../backend/tf.ts";
import { ADAM_KERNEL, RMSPROP_KERNEL } from "../backend/kernel_names.ts";
import { checked } from "../config/schema.ts";
import { optimizerSpecSchema } from "./schema.ts";

/** An optimizer as plain data. */
export type OptimizerSpec =
  | { kind: "rmsprop"; lr: number; alpha: number; eps: number }
  | { kind: "adam"; lr: number; beta1: number; beta2: number; eps: number };

/** Saved optimizer state: step count and slot values in variable order. */
export interface OptimizerState {
  step: number;
  slots: Float32Array[];
}

/** Updates variables from gradients. */
export interface Optimizer {
  readonly spec: OptimizerSpec;
  /** Number of updates applied so far. */
  readonly step: number;
  /** One update; `grads[i]` is the gradient of `variables[i]` (undefined = zero). */
  apply(variables: readonly Variable[], grads: readonly (Tensor | undefined)[]): void;
  getState(): Promise<OptimizerState>;
  setState(state: OptimizerState, variables: readonly Variable[]): void;
  dispose(): void;
}

const SLOTS = { rmsprop: 1, adam: 2 } as const;

/**
 * Creates the optimizer described by `spec`.
 *
 * @example
 * ```ts
 * import { createOptimizer, tf } from "wgan-bench";
 * const v = tf.variable(tf.scalar(1));
 * const opt = createOptimizer({ kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
 * opt.apply([v], [tf.scalar(2)]);
 * // Adam's first step moves by lr · sign(g):
 * if (Math.abs((await v.data())[0] - 0.9) > 1e-6) throw new Error("expected 0.9");
 * ```
 */
export function createOptimizer(spec: OptimizerSpec): Optimizer {
  validate(spec);
  let slots: Variable[][] = [];
  let step = 0;
  const ensureSlots = (variables: readonly Variable[]) => {
    if (slots.length === variables.length) return;
    slots.forEach((s) => s.forEach((v) => v.dispose()));
    slots = variables.map((v) => Array.from({ length: SLOTS[spec.kind] }, () => tf.variable(tf.zerosLike(v), false)));
  };
  return {
    spec,
    get step() {
      return step;
    },
    apply(variables, grads) {
      if (variables.length !== grads.length) {
        throw new RangeError(`Cannot apply ${grads.length} gradients to ${variables.length} variables`);
      }
      ensureSlots(variables);
      step += 1;
      // The native backend runs each update as one fused loop (same formula, one pass, no intermediates).
      const fused = activeBackendHas(spec.kind === "rmsprop" ? RMSPROP_KERNEL : ADAM_KERNEL);
      tf.tidy(() => {
        variables.forEach((param, i) => {
          const g = grads[i];
          if (!g) return; // tfjs omits gradients of variables that do not affect the loss: zero
          if (fused && spec.kind === "rmsprop") {
            const [sq] = slots[i];
            const { lr, alpha, eps } = spec;
            const [p, v] = tf.engine().runKernel(RMSPROP_KERNEL, { param, grad: g, sq }, {
              lr,
              alpha,
              eps,
            }) as Tensor[];
            sq.assign(v);
            param.assign(p);
          } else if (fused && spec.kind === "adam") {
            const [m1, m2] = slots[i];
            const { lr, beta1, beta2, eps } = spec;
            const [p, m, v] = tf.engine().runKernel(ADAM_KERNEL, { param, grad: g, m1, m2 }, {
              lr,
              beta1,
              beta2,
              eps,
              step,
            }) as Tensor[];
            m1.assign(m);
            m2.assign(v);
            param.assign(p);
          } else if (spec.kind === "rmsprop") {
            const [sq] = slots[i];
            const v = tf.add(tf.mul(sq, spec.alpha), tf.mul(tf.square(g), 1 - spec.alpha));
            sq.assign(v);
            param.assign(tf.sub(param, tf.mul(tf.div(g, tf.add(tf.sqrt(v), spec.eps)), spec.lr)));
          } else {
            const [m1, m2] = slots[i];
            const m = tf.add(tf.mul(m1, spec.beta1), tf.mul(g, 1 - spec.beta1));
            const v = tf.add(tf.mul(m2, spec.beta2), tf.mul(tf.square(g), 1 - spec.beta2));
            m1.assign(m);
            m2.assign(v);
            const bc1 = 1 - spec.beta1 ** step;
            const bc2 = Math.sqrt(1 - spec.beta2 ** step);
            const denom = tf.add(tf.div(tf.sqrt(v), bc2), spec.eps);
            param.assign(tf.sub(param, tf.mul(tf.div(m, denom), spec.lr / bc1)));
          }
        });
      });
    },
    async getState() {
      const flat = slots.flat();
      return { step, slots: await Promise.all(flat.map(async (v) => new Float32Array(await v.data()))) };
    },
    setState(state, variables) {
      ensureSlots(variables);
      const flat = slots.flat();
      if (state.slots.length !== flat.length) {
        throw new RangeError(
          `Cannot restore optimizer state: expected ${flat.length} slots for ${variables.length} variables, got ${state.slots.length}`,
        );
      }
      flat.forEach((v, i) => {
        if (state.slots[i].length !== v.size) {
          throw new RangeError(
            `Cannot restore optimizer slot ${i}: expected ${v.size} values, got ${state.slots[i].length}`,
          );
        }
        tf.tidy(() => v.assign(tf.tensor(state.slots[i], v.shape)));
      });
      step = state.step;
    },
    dispose() {
      slots.forEach((s) => s.forEach((v) => v.dispose()));
      slots = [];
    },
  };
}

function validate(spec: OptimizerSpec): void {
  checked(optimizerSpecSchema, spec, `Cannot create ${spec.kind} optimizer`);
}

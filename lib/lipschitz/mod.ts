/**
 * Lipschitz terms: weight clipping, gradient penalty, Wasserstein divergence.
 *
 * @module
 */
import type { Scalar, Tensor, Variable } from "../backend/tf.ts";
import { tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import type { Rng } from "../random.ts";
import { clipWeights } from "./weight_clipping.ts";
import { gradientPenalty } from "./gradient_penalty.ts";
import { wassersteinDivergence } from "./wasserstein_div.ts";

export { clipWeights } from "./weight_clipping.ts";
export { gradientPenalty, type GradientPenaltyOptions } from "./gradient_penalty.ts";
export { wassersteinDivergence, type WassersteinDivOptions } from "./wasserstein_div.ts";
export { criticInputGradient, rowSquaredNorms } from "./input_gradient.ts";

/** A Lipschitz constraint as plain data (serialisable into result rows). */
export type LipschitzSpec =
  | { kind: "none" }
  | { kind: "clip"; c: number }
  | { kind: "gp"; lambda: number }
  | { kind: "div"; k: number; p: number };

/** The runtime form of a {@linkcode LipschitzSpec}. */
export interface LipschitzTerm {
  readonly spec: LipschitzSpec;
  /** A penalty added to the critic loss, evaluated inside the critic's tape. */
  penalty(critic: Model, real: Tensor, fake: Tensor, rng: Rng): Scalar | null;
  /** Applied to the critic's variables after each critic update (clipping). */
  constrain(variables: readonly Variable[]): void;
}

/**
 * Builds the runtime term for a spec. The gradient penalty's ε is drawn from
 * the `rng` passed to `penalty`, one value per sample.
 *
 * @example
 * ```ts
 * import { lipschitzTerm } from "wgan-bench";
 * const term = lipschitzTerm({ kind: "gp", lambda: 10 });
 * if (term.spec.kind !== "gp") throw new Error("gp expected");
 * ```
 */
export function lipschitzTerm(spec: LipschitzSpec): LipschitzTerm {
  const noConstraint = () => {};
  switch (spec.kind) {
    case "none":
      return { spec, penalty: () => null, constrain: noConstraint };
    case "clip":
      return { spec, penalty: () => null, constrain: (vars) => clipWeights(vars, spec.c) };
    case "gp":
      return {
        spec,
        penalty: (critic, real, fake, rng) => {
          const n = real.shape[0];
          return gradientPenalty(critic, real, fake, tf.tensor1d(rng.uniforms(n)), { lambda: spec.lambda });
        },
        constrain: noConstraint,
      };
    case "div":
      return {
        spec,
        penalty: (critic, real, fake) => wassersteinDivergence(critic, real, fake, { k: spec.k, p: spec.p }),
        constrain: noConstraint,
      };
  }
}

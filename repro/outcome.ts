/**
 * How a finished run is labelled from its initial and final quality.
 *
 * @module
 */
import type { Quality } from "./evaluate.ts";

/** How a run ended. */
export type Outcome = "converged" | "collapsed" | "diverged" | "failed";

/** What the label depends on besides the two qualities. */
export interface OutcomeRules {
  /** The quality column to compare (lower is better). */
  primary: string;
  /** Collapse is judged on this column as a share of `modes`. */
  coverage: { column: string; modes: number } | null;
}

/**
 * `diverged`: a loss became NaN/Inf. `collapsed`: the good samples
 * concentrate on fewer than half the modes (a run with no good samples at all
 * has not collapsed, it has failed to train). `converged`: the primary
 * quality at least halved from initialisation. `failed`: none of these.
 */
export function classifyOutcome(rules: OutcomeRules, initial: Quality, final: Quality, diverged: boolean): Outcome {
  if (diverged) return "diverged";
  const cov = rules.coverage;
  if (cov && final[cov.column] >= 1 && final[cov.column] < cov.modes / 2) return "collapsed";
  return final[rules.primary] <= 0.5 * initial[rules.primary] ? "converged" : "failed";
}

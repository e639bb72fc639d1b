/**
 * How a finished run is labelled from its initial and final quality.
 *
 * @module
 */

/** Quality values by column. */
export type Quality = Record<string, number>;

/** Below this share of recognisable samples (digits, points near a mode) a run has not trained. */
export const RECOGNISABLE_FLOOR = 0.2;
/** Generated samples whose root mean square exceeds this (data lie in [−1, 1]) have blown up. */
export const BLOW_UP_RMS = 10;
/**
 * A toy generator whose samples lie this far from the data in W1 has blown up: the toys' data lie within ~2 of
 * the origin and an untrained generator starts at W1 ~1.5, so 10 means the points moved on average five data radii
 * away (a W1 of 2e36 was seen: a number not to average into a final-quality mean).
 */
export const TOY_BLOW_UP_W1 = 10;

/** How a run ended. */
export type Outcome = "converged" | "collapsed" | "not-trained" | "blew-up" | "diverged" | "failed";

/** Every outcome, in the order tables list them. */
export const OUTCOMES: readonly Outcome[] = ["converged", "collapsed", "not-trained", "failed", "blew-up", "diverged"];

/** Outcomes that count as a run that did not train well. */
export const BAD_OUTCOMES: readonly Outcome[] = ["collapsed", "not-trained", "failed", "blew-up", "diverged"];

/** What the label depends on besides the two qualities. */
export interface OutcomeRules {
  /** The quality column to compare (lower is better). */
  primary: string;
  /** The share of samples that look like data (recognisable digits, points near a mode), and its floor. */
  recognisable: { column: string; floor: number } | null;
  /** Modes (classes) the recognisable samples cover, out of `modes`. */
  coverage: { column: string; modes: number } | null;
  /** The samples' root mean square, and the value beyond which the generator has blown up. */
  blowUp: { column: string; limit: number } | null;
}

/**
 * - `diverged`: a loss became NaN/Inf;
 * - `blew-up`: the samples' magnitude left the data's range by far (an MLP
 *   generator without an output activation; its FID is a number not to average);
 * - `not-trained`: fewer than `floor` of the samples are recognisable (noise
 *   is not mode collapse);
 * - `collapsed`: recognisable samples exist but cover fewer than half the modes;
 * - `converged`: the primary quality at least halved from initialisation and
 *   the recognisable samples cover at least 8 in 10 of the modes;
 * - `failed`: trained, but none of the above.
 */
export function classifyOutcome(rules: OutcomeRules, initial: Quality, final: Quality, diverged: boolean): Outcome {
  if (diverged) return "diverged";
  if (rules.blowUp && !(final[rules.blowUp.column] <= rules.blowUp.limit)) return "blew-up";
  if (rules.recognisable && !(final[rules.recognisable.column] >= rules.recognisable.floor)) return "not-trained";
  const cov = rules.coverage;
  if (cov && final[cov.column] < cov.modes / 2) return "collapsed";
  const halved = final[rules.primary] <= 0.5 * initial[rules.primary];
  return halved && (!cov || final[cov.column] >= 0.8 * cov.modes) ? "converged" : "failed";
}

/** How a toy run is labelled: by W1 alone (its mode columns are reported, not used). */
export function toyOutcomeRules(): OutcomeRules {
  return { primary: "w1", coverage: null, recognisable: null, blowUp: { column: "w1", limit: TOY_BLOW_UP_W1 } };
}

/** How an image run is labelled, for a data set of `classes` classes. */
export function imageOutcomeRules(classes: number): OutcomeRules {
  return {
    primary: "fid",
    coverage: { column: "recognisable_classes", modes: classes },
    recognisable: { column: "recognisable", floor: RECOGNISABLE_FLOOR },
    blowUp: { column: "sample_rms", limit: BLOW_UP_RMS },
  };
}

/**
 * How a finished run is labelled from its initial quality and its last few
 * evaluations (the median of each column over {@linkcode OUTCOME_WINDOW}
 * evaluations, so one lucky or unlucky evaluation does not decide it).
 *
 * @module
 */

/** Median of the finite values (NaN if none). */
function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Quality values by column. */
export type Quality = Record<string, number>;

/** Below this share of recognisable samples (digits, points near a mode) a run has not trained. */
export const RECOGNISABLE_FLOOR = 0.2;
/** Evaluations at the end of a run whose per-column medians decide its outcome. */
export const OUTCOME_WINDOW = 3;
/** A converged image run has at least this fraction of real images' recognisable share. */
export const CONVERGED_REAL_SHARE = 0.5;
/** A converged run's recognisable samples cover at least this fraction of the modes (8 of 10 classes). */
export const CONVERGED_MODES = 0.8;
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
  /**
   * The share of samples that look like data (recognisable digits), its floor (below: not trained) and the share
   * a converged run needs (a stated fraction of real images' share).
   */
  recognisable: { column: string; floor: number; converged: number } | null;
  /** Modes (classes) the recognisable samples cover, out of `modes`. */
  coverage: { column: string; modes: number } | null;
  /** How many of a run's last evaluations the label is judged on (their per-column medians). */
  window: number;
  /** The samples' root mean square, and the value beyond which the generator has blown up. */
  blowUp: { column: string; limit: number } | null;
}

/**
 * Labels a run from its initial quality and its last evaluations (`final`: the last `rules.window`, or fewer;
 * each column is judged by its median over them, a NaN counting as a missing value):
 * - `diverged`: a loss became NaN/Inf;
 * - `blew-up`: the samples' magnitude left the data's range by far (an MLP
 *   generator without an output activation; its distance is a number not to average);
 * - `not-trained`: fewer than `floor` of the samples are recognisable (noise
 *   is not mode collapse);
 * - `collapsed`: recognisable samples exist but cover fewer than half the modes;
 * - `converged`: the primary quality at least halved from initialisation, the
 *   recognisable share at least `converged` (half of real images') and the
 *   recognisable samples cover at least 8 in 10 of the modes;
 * - `failed`: trained, but none of the above.
 */
export function classifyOutcome(
  rules: OutcomeRules,
  initial: Quality,
  final: Quality | readonly Quality[],
  diverged: boolean,
): Outcome {
  if (diverged) return "diverged";
  const window = (Array.isArray(final) ? final : [final]) as readonly Quality[];
  const at = (column: string) => median(window.map((q) => q[column]));
  if (rules.blowUp && !(at(rules.blowUp.column) <= rules.blowUp.limit)) return "blew-up";
  const rec = rules.recognisable;
  if (rec && !(at(rec.column) >= rec.floor)) return "not-trained";
  const cov = rules.coverage;
  if (cov && at(cov.column) < cov.modes / 2) return "collapsed";
  const halved = at(rules.primary) <= 0.5 * initial[rules.primary];
  const recognisable = !rec || at(rec.column) >= rec.converged;
  return halved && recognisable && (!cov || at(cov.column) >= CONVERGED_MODES * cov.modes) ? "converged" : "failed";
}

/** The quality of a run's last `n` evaluations (rows with a value in `primary`), oldest first. */
export function lastEvaluations(
  rows: readonly Record<string, string | number | boolean | null | undefined>[],
  columns: readonly string[],
  primary: string,
  n = OUTCOME_WINDOW,
): Quality[] {
  const present = (v: unknown) => v !== "" && v !== undefined && v !== null;
  const evaluated = rows.filter((r) => present(r[primary]));
  return evaluated.slice(-n).map((r) =>
    Object.fromEntries(
      columns.filter((c) => present(r[c])).map((c) => [c, Number(r[c])]),
    )
  );
}

/** How a toy run is labelled: by W1 alone (its mode columns are reported, not used). */
export function toyOutcomeRules(): OutcomeRules {
  return {
    primary: "w1",
    coverage: null,
    recognisable: null,
    window: OUTCOME_WINDOW,
    blowUp: { column: "w1", limit: TOY_BLOW_UP_W1 },
  };
}

/**
 * A critic trained against a fixed generator (WGAN-GP Fig. 1a) is judged on `fit_gap`, 1 − the share of W1 its
 * Lipschitz-scaled estimate reaches: converged when the gap has at least halved from the untrained critic's, failed
 * otherwise, diverged when training produced a non-finite value.
 */
export function criticFitOutcomeRules(): OutcomeRules {
  return { primary: "fit_gap", coverage: null, recognisable: null, window: OUTCOME_WINDOW, blowUp: null };
}

/**
 * How an image run is labelled, for a data set of `classes` classes whose real images (unseen by the calibration)
 * are recognisable at `realShare`; `primary` is the distance column ("fid" in folders written before #25).
 */
export function imageOutcomeRules(classes: number, realShare: number, primary = "fd_lenet"): OutcomeRules {
  return {
    primary,
    coverage: { column: "recognisable_classes", modes: classes },
    recognisable: {
      column: "recognisable",
      floor: RECOGNISABLE_FLOOR,
      converged: Math.max(RECOGNISABLE_FLOOR, CONVERGED_REAL_SHARE * realShare),
    },
    window: OUTCOME_WINDOW,
    blowUp: { column: "sample_rms", limit: BLOW_UP_RMS },
  };
}

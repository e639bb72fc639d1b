/**
 * The tests the verdicts use (issue #25): exact tests for small seed counts, where t-intervals over bimodal
 * outcomes mislead — the Wilcoxon signed-rank test for arm-against-arm on the same seeds, the Mann–Whitney U
 * test for final quality of two arms, Fisher's exact test for shares of per-seed outcomes — and correlations that
 * do not measure a shared trend: Spearman's ρ on step-to-step changes and with the iteration partialled out.
 * Distributions come from jStat; the exact null distributions are enumerated here (conditional on the ranks, so
 * ties are handled exactly). Every function is checked against SciPy's values in tests/repro/inference_test.ts.
 *
 * @module
 */
import jStatModule from "jstat";
import { pearson, ranks, spearman } from "./stats.ts";
import { Rng } from "../../lib/random.ts";

interface JStat {
  studentt: { inv(p: number, df: number): number };
  normal: { cdf(x: number, mean: number, sd: number): number };
  hypgeom: { pdf(k: number, population: number, successes: number, draws: number): number };
}
const jStat = (jStatModule as unknown as { jStat: JStat }).jStat;

/** The quantile `p` of Student's t distribution with `df` degrees of freedom (NaN for df < 1). */
export function tQuantile(p: number, df: number): number {
  return df >= 1 ? jStat.studentt.inv(p, df) : NaN;
}

/** A test's result: its statistic and two-sided p-value, and how the p-value was computed. */
export interface TestResult {
  statistic: number;
  p: number;
  /**
   * "exact": the full null distribution was enumerated; "normal": a normal approximation (large samples);
   * "permutation": seeded random permutations.
   */
  method: "exact" | "normal" | "permutation";
  /** Observations the test used (pairs without a zero difference; both samples' sizes summed). */
  n: number;
}

/** Largest sample the exact enumerations accept (2^20 sign patterns; rank-sum tables of 40 values). */
export const EXACT_MAX = 20;

/** Which way a test looks: both, or only for `x` larger ("greater") or smaller ("less") than the other side. */
export type Alternative = "two-sided" | "greater" | "less";

/**
 * The p-value of `observed` under a discrete null given as value → count: the share of values at least as far from
 * `centre` (two-sided), at least `observed` ("greater") or at most it ("less").
 */
function pValue(counts: Map<number, number>, observed: number, centre: number, alternative: Alternative): number {
  let total = 0, extreme = 0;
  const d = Math.abs(observed - centre) - 1e-9;
  for (const [v, c] of counts) {
    total += c;
    const hit = alternative === "two-sided"
      ? Math.abs(v - centre) >= d
      : alternative === "greater"
      ? v >= observed - 1e-9
      : v <= observed + 1e-9;
    if (hit) extreme += c;
  }
  return Math.min(1, extreme / total);
}

/** Σ (t³ − t) over the groups of tied ranks (the normal approximations' tie correction). */
function tieTerm(ranked: readonly number[]): number {
  const sizes = new Map<number, number>();
  for (const v of ranked) sizes.set(v, (sizes.get(v) ?? 0) + 1);
  let sum = 0;
  for (const t of sizes.values()) sum += t ** 3 - t;
  return sum;
}

/** The normal approximation's p-value of a z score. */
function normalP(z: number, alternative: Alternative): number {
  const upper = 1 - jStat.normal.cdf(z, 0, 1), lower = jStat.normal.cdf(z, 0, 1);
  return Math.min(
    1,
    alternative === "two-sided" ? 2 * Math.min(upper, lower) : alternative === "greater" ? upper : lower,
  );
}

/**
 * Wilcoxon's signed-rank test of `x − y` (paired) or of `x` against 0, zero differences dropped (SciPy's default
 * "wilcox"). Two-sided, the statistic is the smaller of the positive and negative rank sums; one-sided ("greater":
 * the differences tend to be positive), the positive rank sum. Exact (every sign pattern of the observed ranks) up
 * to {@linkcode EXACT_MAX} pairs, else the normal approximation with the tie correction.
 */
export function wilcoxonSignedRank(
  x: readonly number[],
  y?: readonly number[],
  alternative: Alternative = "two-sided",
): TestResult {
  if (y && y.length !== x.length) throw new RangeError(`Cannot pair ${x.length} values with ${y.length}`);
  const d = x.map((v, i) => v - (y ? y[i] : 0)).filter((v) => Number.isFinite(v) && v !== 0);
  const n = d.length;
  if (n === 0) return { statistic: NaN, p: NaN, method: "exact", n };
  const r = ranks(d.map(Math.abs));
  const plus = d.reduce((s, v, i) => s + (v > 0 ? r[i] : 0), 0);
  const total = n * (n + 1) / 2;
  const statistic = alternative === "two-sided" ? Math.min(plus, total - plus) : plus;
  if (n <= EXACT_MAX) {
    // the distribution of the positive rank sum over all 2^n sign patterns, on doubled (integer) ranks
    let dist = new Map<number, number>([[0, 1]]);
    for (const rank of r) {
      const next = new Map<number, number>();
      for (const [s, c] of dist) {
        next.set(s, (next.get(s) ?? 0) + c);
        next.set(s + 2 * rank, (next.get(s + 2 * rank) ?? 0) + c);
      }
      dist = next;
    }
    return { statistic, p: pValue(dist, 2 * plus, total, alternative), method: "exact", n };
  }
  const sd2 = n * (n + 1) * (2 * n + 1) / 24 - tieTerm(r) / 48;
  const z = (plus - total / 2) / Math.sqrt(sd2);
  return { statistic, p: normalP(z, alternative), method: "normal", n };
}

/**
 * The Mann–Whitney U test of two independent samples, U of the first sample (U₁ = R₁ − n₁(n₁+1)/2); "greater":
 * `a` tends to be larger than `b`. Exact (every split of the pooled ranks) when both samples have at most
 * {@linkcode EXACT_MAX} values, else the normal approximation with the tie and continuity corrections.
 */
export function mannWhitneyU(
  a: readonly number[],
  b: readonly number[],
  alternative: Alternative = "two-sided",
): TestResult {
  const x = a.filter(Number.isFinite), y = b.filter(Number.isFinite);
  const n1 = x.length, n2 = y.length;
  if (!n1 || !n2) return { statistic: NaN, p: NaN, method: "exact", n: n1 + n2 };
  const r = ranks([...x, ...y]);
  const r1 = r.slice(0, n1).reduce((s, v) => s + v, 0);
  const statistic = r1 - n1 * (n1 + 1) / 2;
  const centre = n1 * n2 / 2;
  if (n1 <= EXACT_MAX && n2 <= EXACT_MAX) {
    // counts of doubled rank sums over every choice of n1 of the pooled ranks: dist[k] maps sum → count
    let dist: Map<number, number>[] = [new Map([[0, 1]])];
    for (const rank of r) {
      const next = dist.map((m) => new Map(m));
      for (let k = 0; k < dist.length && k < n1; k++) {
        next[k + 1] ??= new Map();
        for (const [s, c] of dist[k]) next[k + 1].set(s + 2 * rank, (next[k + 1].get(s + 2 * rank) ?? 0) + c);
      }
      dist = next;
    }
    const u = new Map<number, number>();
    for (const [s, c] of dist[n1]) u.set(s / 2 - n1 * (n1 + 1) / 2, c);
    return { statistic, p: pValue(u, statistic, centre, alternative), method: "exact", n: n1 + n2 };
  }
  const N = n1 + n2;
  const tie = tieTerm(r);
  const sd = Math.sqrt(n1 * n2 / 12 * ((N + 1) - tie / (N * (N - 1))));
  // SciPy's continuity correction: half a unit towards the centre
  const shifted = alternative === "two-sided"
    ? Math.abs(statistic - centre) - 0.5
    : alternative === "greater"
    ? statistic - centre - 0.5
    : statistic - centre + 0.5;
  return { statistic, p: normalP(shifted / sd, alternative), method: "normal", n: N };
}

/**
 * Fisher's exact test of a 2×2 table [[a, b], [c, d]] (e.g. arm 1: a bad outcomes, b good; arm 2: c bad, d good):
 * two-sided, summing every table with the same margins that is at most as likely as the observed one (SciPy's
 * rule); one-sided, the probability of an `a` at least ("greater": arm 1 has the larger share) or at most ("less")
 * the observed one. The statistic is the sample odds ratio ad/bc.
 */
export function fisherExact(
  a: number,
  b: number,
  c: number,
  d: number,
  alternative: Alternative = "two-sided",
): TestResult {
  if (![a, b, c, d].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new RangeError(`Cannot test the table [[${a}, ${b}], [${c}, ${d}]]: counts must be whole and ≥ 0`);
  }
  const n = a + b + c + d, row1 = a + b, col1 = a + c;
  const pmf = (k: number) => jStat.hypgeom.pdf(k, n, col1, row1);
  const observed = pmf(a);
  let p = 0;
  for (let k = Math.max(0, row1 + col1 - n); k <= Math.min(row1, col1); k++) {
    const q = pmf(k);
    const hit = alternative === "two-sided" ? q <= observed * (1 + 1e-7) : alternative === "greater" ? k >= a : k <= a;
    if (hit) p += q;
  }
  return { statistic: (a * d) / (b * c), p: Math.min(1, p), method: "exact", n };
}

/**
 * The exact one-sided binomial test of `k` successes in `n` trials against a success probability `p0`: "greater",
 * P(X ≥ k); "less", P(X ≤ k) (X ~ Binomial(n, p0)). The statistic is k / n.
 */
export function binomialTest(k: number, n: number, p0: number, alternative: "greater" | "less"): TestResult {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n && p0 > 0 && p0 < 1)) {
    throw new RangeError(`Cannot test ${k} of ${n} against ${p0}: need whole 0 ≤ k ≤ n and 0 < p0 < 1`);
  }
  // the probabilities P(X = j) by the recurrence P(j + 1) = P(j) · (n − j)/(j + 1) · p0/(1 − p0): exact enough for
  // the seed counts here (n in the tens)
  let pmf = (1 - p0) ** n, p = 0;
  for (let j = 0; j <= n; j++) {
    if (alternative === "greater" ? j >= k : j <= k) p += pmf;
    pmf *= ((n - j) / (j + 1)) * (p0 / (1 - p0));
  }
  return { statistic: n ? k / n : NaN, p: Math.min(1, p), method: "exact", n };
}

/** Spearman's ρ of step-to-step changes: the correlation of Δx with Δy (NaN with fewer than 3 changes). */
export function differencedSpearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`Cannot correlate ${x.length} values with ${y.length}`);
  const dx = x.slice(1).map((v, i) => v - x[i]), dy = y.slice(1).map((v, i) => v - y[i]);
  return spearman(dx, dy);
}

/**
 * Spearman's ρ of x and y with `t` (the iteration) partialled out: the partial correlation of their ranks,
 * (ρxy − ρxt·ρyt) / √((1 − ρxt²)(1 − ρyt²)). NaN when x or y is a monotone function of t (nothing is left).
 */
export function partialSpearman(x: readonly number[], y: readonly number[], t: readonly number[]): number {
  const rx = ranks(x), ry = ranks(y), rt = ranks(t);
  const rxy = pearson(rx, ry), rxt = pearson(rx, rt), ryt = pearson(ry, rt);
  const denominator = Math.sqrt((1 - rxt ** 2) * (1 - ryt ** 2));
  return denominator > 1e-12 ? (rxy - rxt * ryt) / denominator : NaN;
}

/**
 * Leave-one-seed-out stability of a verdict: the verdict recomputed with each seed left out in turn. Stable when
 * every one equals the verdict on all seeds; the seeds whose removal flips it are listed.
 */
export function leaveOneSeedOut<V>(
  seeds: readonly number[],
  verdict: (seeds: readonly number[]) => V,
): { all: V; stable: boolean; flips: { seed: number; verdict: V }[] } {
  const all = verdict(seeds);
  const flips = seeds
    .map((seed) => ({ seed, verdict: verdict(seeds.filter((s) => s !== seed)) }))
    .filter((r) => r.verdict !== all);
  return { all, stable: flips.length === 0, flips };
}

/**
 * Does `x` track `y` across seeds at fixed steps? `x[i][t]` and `y[i][t]` are seed i's values at step t (the same
 * steps for every seed). The statistic is the mean over steps of Spearman's ρ across seeds; its one-sided
 * ("greater") p-value comes from permuting which seed's `x` trajectory goes with which `y` (a trajectory moves
 * whole, so the dependence between a seed's steps is kept): every permutation up to `exactMax` seeds, else
 * `draws` random ones from a seeded generator (p = (1 + hits) / (1 + draws)).
 */
export function acrossSeedsTest(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  opts: { exactMax?: number; draws?: number; seed?: number } = {},
): TestResult {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Cannot pair ${n} seeds with ${y.length}`);
  const steps = n ? x[0].length : 0;
  if (n < 3 || steps === 0 || [...x, ...y].some((v) => v.length !== steps)) {
    return { statistic: NaN, p: NaN, method: "exact", n };
  }
  const column = (m: readonly (readonly number[])[], t: number) => m.map((row) => row[t]);
  const yColumns = Array.from({ length: steps }, (_, t) => column(y, t));
  const xColumns = Array.from({ length: steps }, (_, t) => column(x, t));
  const stat = (order: ArrayLike<number>) => {
    let sum = 0;
    for (let t = 0; t < steps; t++) {
      const xs = Array.from(order, (i) => xColumns[t][i]);
      sum += spearman(xs, yColumns[t]);
    }
    return sum / steps;
  };
  const observed = stat(Array.from({ length: n }, (_, i) => i));
  if (!Number.isFinite(observed)) return { statistic: NaN, p: NaN, method: "exact", n };
  let hits = 0, total = 0;
  if (n <= (opts.exactMax ?? 8)) {
    const perm = Array.from({ length: n }, (_, i) => i);
    // Heap's algorithm: every permutation once
    const c = new Array(n).fill(0);
    const visit = () => {
      total++;
      if (stat(perm) >= observed - 1e-12) hits++;
    };
    visit();
    for (let i = 1; i < n;) {
      if (c[i] < i) {
        const j = i % 2 ? c[i] : 0;
        [perm[j], perm[i]] = [perm[i], perm[j]];
        visit();
        c[i]++;
        i = 1;
      } else {
        c[i] = 0;
        i++;
      }
    }
    return { statistic: observed, p: hits / total, method: "exact", n };
  }
  const rng = new Rng(opts.seed ?? 0);
  const draws = opts.draws ?? 20000;
  for (let k = 0; k < draws; k++) if (stat(rng.permutation(n)) >= observed - 1e-12) hits++;
  return { statistic: observed, p: (1 + hits) / (1 + draws), method: "permutation", n };
}

/**
 * The verdicts' tests against SciPy 1.17.1's values (pasted; computed with `scipy.stats.wilcoxon`, `mannwhitneyu`,
 * `fisher_exact`, `spearmanr` and `t.ppf` on the same inputs).
 */
import assert from "node:assert/strict";
import {
  acrossSeedsTest,
  binomialTest,
  differencedSpearman,
  fisherExact,
  leaveOneSeedOut,
  mannWhitneyU,
  partialSpearman,
  tQuantile,
  wilcoxonSignedRank,
} from "../../repro/analysis/inference.ts";
import { spearman } from "../../repro/analysis/stats.ts";

const close = (actual: number, expected: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

Deno.test("Wilcoxon signed-rank: exact and normal p-values match SciPy's", () => {
  const x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  let r = wilcoxonSignedRank(x, y);
  assert.equal(r.statistic, 5);
  assert.equal(r.method, "exact");
  close(r.p, 0.0390625, "paired");
  r = wilcoxonSignedRank([0.3, -1.2, 2.5, 0.8, 1.9, -0.4, 3.1, 1.1]);
  assert.equal(r.statistic, 7);
  close(r.p, 0.1484375, "one sample");
  close(wilcoxonSignedRank([1, 2, 3, 4, 5]).p, 0.0625, "all positive, n = 5");
  // one-sided: the statistic is the positive rank sum
  r = wilcoxonSignedRank(x, y, "greater");
  assert.equal(r.statistic, 40);
  close(r.p, 0.01953125, "greater");
  close(wilcoxonSignedRank(x, y, "less").p, 0.986328125, "less");
  const big = [
    0.4257,
    0.1679,
    0.9404,
    0.4049,
    -0.2357,
    0.6616,
    1.604,
    1.2471,
    -0.4037,
    -0.9654,
    -0.3233,
    0.3413,
    -2.025,
    0.0812,
    -0.9459,
    -0.4323,
    -0.2443,
    -0.0163,
    0.7116,
    1.3425,
    0.1715,
    1.6665,
    -0.3652,
    0.6515,
    1.2035,
    0.394,
    -0.4435,
    -0.6217,
    -0.1577,
    0.5202,
  ];
  r = wilcoxonSignedRank(big.slice(0, 20));
  assert.equal(r.method, "exact");
  assert.equal(r.statistic, 86);
  close(r.p, 0.49800872802734375, "exact, n = 20");
  r = wilcoxonSignedRank(big);
  assert.equal(r.method, "normal");
  assert.equal(r.statistic, 173);
  close(r.p, 0.22102157481330342, "normal, n = 30", 1e-7);
  r = wilcoxonSignedRank(big, undefined, "greater");
  assert.equal(r.statistic, 292);
  close(r.p, 0.11051078740665171, "normal, n = 30, greater", 1e-7);
  // zero differences are dropped; none left: no test
  assert.equal(wilcoxonSignedRank([1, 2], [1, 2]).n, 0);
  assert.ok(Number.isNaN(wilcoxonSignedRank([1, 2], [1, 2]).p));
  assert.throws(() => wilcoxonSignedRank([1, 2], [1]), /Cannot pair 2 values with 1/);
});

Deno.test("Mann–Whitney U: exact and normal p-values match SciPy's, bimodal outcomes included", () => {
  // the no-BN GAN's bimodal final FIDs against a steady arm: no difference a rank test can see. With the tie
  // (630, 630) the exact null is conditional on the tied ranks: SciPy's permutation_test over all 252 splits gives
  // 0.6507936507936508 (its mannwhitneyu(method="exact") ignores ties: 0.6904761904761905)
  let r = mannWhitneyU([16, 17, 630, 630, 631], [60, 65, 70, 72, 80]);
  assert.equal(r.statistic, 15);
  close(r.p, 0.6507936507936508, "bimodal, tied");
  r = mannWhitneyU([1.1, 2.2, 3.3, 4.4], [0.5, 5.5, 6.6, 7.7, 8.8, 9.9]);
  assert.equal(r.statistic, 4);
  close(r.p, 0.11428571428571428, "4 vs 6");
  close(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 0.007936507936507936, "separated");
  close(mannWhitneyU([1.1, 2.2, 3.3, 4.4], [0.5, 5.5, 6.6, 7.7, 8.8, 9.9], "greater").p, 0.9666666666666667, "greater");
  close(mannWhitneyU([1.1, 2.2, 3.3, 4.4], [0.5, 5.5, 6.6, 7.7, 8.8, 9.9], "less").p, 0.05714285714285714, "less");
  const a = [
    -1.0096,
    -0.2092,
    -0.1592,
    0.5408,
    0.2147,
    0.3554,
    -0.6538,
    -0.1296,
    0.784,
    1.4934,
    -1.2591,
    1.5139,
    1.3459,
    0.7813,
    0.2645,
    -0.3139,
    1.458,
    1.9603,
    1.8016,
    1.3151,
    0.3574,
    -1.2083,
    -0.0045,
    0.6565,
    -1.2884,
  ];
  const b = [
    0.8951,
    0.9299,
    1.196,
    -0.6841,
    -0.1617,
    0.0636,
    -0.6698,
    2.2394,
    0.0041,
    0.829,
    0.2414,
    2.0835,
    1.8204,
    1.1334,
    -1.7035,
    0.552,
    1.1837,
    1.504,
    -0.1179,
    2.322,
    -0.8204,
    -0.1615,
  ];
  r = mannWhitneyU(a, b);
  assert.equal(r.method, "normal");
  assert.equal(r.statistic, 240);
  close(r.p, 0.4620091839383773, "normal, 25 vs 22", 1e-7);
  close(mannWhitneyU(a, b, "less").p, 0.23100459196918866, "normal, less", 1e-7);
  close(mannWhitneyU(a, b, "greater").p, 0.7754338909548366, "normal, greater", 1e-7);
});

Deno.test("Fisher's exact test matches SciPy's two-sided p-values", () => {
  const cases: [number, number, number, number, number][] = [
    [5, 0, 0, 5, 0.007936507936507938],
    [0, 5, 5, 0, 0.007936507936507938],
    [3, 2, 1, 4, 0.5238095238095238],
    [1, 9, 11, 3, 0.0027594561852200836],
    [4, 1, 2, 3, 0.5238095238095238],
  ];
  for (const [a, b, c, d, p] of cases) close(fisherExact(a, b, c, d).p, p, `[[${a}, ${b}], [${c}, ${d}]]`, 1e-7);
  assert.equal(fisherExact(3, 2, 1, 4).statistic, 6);
  assert.throws(() => fisherExact(1.5, 2, 3, 4), /counts must be whole/);
});

Deno.test("detrended correlations: Spearman on changes and with the iteration partialled out match SciPy's", () => {
  const est = [5.1, 4.0, 3.2, 3.0, 2.1, 2.4, 1.5, 1.2, 1.3, 0.9];
  const q = [600, 420, 300, 310, 200, 220, 150, 120, 140, 100];
  const t = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
  close(differencedSpearman(est, q), 0.9411764705882354, "Δ-Spearman");
  close(partialSpearman(est, q, t), 0.8139881369630423, "partial Spearman");
  // two series that only share a trend: perfect on levels, opposite once the trend is removed
  const trendA = t.map((v, i) => -v + [3, -1, 4, -1, 5, -9, 2, -6, 5, -3][i]);
  const trendB = t.map((v, i) => -v + [2, 7, -1, 8, -2, 8, -1, 8, -2, 8][i]);
  close(spearman(trendA, trendB), 1, "levels");
  close(differencedSpearman(trendA, trendB), -0.9404340465215376, "changes");
  assert.ok(Number.isNaN(partialSpearman(t, q, t)), "x monotone in t: nothing left to correlate");
});

Deno.test("Student-t quantiles match SciPy's; leave-one-seed-out lists the seeds that flip a verdict", () => {
  // jStat's inverse is good to ~2e-8 here
  close(tQuantile(0.975, 4), 2.7764451051977934, "df 4", 1e-7);
  close(tQuantile(0.975, 19), 2.0930240544083087, "df 19", 1e-7);
  close(tQuantile(0.975, 100), 1.9839715185235518, "df 100", 1e-7);
  assert.ok(Number.isNaN(tQuantile(0.975, 0)));
  const values: Record<number, number> = { 0: 1, 1: 1, 2: 1, 3: -5 };
  const verdict = (seeds: readonly number[]) => seeds.reduce((s, k) => s + values[k], 0) > 0 ? "up" : "down";
  assert.deepEqual(leaveOneSeedOut([0, 1, 2, 3], verdict), {
    all: "down",
    stable: false,
    flips: [{ seed: 3, verdict: "up" }],
  });
  assert.equal(leaveOneSeedOut([0, 1, 2], verdict).stable, true);
});

Deno.test("Fisher's exact test, one-sided, matches SciPy's (alternative='greater' and 'less')", () => {
  // scipy.stats.fisher_exact([[a, b], [c, d]], alternative=...)[1]
  const cases: [number, number, number, number, number, number][] = [
    [6, 0, 0, 6, 0.0010822510822510823, 1.0],
    [3, 3, 0, 6, 0.0909090909090909, 1.0],
    [5, 1, 1, 5, 0.04004329004329004, 0.9989177489177489],
    [2, 4, 5, 1, 0.9924242424242424, 0.12121212121212123],
    [0, 6, 6, 0, 1.0, 0.0010822510822510823],
  ];
  for (const [a, b, c, d, greater, less] of cases) {
    assert.ok(Math.abs(fisherExact(a, b, c, d, "greater").p - greater) < 1e-9, `${[a, b, c, d]} greater`);
    assert.ok(Math.abs(fisherExact(a, b, c, d, "less").p - less) < 1e-9, `${[a, b, c, d]} less`);
  }
});

Deno.test("across seeds: the exact permutation test matches an independent enumeration (scipy.stats.spearmanr)", () => {
  // statistic: mean over steps of Spearman's ρ across seeds; p: the share of the 5! (6!) seed permutations of x
  // with a statistic at least the observed one (computed in Python with itertools.permutations)
  const x = [[0.3, 0.2, 0.25], [0.5, 0.45, 0.4], [0.1, 0.15, 0.12], [0.9, 0.7, 0.8], [0.6, 0.65, 0.5]];
  const y = [[12, 11, 11.5], [20, 19, 18], [13, 14, 13.5], [30, 29, 28], [25, 24, 27]];
  const r = acrossSeedsTest(x, y);
  assert.ok(Math.abs(r.statistic - 0.9) < 1e-12);
  assert.ok(Math.abs(r.p - 0.041666666666666664) < 1e-12);
  assert.equal(r.method, "exact");
  const x2 = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4], [6, 6]];
  const y2 = [[2, 1], [1, 2], [3, 4], [4, 3], [6, 5], [5, 6]];
  const r2 = acrossSeedsTest(x2, y2);
  assert.ok(Math.abs(r2.statistic - 0.8285714285714286) < 1e-12);
  assert.ok(Math.abs(r2.p - 0.019444444444444445) < 1e-12);
  // past exactMax: seeded random permutations, the same p for the same seed, close to the exact one
  const mc = acrossSeedsTest(x2, y2, { exactMax: 4, draws: 20000 });
  assert.equal(mc.method, "permutation");
  assert.equal(mc.p, acrossSeedsTest(x2, y2, { exactMax: 4, draws: 20000 }).p);
  assert.ok(Math.abs(mc.p - 0.019444444444444445) < 0.005, String(mc.p));
  // too few seeds, or steps that do not line up: no test
  assert.ok(Number.isNaN(acrossSeedsTest(x.slice(0, 2), y.slice(0, 2)).p));
  assert.ok(Number.isNaN(acrossSeedsTest([[1], [2], [3, 4]], [[1], [2], [3]]).p));
});

Deno.test("the exact binomial test: one-sided tails counted by hand", () => {
  // P(X ≥ 12 | n = 16, ½) = (C(16,12) + C(16,13) + C(16,14) + C(16,15) + 1) / 2^16 = 2517 / 65536
  assert.ok(Math.abs(binomialTest(12, 16, 0.5, "greater").p - 2517 / 65536) < 1e-12);
  assert.ok(Math.abs(binomialTest(4, 16, 0.5, "less").p - 2517 / 65536) < 1e-12);
  // P(X ≤ 0 | n = 6, 0.4) = 0.6^6; P(X ≥ 6 | n = 6, 0.4) = 0.4^6
  assert.ok(Math.abs(binomialTest(0, 6, 0.4, "less").p - 0.6 ** 6) < 1e-12);
  assert.ok(Math.abs(binomialTest(6, 6, 0.4, "greater").p - 0.4 ** 6) < 1e-12);
  assert.equal(binomialTest(0, 6, 0.5, "greater").p, 1);
  assert.throws(() => binomialTest(7, 6, 0.5, "greater"), /need whole 0 ≤ k ≤ n/);
});

/**
 * Small statistics for the summary tables: means with Student-t 95%
 * confidence intervals, Pearson and Spearman correlation, medians.
 *
 * @module
 */

const T95 = [
  NaN,
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** Two-sided 95% Student-t critical value for `df` degrees of freedom. */
export function t95(df: number): number {
  return df < 1 ? NaN : df < T95.length ? T95[df] : 1.96;
}

/** Mean and half-width of the 95% confidence interval of the mean (NaN values ignored; NaN width for n < 2). */
export function meanCi(values: readonly number[]): { mean: number; ci95: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, ci95: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: t95(n - 1) * sd / Math.sqrt(n), n };
}

/** Pearson correlation; NaN when either side is constant or there are fewer than 3 pairs. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 3 || y.length !== n) return NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks with ties averaged (1-based). */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** Median of finite values (NaN if none). */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** "mean ± ci95" with `digits` decimals ("n/a" where undefined), as the tables print it. */
export function formatMeanCi(m: { mean: number; ci95: number }, digits = 2): string {
  return Number.isFinite(m.mean)
    ? `${m.mean.toFixed(digits)} ± ${Number.isFinite(m.ci95) ? m.ci95.toFixed(digits) : "n/a"}`
    : "n/a";
}

/**
 * Small statistics for the summary tables: means with Student-t 95%
 * confidence intervals (Fisher-z for correlations, log-scale for rates, so
 * intervals stay in range), Pearson and Spearman correlation, medians.
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

/** A mean with its 95% confidence interval [lo, hi] (`ci95`: half its width). */
export interface MeanCi {
  mean: number;
  ci95: number;
  n: number;
  lo: number;
  hi: number;
}

/** Mean and Student-t 95% confidence interval of the mean (NaN values ignored; NaN width for n < 2). */
export function meanCi(values: readonly number[]): MeanCi {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, ci95: NaN, n, lo: NaN, hi: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n, lo: NaN, hi: NaN };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const ci95 = t95(n - 1) * sd / Math.sqrt(n);
  return { mean, ci95, n, lo: mean - ci95, hi: mean + ci95 };
}

/**
 * Mean correlation over seeds with a 95% interval that stays inside [−1, 1]: the Student-t interval of the
 * Fisher z-transforms (atanh, with |ρ| capped at 0.9999), mapped back with tanh. The mean is tanh(mean z).
 */
export function correlationMeanCi(values: readonly number[]): MeanCi {
  const z = meanCi(values.filter(Number.isFinite).map((r) => Math.atanh(Math.max(-0.9999, Math.min(0.9999, r)))));
  const mean = Math.tanh(z.mean), lo = Math.tanh(z.lo), hi = Math.tanh(z.hi);
  return { mean, ci95: (hi - lo) / 2, n: z.n, lo, hi };
}

/** Mean of positive values with a 95% interval that stays positive (Student-t on their logarithms). */
export function positiveMeanCi(values: readonly number[]): MeanCi {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  const m = meanCi(v), l = meanCi(v.map(Math.log));
  const lo = Math.exp(l.lo), hi = Math.exp(l.hi);
  return { mean: m.mean, ci95: (hi - lo) / 2, n: m.n, lo, hi };
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

/**
 * "mean ± ci95" with `digits` decimals, or "mean [lo, hi]" when the interval is not symmetric (correlations,
 * rates); "n/a" where undefined.
 */
export function formatMeanCi(m: { mean: number; ci95: number; lo?: number; hi?: number }, digits = 2): string {
  if (!Number.isFinite(m.mean)) return "n/a";
  if (!Number.isFinite(m.ci95)) return `${m.mean.toFixed(digits)} ± n/a`;
  const lo = m.lo ?? m.mean - m.ci95, hi = m.hi ?? m.mean + m.ci95;
  const symmetric = Math.abs((hi - m.mean) - (m.mean - lo)) <= 1e-9 * Math.max(1, Math.abs(m.mean));
  return symmetric
    ? `${m.mean.toFixed(digits)} ± ${m.ci95.toFixed(digits)}`
    : `${m.mean.toFixed(digits)} [${lo.toFixed(digits)}, ${hi.toFixed(digits)}]`;
}

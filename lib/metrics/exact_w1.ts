/**
 * Exact Wasserstein-1 distance between two equally sized point sets: the mean
 * Euclidean cost of the optimal one-to-one assignment, found with the
 * Hungarian algorithm (O(n³); 512 points take well under a second).
 *
 * @module
 */

/**
 * Minimum-cost perfect matching of a square cost matrix (row-major `n × n`).
 * Returns `assignment[row] = column`.
 */
export function optimalAssignment(cost: Float64Array, n: number): Int32Array {
  if (cost.length !== n * n) {
    throw new RangeError(`Cannot match: a ${n}x${n} cost matrix needs ${n * n} entries, got ${cost.length}`);
  }
  // Shortest augmenting paths with potentials (1-based, column 0 is a sentinel).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[col] = row matched to col
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      const rowOffset = (i0 - 1) * n - 1;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[rowOffset + j] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Int32Array(n);
  for (let j = 1; j <= n; j++) assignment[p[j] - 1] = j - 1;
  return assignment;
}

/**
 * Exact W1 between point sets `a` and `b` (flattened, `dim` coordinates per
 * point, the same number of points in each) under the Euclidean metric.
 *
 * @example
 * ```ts
 * import { exactW1 } from "wgan-bench";
 * // Shifting every point by (3, 4) costs exactly 5.
 * const a = new Float32Array([0, 0, 1, 1, 2, 0]);
 * const b = a.map((x, i) => x + (i % 2 === 0 ? 3 : 4));
 * if (Math.abs(exactW1(a, b, 2) - 5) > 1e-9) throw new Error("expected 5");
 * ```
 */
export function exactW1(a: Float32Array, b: Float32Array, dim: number): number {
  if (a.length !== b.length || a.length % dim !== 0 || a.length === 0) {
    throw new RangeError(
      `Cannot compute exact W1: sets of ${a.length / dim} and ${
        b.length / dim
      } points of dimension ${dim} (need equal, non-empty sets)`,
    );
  }
  const n = a.length / dim;
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = a[i * dim + k] - b[j * dim + k];
        s += d * d;
      }
      cost[i * n + j] = Math.sqrt(s);
    }
  }
  const match = optimalAssignment(cost, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + match[i]];
  return total / n;
}

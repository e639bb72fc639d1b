/**
 * Fused kernels for what a DCGAN step spends most of its element-wise time
 * on, each one pass (or two) over the data instead of a chain of tfjs ops
 * that each allocate a full-size tensor:
 *
 * - batch norm with batch statistics over every axis but the last (channels):
 *   forward (statistics + normalise + scale/shift) and backward (dx, dγ, dβ);
 * - the ReLU and LeakyReLU gradients (tfjs composes them from step/cast/mul or
 *   greater/select/mul).
 *
 * Only the native backend registers them; `lib/models/layers.ts` and
 * `lib/backend/gradient_fixes.ts` use them when the active backend has them.
 *
 * @module
 */
import { allocOutput } from "./pool.ts";
import { f32, type Kernel, size } from "./kernel_util.ts";
import type { OneDnn } from "./onednn.ts";
import { allFinite, dnnlMinElements, onDnnl } from "./elementwise.ts";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  BROADCAST_KERNEL,
  LEAKY_RELU_GRAD_KERNEL,
} from "../kernel_names.ts";

/**
 * Batch norm on oneDNN (its JIT kernels) from this many elements: in the `mnist-mlp` critic step (one thread, two
 * calls each on 64 × 7 × 7 × 32) forward and backward together took 0.30 ms against the loops' 1.47 ms. Statistics
 * in float32 in oneDNN's order, where the loops accumulate in float64: the outputs agree to ~1e-6 relative (tested
 * against float64 formulas and tfjs's composite). The loops remain where oneDNN has no vectorised kernel.
 */
export const DNNL_BATCH_NORM_MIN_ELEMENTS = 4096;

/**
 * Per-channel statistics and normalisation of `x` viewed as rows × C:
 * mean, biased variance (as `tf.moments`), `y = (x − mean)·γ/√(var + ε) + β`.
 * On oneDNN when given and `x` is large enough, else loops that accumulate in float64.
 */
function batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number, dnnl?: OneDnn) {
  const c = gamma.length, rows = x.length / c;
  const y = allocOutput(x.length), mean = new Float32Array(c), variance = new Float32Array(c);
  if (
    dnnl && x.length >= DNNL_BATCH_NORM_MIN_ELEMENTS &&
    dnnl.batchNormForward(rows, eps, x, gamma, beta, y, mean, variance)
  ) {
    return { y, mean, variance };
  }
  const acc = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0; k < c; k++, i++) acc[k] += x[i];
  for (let k = 0; k < c; k++) mean[k] = acc[k] / rows;
  acc.fill(0);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) {
      const d = x[i] - mean[k];
      acc[k] += d * d;
    }
  }
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    variance[k] = acc[k] / rows;
    scale[k] = gamma[k] * Math.fround(1 / Math.sqrt(acc[k] / rows + eps));
    shift[k] = beta[k] - mean[k] * scale[k];
  }
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0; k < c; k++, i++) y[i] = x[i] * scale[k] + shift[k];
  return { y, mean, variance };
}

/**
 * Batch norm backward with invStd = 1/√(variance + ε), x̂ = (x − mean)·invStd and M rows:
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invStd/M · (M·dy − dβ − x̂·dγ). On oneDNN as the forward.
 */
function batchNormBackward(
  dy: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  eps: number,
  dnnl?: OneDnn,
) {
  const c = gamma.length, rows = x.length / c;
  const dx = allocOutput(x.length), dGamma = new Float32Array(c), dBeta = new Float32Array(c);
  if (
    dnnl && x.length >= DNNL_BATCH_NORM_MIN_ELEMENTS &&
    dnnl.batchNormBackward(rows, eps, x, dy, gamma, mean, variance, dx, dGamma, dBeta)
  ) return { dx, dGamma, dBeta };
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const sumDy = new Float64Array(c), sumDyXhat = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) {
      const g = dy[i];
      sumDy[k] += g;
      sumDyXhat[k] += g * (x[i] - mean[k]) * invStd[k];
    }
  }
  const a = new Float32Array(c), b = new Float32Array(c), d = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    dGamma[k] = sumDyXhat[k];
    dBeta[k] = sumDy[k];
    // dx = a·dy − b − d·(x − mean)
    a[k] = gamma[k] * invStd[k];
    b[k] = a[k] * sumDy[k] / rows;
    d[k] = a[k] * sumDyXhat[k] * invStd[k] / rows;
  }
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) dx[i] = a[k] * dy[i] - b[k] - d[k] * (x[i] - mean[k]);
  }
  return { dx, dGamma, dBeta };
}

/** Keeps `dy` where x > 0: a bitwise select on the float32 bit patterns (exact, branch-free). */
function selectWherePositive(g: Float32Array, xv: Float32Array, out: Float32Array): void {
  const gi = new Int32Array(g.buffer, g.byteOffset, g.length);
  const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < oi.length; i++) oi[i] ^= (gi[i] ^ oi[i]) & -(xv[i] > 0);
}

/** dy · step(x): dy where x > 0, dy · 0 elsewhere, NaN where x is NaN (tfjs's `mul(dy, step(x))`). */
function reluGradInto(g: Float32Array, xv: Float32Array, out: Float32Array): void {
  // x − x is 0 for finite x and NaN for NaN (and for +∞, which the select then replaces by dy); −∞ gives 0.
  // (A ternary that yields a NaN constant is ~10x slower in V8 than this arithmetic.)
  for (let i = 0; i < g.length; i++) {
    const x = xv[i];
    out[i] = g[i] * (x !== -Infinity ? x - x : 0);
  }
  selectWherePositive(g, xv, out);
}

/** where(x > 0, dy, dy · alpha) with alpha a float32 value (tfjs multiplies by a float32 scalar tensor). */
function leakyReluGradInto(g: Float32Array, xv: Float32Array, alpha: number, out: Float32Array): void {
  for (let i = 0; i < g.length; i++) out[i] = g[i] * alpha;
  selectWherePositive(g, xv, out);
}

/**
 * `x` broadcast to `shape` (same rank; each dimension of `x` is 1 or the target's): after merging dimensions,
 * each innermost run is one `fill` (a broadcast dimension) or one `set` (a copied one).
 */
function broadcastInto(x: Float32Array, xShape: readonly number[], shape: readonly number[], out: Float32Array): void {
  // merged dimensions, innermost last: [size, stride in x (0 where broadcast)]
  const dims: [number, number][] = [];
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    const s = xShape[d] === 1 ? 0 : stride;
    stride *= xShape[d];
    const inner = dims[0];
    if (inner && ((s === 0 && inner[1] === 0) || (s !== 0 && inner[1] !== 0 && s === inner[0] * inner[1]))) {
      inner[0] *= shape[d];
    } else dims.unshift([shape[d], s]);
  }
  if (dims.length === 0) {
    out[0] = x[0];
    return;
  }
  const [n, s] = dims[dims.length - 1];
  const outer = dims.slice(0, -1);
  const index = new Array<number>(outer.length).fill(0);
  let ix = 0;
  for (let w = 0; w < out.length; w += n) {
    if (s === 0) out.fill(x[ix], w, w + n);
    else out.set(x.subarray(ix, ix + n), w);
    for (let k = outer.length - 1; k >= 0; k--) {
      ix += outer[k][1];
      if (++index[k] < outer[k][0]) break;
      ix -= outer[k][1] * outer[k][0];
      index[k] = 0;
    }
  }
}

/**
 * The fused kernels, by name. With `dnnl`, large LeakyReLU gradients run on its eltwise backward primitive: the
 * same float32 values (`x > 0 ? dy : alpha·dy`, one rounding of a float32 product), vectorised and threaded, when
 * `x` has no NaN (oneDNN passes `dy` through where `x` is NaN; tfjs scales it by alpha).
 */
export function fusedKernels(dnnl?: OneDnn): Record<string, Kernel> {
  return {
    [BATCH_NORM_KERNEL]: (args) => {
      const { x, gamma, beta } = args.inputs;
      const { eps } = args.attrs as unknown as { eps: number };
      const c = gamma.shape[0];
      if (x.shape[x.shape.length - 1] !== c || size(beta.shape) !== c) {
        throw new Error(
          `${BATCH_NORM_KERNEL}: channels of x ${x.shape}, gamma ${gamma.shape}, beta ${beta.shape} differ`,
        );
      }
      const xv = f32(args.backend, x), g = f32(args.backend, gamma), b = f32(args.backend, beta);
      const r = batchNormForward(xv, g, b, eps, dnnl);
      return [
        args.backend.makeTensorInfo([...x.shape], "float32", r.y),
        args.backend.makeTensorInfo([c], "float32", r.mean),
        args.backend.makeTensorInfo([c], "float32", r.variance),
      ];
    },
    [BATCH_NORM_GRAD_KERNEL]: (args) => {
      const { dy, x, gamma, mean, variance } = args.inputs;
      const { eps } = args.attrs as unknown as { eps: number };
      const v = (t: typeof x) => f32(args.backend, t);
      const r = batchNormBackward(v(dy), v(x), v(gamma), v(mean), v(variance), eps, dnnl);
      const c = gamma.shape[0];
      return [
        args.backend.makeTensorInfo([...x.shape], "float32", r.dx),
        args.backend.makeTensorInfo([c], "float32", r.dGamma),
        args.backend.makeTensorInfo([c], "float32", r.dBeta),
      ];
    },
    [BROADCAST_KERNEL]: (args) => {
      const { x } = args.inputs;
      const { shape } = args.attrs as unknown as { shape: number[] };
      if (x.shape.length !== shape.length || x.shape.some((n, d) => n !== 1 && n !== shape[d])) {
        throw new Error(`${BROADCAST_KERNEL}: cannot broadcast ${x.shape} to ${shape}`);
      }
      const out = allocOutput(size(shape));
      if (out.length > 0) broadcastInto(f32(args.backend, x), x.shape, shape, out);
      return args.backend.makeTensorInfo([...shape], "float32", out);
    },
    [LEAKY_RELU_GRAD_KERNEL]: (args) => {
      const { dy, x } = args.inputs;
      const { alpha } = args.attrs as unknown as { alpha: number };
      const g = f32(args.backend, dy), xv = f32(args.backend, x);
      const out = allocOutput(g.length);
      // The branch on the sign of x is unpredictable on activations: the "else" value first, then a bitwise select.
      if (alpha === 0) reluGradInto(g, xv, out);
      else if (
        !(dnnl && g.length >= dnnlMinElements(dnnl) &&
          onDnnl(dnnl, g.length, () => allFinite(dnnl, xv) && dnnl.leakyReluBackward(Math.fround(alpha), xv, g, out)))
      ) {
        leakyReluGradInto(g, xv, Math.fround(alpha), out);
      }
      return args.backend.makeTensorInfo([...x.shape], "float32", out);
    },
  };
}

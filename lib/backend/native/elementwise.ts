/**
 * Element-wise and reduction kernels for the native backend: the same
 * formulas as tfjs's cpu kernels, as tight monomorphic loops.
 *
 * Why: profiled on a DCGAN-32 critic step, tfjs's cpu kernels spend 15–25 ns
 * per element (a closure call and an integer modulo per element, and a
 * per-element index conversion whenever broadcasting is not a plain suffix,
 * e.g. a norm's `[1, 1, 1, C]` statistics), so once the products run in
 * OpenBLAS these kernels are most of a step. Each operation here is compiled
 * once (`new Function`) into its own loop, so V8 inlines the expression; shapes
 * are collapsed so broadcasting costs one stride per inner loop, not per
 * element.
 *
 * @module
 */
import type { BinaryOp, OneDnn, PassOp } from "./onednn.ts";
import type { Blas } from "./openblas.ts";
import type { tf } from "../engine.ts";
import type { CpuLikeBackend } from "./kernel_util.ts";
import { transpose } from "./transpose.ts";
import { allocOutput } from "./pool.ts";

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: CpuLikeBackend; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
type Fallback = (name: string) => Kernel;

type BinaryLoop = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array | Uint8Array,
  shape: number[],
  aStrides: number[],
  bStrides: number[],
) => void;

/**
 * Compiles `out = expr(x, y)` over a collapsed broadcast: the innermost
 * dimension is a tight loop with fixed strides, the outer ones an odometer.
 */
function compileBinary(expr: string): BinaryLoop {
  return new Function(
    "a",
    "b",
    "out",
    "shape",
    "aStrides",
    "bStrides",
    `"use strict";
    const rank = shape.length;
    const inner = shape[rank - 1];
    const sa = aStrides[rank - 1], sb = bStrides[rank - 1];
    const outer = out.length / inner;
    const index = new Int32Array(rank);
    let ia = 0, ib = 0, w = 0;
    for (let o = 0; o < outer; o++) {
      if (sa === 1 && sb === 1) {
        for (let i = 0; i < inner; i++) { const x = a[ia + i], y = b[ib + i]; out[w++] = ${expr}; }
      } else if (sa === 1 && sb === 0) {
        const y = b[ib];
        for (let i = 0; i < inner; i++) { const x = a[ia + i]; out[w++] = ${expr}; }
      } else if (sa === 0 && sb === 1) {
        const x = a[ia];
        for (let i = 0; i < inner; i++) { const y = b[ib + i]; out[w++] = ${expr}; }
      } else {
        for (let i = 0, ja = ia, jb = ib; i < inner; i++, ja += sa, jb += sb) {
          const x = a[ja], y = b[jb]; out[w++] = ${expr};
        }
      }
      for (let d = rank - 2; d >= 0; d--) {
        index[d]++;
        ia += aStrides[d];
        ib += bStrides[d];
        if (index[d] < shape[d]) break;
        ia -= aStrides[d] * shape[d];
        ib -= bStrides[d] * shape[d];
        index[d] = 0;
      }
    }`,
  ) as BinaryLoop;
}

/**
 * The broadcast of `aShape` with `bShape` as a collapsed problem: output
 * shape and the strides of each operand over it (0 along broadcast
 * dimensions), with neighbouring dimensions merged wherever both operands
 * step through them contiguously or both repeat. Undefined if the shapes do
 * not broadcast.
 */
export function broadcastPlan(
  aShape: readonly number[],
  bShape: readonly number[],
): { outShape: number[]; shape: number[]; aStrides: number[]; bStrides: number[] } | undefined {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = [...Array(rank - aShape.length).fill(1), ...aShape];
  const pb = [...Array(rank - bShape.length).fill(1), ...bShape];
  const outShape: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (pa[d] !== pb[d] && pa[d] !== 1 && pb[d] !== 1) return undefined;
    outShape.push(pa[d] === 1 ? pb[d] : pa[d]); // 1 broadcasts to anything, 0 included
  }
  const full = (s: number[]) => {
    const strides = new Array<number>(rank);
    let acc = 1;
    for (let d = rank - 1; d >= 0; d--) {
      strides[d] = s[d] === 1 ? 0 : acc;
      acc *= s[d];
    }
    return strides;
  };
  const sa = full(pa), sb = full(pb);
  // Drop size-1 output dimensions, then merge d into d+1 when both operands' strides chain.
  const dims: { n: number; a: number; b: number }[] = [];
  for (let d = 0; d < rank; d++) if (outShape[d] !== 1) dims.push({ n: outShape[d], a: sa[d], b: sb[d] });
  if (dims.length === 0) dims.push({ n: 1, a: 0, b: 0 });
  const merged: { n: number; a: number; b: number }[] = [dims[dims.length - 1]];
  for (let i = dims.length - 2; i >= 0; i--) {
    const head = merged[0], d = dims[i];
    if (d.a === head.a * head.n && d.b === head.b * head.n) {
      merged[0] = { n: head.n * d.n, a: head.a, b: head.b };
    } else merged.unshift(d);
  }
  return {
    outShape,
    shape: merged.map((d) => d.n),
    aStrides: merged.map((d) => d.a),
    bStrides: merged.map((d) => d.b),
  };
}

/** tfjs's formulas (cpu backend, 4.22) for the binary kernels made native. */
const BINARY: Record<string, { expr: string; out: "float32" | "bool" }> = {
  Add: { expr: "x + y", out: "float32" },
  Sub: { expr: "x - y", out: "float32" },
  Multiply: { expr: "x * y", out: "float32" },
  RealDiv: { expr: "x / y", out: "float32" },
  Maximum: { expr: "(x > y || Number.isNaN(x)) ? x : y", out: "float32" },
  Minimum: { expr: "(x < y || Number.isNaN(x)) ? x : y", out: "float32" },
  SquaredDifference: { expr: "(x - y) * (x - y)", out: "float32" },
  Pow: { expr: "Math.pow(x, y)", out: "float32" },
  Greater: { expr: "+(x > y)", out: "bool" },
  GreaterEqual: { expr: "+(x >= y)", out: "bool" },
  Less: { expr: "+(x < y)", out: "bool" },
  LessEqual: { expr: "+(x <= y)", out: "bool" },
  Equal: { expr: "+(x === y)", out: "bool" },
  NotEqual: { expr: "+(x !== y)", out: "bool" },
};

type UnaryLoop = (x: Float32Array, out: Float32Array, p: number, q: number) => void;

function compileUnary(expr: string): UnaryLoop {
  return new Function(
    "xs",
    "out",
    "p",
    "q",
    `"use strict";
    const bound = Math.min(...[Math.abs(p), Math.abs(q)].filter((v) => v > 0));
    const LIMIT = Number.isFinite(bound) ? bound * 16777216 : Infinity;
    const n = xs.length;
    for (let i = 0; i < n; i++) { const x = xs[i]; out[i] = ${expr}; }`,
  ) as UnaryLoop;
}

/**
 * tfjs's formulas for the unary kernels made native; `p`, `q` are the
 * kernel's attributes. Kernels whose tfjs formula branches on the sign of `x`
 * are written branch-free (a comparison used as 0/1, `Math.abs`): on
 * activations and clipped weights the sign is unpredictable and V8 compiles
 * ternaries to jumps, measured 3–8x slower here. The results are the same
 * float32 values (checked against the cpu kernels in `tests/backend/native_test.ts`);
 * the only remaining branch tests for NaN/∞, which training never predicts wrong.
 */
const UNARY: Record<string, { expr: string; params?: (attrs: Record<string, unknown>) => [number, number] }> = {
  // (x + |x|) / 2 is exact in float64 for finite float32 x; ±∞ and NaN (x − x ≠ 0) take tfjs's ternary
  Relu: { expr: "x - x === 0 ? (x + Math.abs(x)) * 0.5 : x < 0 ? 0 : x" },
  Relu6: { expr: "x < 0 ? 0 : x > 6 ? 6 : x" },
  // relu(x) + alpha · min(x, 0): x for x ≥ 0, alpha · x below
  LeakyRelu: {
    expr: "x - x === 0 ? (x + Math.abs(x)) * 0.5 + p * ((x - Math.abs(x)) * 0.5) : x < 0 ? p * x : x",
    params: (a) => [a.alpha as number, 0],
  },
  Step: { expr: "x !== x ? NaN : +(x > 0) + p * +(x <= 0)", params: (a) => [a.alpha as number, 0] },
  // x + (lo − x)·[x < lo] + (hi − x)·[x > hi] is exact when lo − x and hi − x are (|x| < 2^24·min|bound|,
  // bounds pre-rounded to float32, which gives the values tfjs stores); other x take tfjs's ternary.
  ClipByValue: {
    expr: "Math.abs(x) < LIMIT ? x + (p - x) * +(x < p) + (q - x) * +(x > q) : x > q ? q : x < p ? p : x",
    params: (a) => [Math.fround(a.clipValueMin as number), Math.fround(a.clipValueMax as number)],
  },
  Neg: { expr: "-x" },
  Square: { expr: "x * x" },
  Sqrt: { expr: "Math.sqrt(x)" },
  Rsqrt: { expr: "1 / Math.sqrt(x)" },
  Reciprocal: { expr: "1 / x" },
  Exp: { expr: "Math.exp(x)" },
  Log: { expr: "Math.log(x)" },
  Abs: { expr: "Math.abs(x)" },
  Tanh: { expr: "Math.tanh(x)" },
  Sigmoid: { expr: "1 / (1 + Math.exp(-x))" },
  Elu: { expr: "x >= 0 ? x : Math.exp(x) - 1" },
};

function values(backend: CpuLikeBackend, t: tf.TensorInfo): Float32Array | undefined {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

/**
 * Binary kernels oneDNN computes for large tensors (IEEE float32 arithmetic, so the same values as the loops here,
 * vectorised and on every thread); Maximum/Minimum stay here for tfjs's NaN rule.
 */
const DNNL_BINARY: Record<string, { op: BinaryOp; commutative: boolean }> = {
  Add: { op: "add", commutative: true },
  Multiply: { op: "mul", commutative: true },
  Sub: { op: "sub", commutative: false },
  RealDiv: { op: "div", commutative: false },
};
/**
 * Unary kernels oneDNN computes for large tensors, as one eltwise op given the kernel's `p` (its attribute, as the
 * loops take it); `finiteOnly`: only where every element is finite ({@linkcode allFinite}; else the loop), because
 * oneDNN's value differs from tfjs's on NaN or ±∞ there. Measured on one thread (tests/backend/native_test.ts checks
 * the values):
 * - Tanh: V8's `Math.tanh` costs ~18 ns per element (a generator's 64 × 32 × 32 output: 1.2 ms per call, 2 of a
 *   width-16 DCGAN critic step's 16 ms); oneDNN's is ~40× faster, within one float32 ulp of `Math.tanh` rounded,
 *   NaN and ±∞ kept.
 * - Relu: ~6× faster on 262,144 elements; tfjs's exact values on finite inputs (`+0` below zero), but NaN → 0 and
 *   −∞ → 0 (so finite only).
 * - LeakyRelu: ~10× faster; computes α·x in float32 (tfjs: in float64, then rounded), so a negative input's output
 *   can differ by one ulp (~10% of them); NaN and ±∞ kept.
 */
const DNNL_UNARY: Record<string, { op: (p: number) => PassOp; finiteOnly?: boolean }> = {
  Tanh: { op: () => ({ eltwise: "tanh" }) },
  Relu: { op: () => ({ eltwise: "relu", alpha: 0 }), finiteOnly: true },
  LeakyRelu: { op: (alpha) => ({ eltwise: "relu", alpha }) },
};

/**
 * With several threads, oneDNN's element-wise primitives run on all of them from this many elements
 * ({@linkcode onDnnl}): below it, waking its OpenMP workers costs more than it saves, and between an MLP's matrix
 * products (OpenBLAS's own thread pool) the two pools contend for the cores. The threshold puts DCGAN activations at
 * width 64 (≥ 262,144 elements) and an MLP's large gradient sums on all threads (measurements: docs/measurements.md).
 */
export const DNNL_MIN_ELEMENTS = 131072;

/**
 * From this many elements element-wise work goes to oneDNN at all: its vectorised kernels beat the loops here on far
 * smaller tensors than those worth waking a second thread for, so tensors between the two thresholds run on oneDNN
 * with one thread whatever the backend's count (measurements: docs/measurements.md). Until issue #27 they ran on the
 * loops when the backend had two threads: ~6× slower per element, which made a two-thread WGAN-GP iteration slower
 * than a one-thread one.
 */
export const DNNL_SINGLE_THREAD_MIN_ELEMENTS = 8192;

/** The element count from which element-wise work goes to oneDNN (on one thread below {@linkcode DNNL_MIN_ELEMENTS}). */
export function dnnlMinElements(_dnnl?: OneDnn): number {
  return DNNL_SINGLE_THREAD_MIN_ELEMENTS;
}

/**
 * Runs oneDNN work on `n` elements: on every thread of the backend from {@linkcode DNNL_MIN_ELEMENTS} up, on one
 * below (OpenMP's thread count is set for the call and restored).
 */
export function onDnnl<T>(dnnl: OneDnn, n: number, work: () => T): T {
  const threads = dnnl.getThreads();
  if (threads === 1 || n >= DNNL_MIN_ELEMENTS) return work();
  dnnl.setThreads(1);
  try {
    return work();
  } finally {
    dnnl.setThreads(threads);
  }
}

/**
 * Work on every trainable variable once per step — weight clipping here, the optimizer updates in
 * `optimizer_kernels.ts` — runs on oneDNN from this many elements: clipping ~10× and the updates 4–5× faster than
 * the loops on a 784 × 512 weight.
 */
export const DNNL_PARAMETER_MIN_ELEMENTS = 16384;

/**
 * `out = clip(x, lo, hi)` by oneDNN when every element of `x` is finite; false otherwise (nothing written). oneDNN's
 * clip turns NaN into `lo` where tfjs keeps it, which would hide a diverged critic: a NaN or ±∞ anywhere makes the
 * sum non-finite (a finite sum's overflow only sends the tensor to the loop), and the loop gives tfjs's values.
 */
function clipFinite(dnnl: OneDnn, x: Float32Array, lo: number, hi: number, out: Float32Array): boolean {
  return allFinite(dnnl, x) && dnnl.pass([{ eltwise: "clip", alpha: lo, beta: hi }], [x], out);
}

/**
 * Whether oneDNN's vectorised sum of `x` is finite: true means no NaN or ±∞ in `x` (false may also be a finite
 * sum's overflow, or no vectorised sum). For kernels whose oneDNN version differs from tfjs only on those values.
 */
export function allFinite(dnnl: OneDnn, x: Float32Array): boolean {
  const total = new Float32Array(new ArrayBuffer(4));
  return dnnl.reduce("sum", [1, x.length], [1, 1], x, total) && Number.isFinite(total[0]);
}

/**
 * The native element-wise and reduction kernels; anything they do not cover goes to `fallback`. With `dnnl`,
 * large Add/Sub/Multiply/RealDiv run on oneDNN's binary primitive when one operand has the output's shape.
 */
export function elementwiseKernels(fallback: Fallback, dnnl?: OneDnn, blas?: Blas): Record<string, Kernel> {
  const kernels: Record<string, Kernel> = {};
  for (const [name, { expr, out }] of Object.entries(BINARY)) {
    const loop = compileBinary(expr);
    const viaDnnl = dnnl ? DNNL_BINARY[name] : undefined;
    kernels[name] = (args) => {
      const { a, b } = args.inputs;
      const av = a.dtype === "float32" ? values(args.backend, a) : undefined;
      const bv = b.dtype === "float32" ? values(args.backend, b) : undefined;
      const plan = av && bv ? broadcastPlan(a.shape, b.shape) : undefined;
      if (!av || !bv || !plan) return fallback(name)(args);
      let n = 1;
      for (const d of plan.outShape) n *= d;
      const result = out === "bool" ? new Uint8Array(n) : allocOutput(n);
      if (viaDnnl && n >= dnnlMinElements(dnnl) && (a.shape.length >= 2 || b.shape.length >= 2)) {
        const rank = plan.outShape.length;
        const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
        const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
        const full = (s: number[]) => s.every((d, i) => d === plan.outShape[i]);
        const run = (small: number[], big: Float32Array, other: Float32Array) => {
          // [d0 … dk, 1 … 1] (e.g. a per-sample factor) as [1, P, 1] against [1, P, Q]: oneDNN's per-channel
          // pattern, which it vectorises (its per-sample one is a slow reference loop)
          const k = small.findLastIndex((d) => d !== 1);
          const p = small.slice(0, k + 1).reduce((x, y) => x * y, 1);
          if (k >= 0 && small.slice(0, k + 1).every((d, i) => d === plan.outShape[i]) && p < n) {
            return dnnl!.binary(viaDnnl.op, [1, p, n / p], [1, p, 1], big, other, result as Float32Array);
          }
          return dnnl!.binary(viaDnnl.op, plan.outShape, small, big, other, result as Float32Array);
        };
        const done = onDnnl(
          dnnl!,
          n,
          () =>
            full(pa)
              ? run(pb, av, bv)
              : full(pb) && viaDnnl.commutative
              ? run(pa, bv, av)
              : full(pb) && name === "Sub" && av.length === 1
              // c − x (tanh's gradient: 1 − y²) as −(x − c): rounding to nearest is symmetric, so tfjs's value
              ? dnnl!.pass(
                [{ binary: "sub", scalar: true }, { eltwise: "linear", alpha: -1 }],
                [bv, av],
                result as Float32Array,
              )
              : false,
        );
        if (done) return args.backend.makeTensorInfo(plan.outShape, out, result);
      }
      if (n > 0) loop(av, bv, result, plan.shape, plan.aStrides, plan.bStrides);
      return args.backend.makeTensorInfo(plan.outShape, out, result);
    };
  }
  for (const [name, { expr, params }] of Object.entries(UNARY)) {
    const loop = compileUnary(expr);
    const clipViaDnnl = name === "ClipByValue" ? dnnl : undefined;
    const viaDnnl = dnnl ? DNNL_UNARY[name] : undefined;
    kernels[name] = (args) => {
      const { x } = args.inputs;
      const xv = x.dtype === "float32" ? values(args.backend, x) : undefined;
      if (!xv) return fallback(name)(args);
      const [p, q] = params ? params((args.attrs ?? {}) as Record<string, unknown>) : [0, 0];
      const result = allocOutput(xv.length);
      const done = viaDnnl && xv.length >= dnnlMinElements(dnnl)
        ? onDnnl(
          dnnl!,
          xv.length,
          () => (!viaDnnl.finiteOnly || allFinite(dnnl!, xv)) && dnnl!.pass([viaDnnl.op(p)], [xv], result),
        )
        : clipViaDnnl && xv.length >= DNNL_PARAMETER_MIN_ELEMENTS && clipFinite(clipViaDnnl, xv, p, q, result);
      if (!done) loop(xv, result, p, q);
      return args.backend.makeTensorInfo([...x.shape], "float32", result);
    };
  }
  kernels.Select = (args) => {
    const { condition, t, e } = args.inputs;
    const c = args.backend.data.get(condition.dataId).values;
    const tv = t.dtype === "float32" ? values(args.backend, t) : undefined;
    const ev = e.dtype === "float32" ? values(args.backend, e) : undefined;
    if (!(c instanceof Uint8Array) || !tv || !ev || c.length !== tv.length || tv.length !== ev.length) {
      return fallback("Select")(args);
    }
    // A bitwise select on the float32 bit patterns: exact for every value, and branch-free
    // (the condition of a LeakyReLU gradient is the sign of an activation: unpredictable).
    const result = allocOutput(tv.length);
    const ti = new Int32Array(tv.buffer, tv.byteOffset, tv.length);
    const ei = new Int32Array(ev.buffer, ev.byteOffset, ev.length);
    const ri = new Int32Array(result.buffer);
    for (let i = 0; i < ri.length; i++) ri[i] = ei[i] ^ ((ti[i] ^ ei[i]) & -c[i]);
    return args.backend.makeTensorInfo([...t.shape], "float32", result);
  };
  kernels.LogicalNot = (args) => {
    const { x } = args.inputs;
    const xv = args.backend.data.get(x.dataId).values;
    if (!(xv instanceof Uint8Array)) return fallback("LogicalNot")(args);
    const result = new Uint8Array(xv.length);
    for (let i = 0; i < result.length; i++) result[i] = (xv[i] !== 0 ? 1 : 0) ^ 1;
    return args.backend.makeTensorInfo([...x.shape], "bool", result);
  };
  // Gradients of comparisons and of the fused activation gradients are zeros the size of an activation
  kernels.ZerosLike = (args) => {
    const { x } = args.inputs;
    if (x.dtype !== "float32") return fallback("ZerosLike")(args);
    const n = x.shape.reduce((a, b) => a * b, 1);
    const result = allocOutput(n);
    result.fill(0); // a recycled buffer holds old values
    return args.backend.makeTensorInfo([...x.shape], "float32", result);
  };
  kernels.Sum = (args) => reduce(args, "sum", dnnl, blas) ?? fallback("Sum")(args);
  kernels.Mean = (args) => reduce(args, "mean", dnnl, blas) ?? fallback("Mean")(args);
  return kernels;
}

/**
 * Sum or mean of a float32 tensor over `axis`, accumulated in float64. The
 * shape is collapsed into runs of kept and reduced dimensions; one
 * "reduced outer, kept inner" or "kept outer, reduced inner" pattern is
 * computed directly, anything else returns undefined (tfjs's kernel).
 */
/** Σ x[start … start + n) in float64 (as tfjs's cpu kernel sums). */
function contiguousSum(x: Float32Array, start: number, n: number): number {
  let s = 0;
  for (let i = start; i < start + n; i++) s += x[i];
  return s;
}

/** A row of ones for sums as matrix products (grown on demand, never shrunk). */
let ones = new Float32Array(0);
function onesOf(n: number): Float32Array {
  if (ones.length < n) ones = new Float32Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones.subarray(0, n);
}

function reduce(args: KernelArgs, kind: "sum" | "mean", dnnl?: OneDnn, blas?: Blas): tf.TensorInfo | undefined {
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
  const xv = x.dtype === "float32" ? values(args.backend, x) : undefined;
  if (!xv) return undefined;
  const rank = x.shape.length;
  // tfjs passes null (or nothing) for "every axis"
  const axes = (axis == null ? x.shape.map((_, d) => d) : Array.isArray(axis) ? axis : [axis])
    .map((a) => (a < 0 ? a + rank : a));
  const reduced = x.shape.map((_, d) => axes.includes(d));
  const outShape = x.shape.filter((_, d) => !reduced[d]);
  const keptShape = x.shape.map((n, d) => (reduced[d] ? 1 : n));
  // Runs of [reduced?, size], ignoring size-1 dimensions.
  const runs: { reduced: boolean; n: number }[] = [];
  x.shape.forEach((n, d) => {
    if (n === 1) return;
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced[d]) last.n *= n;
    else runs.push({ reduced: reduced[d], n });
  });
  let reduceCount = 1;
  for (let d = 0; d < rank; d++) if (reduced[d]) reduceCount *= x.shape[d];
  if (reduceCount === 0 || xv.length === 0) return undefined;
  const result = allocOutput(xv.length / reduceCount);
  const innerOnly = runs.length === 1 ? runs[0].reduced : runs.length === 2 && !runs[0].reduced && runs[1].reduced;
  if (dnnl && xv.length >= dnnlMinElements(dnnl) && innerOnly && x.shape.length >= 2) {
    // contiguous rows (per-sample statistics, a penalty's per-sample squared norms): oneDNN's vectorised, threaded
    // kernel is ~10x faster than the loops below (64 × 3072 rows: 0.02 vs 0.18 ms, and 1.2 ms in a WGAN-GP step's
    // profile); for the other patterns (kept axes inside) it measured slower than they are
    const inShape = runs.map((r) => r.n), keep = runs.map((r) => (r.reduced ? 1 : r.n));
    if (onDnnl(dnnl, xv.length, () => dnnl.reduce(kind, inShape, keep, xv, result))) {
      return args.backend.makeTensorInfo(keepDims ? keptShape : outShape, "float32", result);
    }
  }
  // tfjs divides the sum by the count; so does this (s / count, not s * (1 / count)).
  const count = kind === "mean" ? reduceCount : 1;
  const outer = runs.length === 2 && runs[0].reduced, middle = runs.length === 3 && !runs[0].reduced;
  if (blas && xv.length >= dnnlMinElements(dnnl) && (outer || middle)) {
    // Kept axes inside (a bias or per-channel gradient over N, H, W; per-sample per-channel over H, W): a row of
    // ones times the [reduced × kept] matrix (per outer block), on OpenBLAS: measured ~6× faster than the float64
    // loops below on 64 × 16 × 16 × 128. Accumulates in float32, like oneDNN's sums above.
    const [k0, r, k1] = outer ? [1, runs[0].n, runs[1].n] : [runs[0].n, runs[1].n, runs[2].n];
    const row = onesOf(r);
    for (let a = 0; a < k0; a++) {
      blas.sgemm(false, false, 1, k1, r, row, xv.subarray(a * r * k1, (a + 1) * r * k1), result.subarray(a * k1));
    }
    if (count !== 1) { for (let i = 0; i < result.length; i++) result[i] /= count; }
    return args.backend.makeTensorInfo(keepDims ? keptShape : outShape, "float32", result);
  }
  if (runs.length === 0 || (runs.length === 1 && !runs[0].reduced)) {
    for (let i = 0; i < result.length; i++) result[i] = xv[i] / count;
  } else if (runs.length === 1 || (runs.length === 2 && !runs[0].reduced)) {
    // kept outer (maybe none), reduced inner: contiguous sums
    const inner = runs[runs.length - 1].n;
    for (let o = 0; o < result.length; o++) result[o] = contiguousSum(xv, o * inner, inner) / count;
  } else if (runs.length === 2 && runs[0].reduced) {
    // reduced outer, kept inner: row accumulation
    const outer = runs[0].n, inner = runs[1].n;
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * inner;
      for (let i = 0; i < inner; i++) acc[i] += xv[base + i];
    }
    for (let i = 0; i < inner; i++) result[i] = acc[i] / count;
  } else if (runs.length === 3 && !runs[0].reduced) {
    // kept, reduced, kept (e.g. a norm gradient reduced over H, W of NHWC): per outer block, row accumulation
    const [k0, r, k1] = [runs[0].n, runs[1].n, runs[2].n];
    const acc = new Float64Array(k1);
    for (let a = 0; a < k0; a++) {
      acc.fill(0);
      for (let j = 0; j < r; j++) {
        const base = (a * r + j) * k1;
        for (let i = 0; i < k1; i++) acc[i] += xv[base + i];
      }
      for (let i = 0; i < k1; i++) result[a * k1 + i] = acc[i] / count;
    }
  } else {
    // anything else: move the reduced axes innermost (the fast transpose), then contiguous sums
    const perm = [...x.shape.keys()].filter((d) => !reduced[d]).concat([...x.shape.keys()].filter((d) => reduced[d]));
    const moved = transpose(xv, x.shape, perm);
    for (let o = 0; o < result.length; o++) result[o] = contiguousSum(moved, o * reduceCount, reduceCount) / count;
  }
  return args.backend.makeTensorInfo(keepDims ? keptShape : outShape, "float32", result);
}

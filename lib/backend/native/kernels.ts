/**
 * The kernels the native backend replaces: matrix products and convolutions on
 * OpenBLAS `sgemm` (convolutions as im2col/col2im around one product), a
 * strided transpose, and fused optimizer updates. Everything else is tfjs's
 * own cpu kernel, registered unchanged.
 *
 * Layout facts used throughout: tfjs stores tensors row-major; conv2d is NHWC
 * with filters `[kh, kw, inChannels, outChannels]`, so an im2col row ordered
 * `(ky, kx, c)` times the filter viewed as a `(kh·kw·inC) × outC` matrix is one
 * output pixel, and the output matrix `(n·oh·ow) × outC` is already NHWC.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Blas } from "./openblas.ts";
import { allocOutput } from "./pool.ts";

/** The part of tfjs's cpu backend the kernels use. */
export interface CpuLikeBackend {
  data: { get(dataId: unknown): { values: unknown; dtype: string } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: CpuLikeBackend; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Names of the fused optimizer kernels (only the native backend registers them). */
export const RMSPROP_KERNEL = "WganBenchRMSPropUpdate";
export const ADAM_KERNEL = "WganBenchAdamUpdate";

function f32(backend: CpuLikeBackend, t: tf.TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  if (values instanceof Float32Array) return values;
  throw new TypeError(`native kernel expected float32 data, got ${t.dtype}`);
}

function size(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** A scratch buffer reused across calls (kernels run synchronously on one thread). */
let scratch = new Float32Array(0);
function scratchOf(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(Math.max(length, Math.ceil(scratch.length * 1.5)));
  return scratch.subarray(0, length);
}

/** Builds the native kernels over `blas`; `fallback(name)` is tfjs's cpu kernel of that name. */
export function nativeKernels(blas: Blas, fallback: (name: string) => Kernel): Record<string, Kernel> {
  const matMulInto = (
    a: tf.TensorInfo,
    b: tf.TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    backend: CpuLikeBackend,
  ): tf.TensorInfo | undefined => {
    if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
    const ra = a.shape.length, rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) {
      throw new Error(
        `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = size(outerA), batchB = size(outerB);
    // Batch broadcasting beyond "same batch" or "one side unbatched" goes to the cpu kernel.
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    if (size(outer) !== Math.max(batchA, batchB)) return undefined;
    const batch = Math.max(batchA, batchB);
    const av = f32(backend, a), bv = f32(backend, b);
    const out = k > 0 ? allocOutput(batch * m * n) : new Float32Array(batch * m * n); // k = 0: zeros
    if (batchB === 1 && !transposeA && batch > 1) {
      // One product: the batched rows of `a` stacked into a (batch·m) × k matrix.
      blas.sgemm(false, transposeB, batch * m, n, k, av, bv, out);
    } else {
      for (let i = 0; i < batch; i++) {
        blas.sgemm(
          transposeA,
          transposeB,
          m,
          n,
          k,
          batchA === 1 ? av : av.subarray(i * m * k, (i + 1) * m * k),
          batchB === 1 ? bv : bv.subarray(i * k * n, (i + 1) * k * n),
          out.subarray(i * m * n, (i + 1) * m * n),
        );
      }
    }
    return backend.makeTensorInfo([...outer, m, n], "float32", out);
  };

  const batchMatMul: Kernel = (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    return matMulInto(a, b, transposeA, transposeB, args.backend) ?? fallback("BatchMatMul")(args);
  };

  /** Bias and activation after a native product, by tfjs's own cpu kernels. */
  const epilogue = (
    y: tf.TensorInfo,
    args: KernelArgs,
  ): tf.TensorInfo => {
    const bias = args.inputs.bias as tf.TensorInfo | undefined;
    const preluActivationWeights = args.inputs.preluActivationWeights as tf.TensorInfo | undefined;
    const { activation, leakyreluAlpha } = args.attrs as unknown as { activation: string; leakyreluAlpha?: number };
    const backend = args.backend;
    let current = y;
    const replace = (next: tf.TensorInfo) => {
      backend.disposeIntermediateTensorInfo(current);
      current = next;
    };
    if (bias) replace(fallback("Add")({ inputs: { a: current, b: bias }, backend }) as tf.TensorInfo);
    const unary: Record<string, string> = { relu: "Relu", relu6: "Relu6", elu: "Elu", sigmoid: "Sigmoid" };
    if (activation && activation !== "linear") {
      if (unary[activation]) replace(fallback(unary[activation])({ inputs: { x: current }, backend }) as tf.TensorInfo);
      else if (activation === "leakyrelu") {
        replace(
          fallback("LeakyRelu")({
            inputs: { x: current },
            backend,
            attrs: { alpha: leakyreluAlpha ?? 0.2 },
          }) as tf.TensorInfo,
        );
      } else if (activation === "prelu") {
        if (!preluActivationWeights) throw new Error("Activation prelu needs preluActivationWeights");
        replace(fallback("Prelu")({ inputs: { x: current, alpha: preluActivationWeights }, backend }) as tf.TensorInfo);
      } else throw new Error(`Activation ${activation} has not been implemented for the native backend.`);
    }
    return current;
  };

  const fusedMatMul: Kernel = (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const y = matMulInto(a, b, transposeA, transposeB, args.backend);
    return y ? epilogue(y, args) : fallback("_FusedMatMul")(args);
  };

  const conv2D: Kernel = (args) => {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs;
    const info = convInfo(x.shape, filter.shape, a);
    if (!info || x.dtype !== "float32" || filter.dtype !== "float32") return fallback("Conv2D")(args);
    const out = allocOutput(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    convForward(blas, info, f32(args.backend, x), f32(args.backend, filter), out);
    return args.backend.makeTensorInfo(
      [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      "float32",
      out,
    );
  };

  const fusedConv2D: Kernel = (args) => {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs;
    const info = convInfo(x.shape, filter.shape, a);
    if (!info || x.dtype !== "float32" || filter.dtype !== "float32") return fallback("FusedConv2D")(args);
    const out = allocOutput(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    convForward(blas, info, f32(args.backend, x), f32(args.backend, filter), out);
    const y = args.backend.makeTensorInfo(
      [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      "float32",
      out,
    );
    return epilogue(y, args);
  };

  const conv2DBackpropInput: Kernel = (args) => {
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    const info = convInfo(a.inputShape, filter.shape, a);
    if (!info || dy.dtype !== "float32" || filter.dtype !== "float32") return fallback("Conv2DBackpropInput")(args);
    const dx = allocOutput(size(a.inputShape)); // col2im zeroes it; the pointwise product overwrites it
    convBackpropInput(blas, info, f32(args.backend, dy), f32(args.backend, filter), dx);
    return args.backend.makeTensorInfo([...a.inputShape], "float32", dx);
  };

  const conv2DBackpropFilter: Kernel = (args) => {
    const { x, dy } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    const info = convInfo(x.shape, a.filterShape, a);
    if (!info || dy.dtype !== "float32" || x.dtype !== "float32") return fallback("Conv2DBackpropFilter")(args);
    const dw = dy.shape[0] > 0 ? allocOutput(size(a.filterShape)) : new Float32Array(size(a.filterShape));
    convBackpropFilter(blas, info, f32(args.backend, x), f32(args.backend, dy), dw);
    return args.backend.makeTensorInfo([...a.filterShape], "float32", dw);
  };

  const transposeKernel: Kernel = (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const values = args.backend.data.get(x.dataId).values;
    if (x.dtype === "string" || !ArrayBuffer.isView(values)) return fallback("Transpose")(args);
    const out = transpose(values as Float32Array, x.shape, perm);
    return args.backend.makeTensorInfo(perm.map((p) => x.shape[p]), x.dtype, out);
  };

  const rmsprop: Kernel = (args) => {
    const { param, grad, sq } = args.inputs;
    const { lr, alpha, eps } = args.attrs as unknown as { lr: number; alpha: number; eps: number };
    const p = f32(args.backend, param), g = f32(args.backend, grad), s = f32(args.backend, sq);
    const newP = allocOutput(p.length), newS = allocOutput(p.length);
    const beta = 1 - alpha;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const v = Math.fround(alpha * s[i] + beta * gi * gi);
      newS[i] = v;
      newP[i] = p[i] - lr * (gi / (Math.sqrt(v) + eps));
    }
    return [
      args.backend.makeTensorInfo([...param.shape], "float32", newP),
      args.backend.makeTensorInfo([...param.shape], "float32", newS),
    ];
  };

  const adam: Kernel = (args) => {
    const { param, grad, m1, m2 } = args.inputs;
    const { lr, beta1, beta2, eps, step } = args.attrs as unknown as {
      lr: number;
      beta1: number;
      beta2: number;
      eps: number;
      step: number;
    };
    const p = f32(args.backend, param), g = f32(args.backend, grad);
    const a1 = f32(args.backend, m1), a2 = f32(args.backend, m2);
    const n = p.length;
    const newP = allocOutput(n), newM = allocOutput(n), newV = allocOutput(n);
    const bc1 = 1 - beta1 ** step;
    const bc2 = Math.sqrt(1 - beta2 ** step);
    const stepSize = lr / bc1;
    const c1 = 1 - beta1, c2 = 1 - beta2;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const m = Math.fround(beta1 * a1[i] + c1 * gi);
      const v = Math.fround(beta2 * a2[i] + c2 * gi * gi);
      newM[i] = m;
      newV[i] = v;
      newP[i] = p[i] - stepSize * (m / (Math.sqrt(v) / bc2 + eps));
    }
    const shape = [...param.shape];
    return [
      args.backend.makeTensorInfo(shape, "float32", newP),
      args.backend.makeTensorInfo(shape, "float32", newM),
      args.backend.makeTensorInfo(shape, "float32", newV),
    ];
  };

  return {
    BatchMatMul: batchMatMul,
    _FusedMatMul: fusedMatMul,
    Conv2D: conv2D,
    FusedConv2D: fusedConv2D,
    Conv2DBackpropInput: conv2DBackpropInput,
    Conv2DBackpropFilter: conv2DBackpropFilter,
    Transpose: transposeKernel,
    [RMSPROP_KERNEL]: rmsprop,
    [ADAM_KERNEL]: adam,
  };
}

/** Attributes of tfjs's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels. */
interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** Geometry of one NHWC convolution. */
interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

function convInfo(xShape: readonly number[], filterShape: readonly number[], a: ConvAttrs): ConvGeometry | undefined {
  if (a.dataFormat === "NCHW") return undefined; // tfjs's cpu kernel handles channels-first
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** True when the im2col matrix is the input itself (1×1 filter, stride 1, no padding). */
function isPointwise(g: ConvGeometry): boolean {
  return g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0;
}

/** Copies every receptive field of `x` into a row of `cols` ((n·oh·ow) × (kh·kw·c)); padding reads as 0. */
function im2col(g: ConvGeometry, x: Float32Array, cols: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const rowLength = KH * KW * C;
  const run = KW * C; // with dilation 1, one filter row reads KW·C consecutive input values
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const imageBase = n * H * W * C;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const interior = g.dilationWidth === 1 && x0 >= 0 && x0 + KW <= W;
        let dst = row * rowLength;
        for (let ky = 0; ky < KH; ky++) {
          const iy = y0 + ky * g.dilationHeight;
          if (iy < 0 || iy >= H) {
            cols.fill(0, dst, dst + run);
            dst += run;
            continue;
          }
          if (interior) {
            const src = imageBase + (iy * W + x0) * C;
            if (run >= 64) cols.set(x.subarray(src, src + run), dst);
            else for (let i = 0; i < run; i++) cols[dst + i] = x[src + i];
            dst += run;
            continue;
          }
          for (let kx = 0; kx < KW; kx++, dst += C) {
            const ix = x0 + kx * g.dilationWidth;
            if (ix < 0 || ix >= W) {
              cols.fill(0, dst, dst + C);
              continue;
            }
            const src = imageBase + (iy * W + ix) * C;
            for (let c = 0; c < C; c++) cols[dst + c] = x[src + c];
          }
        }
      }
    }
  }
}

/** The adjoint of {@linkcode im2col}: adds each row of `cols` back onto the pixels it came from. */
function col2im(g: ConvGeometry, cols: Float32Array, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const rowLength = KH * KW * C;
  const run = KW * C;
  dx.fill(0);
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const imageBase = n * H * W * C;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const interior = g.dilationWidth === 1 && x0 >= 0 && x0 + KW <= W;
        const rowBase = row * rowLength;
        for (let ky = 0; ky < KH; ky++) {
          const iy = y0 + ky * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          if (interior) {
            const src = rowBase + ky * run;
            const dst = imageBase + (iy * W + x0) * C;
            for (let i = 0; i < run; i++) dx[dst + i] += cols[src + i];
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = x0 + kx * g.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const src = rowBase + (ky * KW + kx) * C;
            const dst = imageBase + (iy * W + ix) * C;
            for (let c = 0; c < C; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}

/** The im2col matrix of `x` ((n·oh·ow) × (kh·kw·c)) in the scratch buffer, or `x` itself for a pointwise filter. */
function columns(g: ConvGeometry, x: Float32Array): { cols: Float32Array; rows: number; k: number } {
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  if (isPointwise(g)) return { cols: x, rows, k };
  const cols = scratchOf(rows * k);
  im2col(g, x, cols);
  return { cols, rows, k };
}

function convForward(blas: Blas, g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const { cols, rows, k } = columns(g, x);
  blas.sgemm(false, false, rows, g.outChannels, k, cols, w, out);
}

function convBackpropFilter(blas: Blas, g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { cols, rows, k } = columns(g, x);
  blas.sgemm(true, false, k, g.outChannels, rows, cols, dy, dw);
}

function convBackpropInput(blas: Blas, g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  if (isPointwise(g)) {
    blas.sgemm(false, true, rows, k, g.outChannels, dy, w, dx);
    return;
  }
  const cols = scratchOf(rows * k);
  blas.sgemm(false, true, rows, k, g.outChannels, dy, w, cols);
  col2im(g, cols, dx);
}

/** `x` (row-major, `shape`) with its axes permuted by `perm`, into a new array of the same type. */
export function transpose<T extends Float32Array | Int32Array | Uint8Array>(
  x: T,
  shape: readonly number[],
  perm: readonly number[],
): T {
  const rank = shape.length;
  const out = new (x.constructor as { new (n: number): T })(x.length);
  if (x.length === 0) return out;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]);
  const srcStride = perm.map((p) => strides[p]);
  if (rank === 0) {
    out[0] = x[0];
    return out;
  }
  const inner = outShape[rank - 1];
  const innerStride = srcStride[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let base = 0;
  let w = 0;
  const outer = x.length / inner;
  for (let o = 0; o < outer; o++) {
    if (innerStride === 1) {
      out.set(x.subarray(base, base + inner), w);
      w += inner;
    } else {
      for (let i = 0, r = base; i < inner; i++, r += innerStride) out[w++] = x[r];
    }
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      base += srcStride[d];
      if (index[d] < outShape[d]) break;
      base -= srcStride[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

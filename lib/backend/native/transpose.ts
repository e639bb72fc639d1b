/**
 * A strided transpose for any rank and dtype, and the Transpose kernel on it.
 *
 * @module
 */
import type { Fallback, Kernel } from "./kernel_util.ts";

/** The Transpose kernel (string tensors go to the cpu kernel). */
export function transposeKernel(fallback: Fallback): Kernel {
  return (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const values = args.backend.data.get(x.dataId).values;
    if (x.dtype === "string" || !ArrayBuffer.isView(values)) return fallback("Transpose")(args);
    const out = transpose(values as Float32Array, x.shape, perm);
    return args.backend.makeTensorInfo(perm.map((p) => x.shape[p]), x.dtype, out);
  };
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

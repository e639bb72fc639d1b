/**
 * Matrix products on OpenBLAS `sgemm`: BatchMatMul (batched, or stacked into
 * one product when one side is unbatched) and _FusedMatMul (bias and
 * activation by tfjs's cpu kernels).
 *
 * @module
 */
import { tf } from "../engine.ts";
import type { Blas } from "./openblas.ts";
import { allocOutput } from "./pool.ts";
import { type CpuLikeBackend, epilogue, f32, type Fallback, type Kernel, size } from "./kernel_util.ts";

/** BatchMatMul and _FusedMatMul over `blas`. */
export function matMulKernels(blas: Blas, fallback: Fallback): Record<string, Kernel> {
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

  const fusedMatMul: Kernel = (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const y = matMulInto(a, b, transposeA, transposeB, args.backend);
    return y ? epilogue(y, args, fallback) : fallback("_FusedMatMul")(args);
  };

  return { BatchMatMul: batchMatMul, _FusedMatMul: fusedMatMul };
}

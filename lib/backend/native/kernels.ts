/**
 * The kernels the native backend replaces: matrix products and convolutions on
 * OpenBLAS `sgemm` (convolutions on oneDNN when it is installed), a strided transpose, block-copy concatenation,
 * fused optimizer updates, and fused batch norm and activation gradients.
 * Everything else is tfjs's own cpu kernel (or `elementwise.ts`'s), registered
 * unchanged.
 *
 * @module
 */
import type { Blas } from "./openblas.ts";
import type { OneDnn } from "./onednn.ts";
import type { Fallback, Kernel } from "./kernel_util.ts";
import { matMulKernels } from "./matmul_kernels.ts";
import { convKernels } from "./conv_kernels.ts";
import { optimizerKernels } from "./optimizer_kernels.ts";
import { transposeKernel } from "./transpose.ts";
import { fusedKernels } from "./fused_kernels.ts";
import { concatKernel } from "./concat.ts";

export type { CpuLikeBackend } from "./kernel_util.ts";
export { transpose } from "./transpose.ts";

/**
 * Builds the native kernels over `blas` (and `dnnl` for convolutions, when
 * present); `fallback(name)` is tfjs's cpu kernel of that name.
 */
export function nativeKernels(blas: Blas, dnnl: OneDnn | undefined, fallback: Fallback): Record<string, Kernel> {
  return {
    ...matMulKernels(blas, fallback),
    ...convKernels(blas, dnnl, fallback),
    Transpose: transposeKernel(fallback),
    Concat: concatKernel(fallback),
    ...optimizerKernels(dnnl),
    ...fusedKernels(dnnl),
  };
}

/**
 * Backends and the gradient fixes that make WGAN training correct on them.
 *
 * @module
 */
export { type Scalar, type Tensor, tf, type Variable } from "./tf.ts";
export {
  ALL_GRADIENT_FIXES,
  applyGradientFixes,
  conv2dFilterGradViaConv,
  type GradientFix,
  restoreStockGradients,
} from "./gradient_fixes.ts";
export {
  availableBackends,
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  BackendUnavailableError,
  selectBackend,
} from "./select.ts";
export { chooseGemm, type Gemm, type NativeRegistration, registerNativeBackend } from "./native/native_backend.ts";
export { type Blas, type BlasLoad, loadBlas } from "./native/openblas.ts";
export { type ConvKind, loadOneDnn, type OneDnn, type OneDnnLoad } from "./native/onednn.ts";
export { setPoolLimit } from "./native/pool.ts";
export {
  describeAdapter,
  deviceRequest,
  registerWebGpuBackend,
  type WebGpuAdapterFacts,
  webGpuAdapterFacts,
} from "./webgpu.ts";

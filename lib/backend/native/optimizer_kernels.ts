/**
 * Fused optimizer updates: one pass per variable instead of nine tensor ops.
 * `lib/optim` dispatches them when the active backend registers them (only
 * the native backend does); the arithmetic is PyTorch's, in float32.
 *
 * @module
 */
import { allocOutput } from "./pool.ts";
import { f32, type Kernel } from "./kernel_util.ts";

/** Names of the fused optimizer kernels (only the native backend registers them). */
export const RMSPROP_KERNEL = "WganBenchRMSPropUpdate";
export const ADAM_KERNEL = "WganBenchAdamUpdate";

/** RMSProp (PyTorch semantics: ε outside the root) and Adam (bias-corrected) updates. */
export function optimizerKernels(): Record<string, Kernel> {
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

  return { [RMSPROP_KERNEL]: rmsprop, [ADAM_KERNEL]: adam };
}

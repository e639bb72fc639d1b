/**
 * Fused optimizer updates: one pass per variable instead of nine tensor ops.
 * `lib/optim` dispatches them when the active backend registers them (only
 * the native backend does); the arithmetic is PyTorch's, in float32.
 *
 * Large variables go through oneDNN when it is loaded: three (RMSProp) or four
 * (Adam) vectorised, threaded passes of its binary primitive with post-ops
 * (measured 4–5× faster than the scalar loop on a 784 × 512 weight, whose
 * square root and division the loop does one element at a time). Every
 * constant, the per-step bias corrections included, is a one-element operand
 * read when the pass runs, so the primitives are made once per variable size.
 * The passes round to float32 after each operation, like PyTorch's kernels;
 * the loop keeps float64 inside one element's update.
 *
 * @module
 */
import { allocOutput, release } from "./pool.ts";
import { f32, type Kernel } from "./kernel_util.ts";
import type { OneDnn, PassOp } from "./onednn.ts";
import { DNNL_PARAMETER_MIN_ELEMENTS } from "./elementwise.ts";
import { ADAM_KERNEL, RMSPROP_KERNEL } from "../kernel_names.ts";

// The passes (operands after the primitive's two: one per binary post-op; `scalar` ones are 1-element arrays).
// Post-op chains use binary operations and at most one eltwise op: oneDNN 2.6 applied the first `linear` post-op's
// constants to a second `linear` in the same chain (measured), so constants travel as scalar operands instead.
const SCALE: PassOp = { binary: "mul", scalar: true };
const ADD_SCALAR: PassOp = { binary: "add", scalar: true };
/** ((x · x) · k + acc) · a: the running average of squared gradients, a·acc + (1 − a)·x² with k = (1 − a)/a. */
const SQUARE_AVERAGE: PassOp[] = [{ binary: "mul" }, SCALE, { binary: "add" }, SCALE];
/** sqrt(v · 1) · k + ε: the denominator (k = 1 for RMSProp, 1/√(1 − β2^t) for Adam). */
const DENOMINATOR: PassOp[] = [SCALE, { eltwise: "sqrt" }, SCALE, ADD_SCALAR];
/** (x / d) · (−lr) + p: the parameter step. */
const STEP: PassOp[] = [{ binary: "div" }, SCALE, { binary: "add" }];
/** ((m · k) + g) · (1 − β1): the first moment, β1·m + (1 − β1)·g with k = β1/(1 − β1). */
const MOMENT: PassOp[] = [SCALE, { binary: "add" }, SCALE];
/** The pass chains, for tests. */
export const OPTIMIZER_PASSES = { SQUARE_AVERAGE, DENOMINATOR, STEP, MOMENT } as const;

/** A one-element operand outside V8's heap (oneDNN keeps its address between calls). */
const scalar = (v: number) => {
  const a = new Float32Array(new ArrayBuffer(4));
  a[0] = v;
  return a;
};
const ONE = scalar(1);

/**
 * RMSProp (PyTorch semantics: ε outside the root) and Adam (bias-corrected) updates; with `dnnl`, variables of at
 * least {@linkcode DNNL_PARAMETER_MIN_ELEMENTS} elements are updated by its passes.
 */
export function optimizerKernels(dnnl?: OneDnn): Record<string, Kernel> {
  const viaDnnl = (n: number) => dnnl !== undefined && n >= DNNL_PARAMETER_MIN_ELEMENTS;
  /** `den = sqrt(v)·k + ε` then `newP = p − lr·x/den`; false where oneDNN would not vectorise (nothing written). */
  const denominatorAndStep = (
    d: OneDnn,
    v: Float32Array,
    k: number,
    eps: number,
    x: Float32Array,
    lr: number,
    p: Float32Array,
    newP: Float32Array,
  ) => {
    const den = allocOutput(p.length);
    try {
      return d.pass(DENOMINATOR, [v, ONE, scalar(k), scalar(eps)], den) &&
        d.pass(STEP, [x, den, scalar(-lr), p], newP);
    } finally {
      release(den);
    }
  };

  const rmsprop: Kernel = (args) => {
    const { param, grad, sq } = args.inputs;
    const { lr, alpha, eps } = args.attrs as unknown as { lr: number; alpha: number; eps: number };
    const p = f32(args.backend, param), g = f32(args.backend, grad), s = f32(args.backend, sq);
    const newP = allocOutput(p.length), newS = allocOutput(p.length);
    const shape = [...param.shape];
    const done = () => [
      args.backend.makeTensorInfo(shape, "float32", newP),
      args.backend.makeTensorInfo(shape, "float32", newS),
    ];
    if (viaDnnl(p.length) && alpha > 0) {
      if (
        dnnl!.pass(SQUARE_AVERAGE, [g, g, scalar((1 - alpha) / alpha), s, scalar(alpha)], newS) &&
        denominatorAndStep(dnnl!, newS, 1, eps, g, lr, p, newP)
      ) return done();
    }
    const beta = 1 - alpha;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const v = Math.fround(alpha * s[i] + beta * gi * gi);
      newS[i] = v;
      newP[i] = p[i] - lr * (gi / (Math.sqrt(v) + eps));
    }
    return done();
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
    const shape = [...param.shape];
    const done = () => [
      args.backend.makeTensorInfo(shape, "float32", newP),
      args.backend.makeTensorInfo(shape, "float32", newM),
      args.backend.makeTensorInfo(shape, "float32", newV),
    ];
    if (viaDnnl(n) && beta1 < 1 && beta2 > 0) {
      if (
        dnnl!.pass(MOMENT, [a1, scalar(beta1 / c1), g, scalar(c1)], newM) &&
        dnnl!.pass(SQUARE_AVERAGE, [g, g, scalar(c2 / beta2), a2, scalar(beta2)], newV) &&
        denominatorAndStep(dnnl!, newV, 1 / bc2, eps, newM, stepSize, p, newP)
      ) return done();
    }
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const m = Math.fround(beta1 * a1[i] + c1 * gi);
      const v = Math.fround(beta2 * a2[i] + c2 * gi * gi);
      newM[i] = m;
      newV[i] = v;
      newP[i] = p[i] - stepSize * (m / (Math.sqrt(v) / bc2 + eps));
    }
    return done();
  };

  return { [RMSPROP_KERNEL]: rmsprop, [ADAM_KERNEL]: adam };
}

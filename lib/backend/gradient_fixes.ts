/**
 * Gradient registrations that make double backprop (gradient penalty,
 * WGAN-div) correct in tfjs 4.22, and training possible and fast on wasm.
 * Each has a test in `tests/backend/gradient_fixes_test.ts` that fails without
 * it (finite differences or the stock kernels' values, on every backend here).
 *
 * 1. Comparison kernels (Greater, Less, ...) have no gradient, so the second
 *    derivative of LeakyReLU / maximum throws. They are step functions: their
 *    gradient is zero almost everywhere.
 * 2. Tanh, Sigmoid and Exp save their *output* for the backward pass; inside a
 *    penalty the tape then loses the output's dependence on the weights and the
 *    second derivative is silently wrong. Re-registered to save the input and
 *    recompute the output.
 * 3. wasm has no Conv2DBackpropFilter kernel, its Conv2DBackpropInput is a slow
 *    loop and its matMul with transpose flags is ~10x slower than with explicit
 *    transposes. On wasm the Conv2D and BatchMatMul gradients are computed with
 *    plain `conv2d` (a dilated convolution for the filter gradient) and explicit
 *    transposes; other backends keep the stock gradients.
 * 4. On native, the ReLU/LeakyReLU gradients and batch norm run as fused
 *    kernels (`native/fused_kernels.ts`); their gradients are registered here,
 *    the activation ones differentiable again (gradient penalties). The Mean
 *    and Sum gradients there broadcast `dy` (divided by the count on the small
 *    tensor) with one kernel, where tfjs's multiply it by a full-size `ones`
 *    tensor filled element by element in JavaScript and then divide it full-size:
 *    ~15% of a DCGAN-64 WGAN-GP critic step went to filling those `ones`
 *    (layer norm's `moments` has four means per layer). The same values.
 *
 * @module
 */
import { activeBackendHas, tf } from "./engine.ts";
import { conv2dTransposeViaConv } from "../ops/conv_transpose.ts";
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, BROADCAST_KERNEL, LEAKY_RELU_GRAD_KERNEL } from "./kernel_names.ts";

type GradConfig = tf.GradConfig;
type NamedAttrMap = tf.NamedAttrMap;

const COMPARISON_KERNELS = [
  "Greater",
  "GreaterEqual",
  "Less",
  "LessEqual",
  "Equal",
  "NotEqual",
] as const;
const OUTPUT_SAVING_KERNELS = ["Tanh", "Sigmoid", "Exp"] as const;
const WASM_KERNELS = ["Conv2D", "BatchMatMul"] as const;
const ACTIVATION_KERNELS = ["Relu", "LeakyRelu"] as const;
const REDUCTION_KERNELS = ["Mean", "Sum"] as const;

/** Names of the gradient fixes, usable to apply a subset (tests disable one at a time). */
export type GradientFix = "comparison" | "input-saving" | "wasm-training" | "native-fused";

/** Every fix, in the order they are applied. */
export const ALL_GRADIENT_FIXES: readonly GradientFix[] = [
  "comparison",
  "input-saving",
  "wasm-training",
  "native-fused",
];

// Captured at import, before any override, so the stock behaviour can be restored.
const stock = new Map<string, GradConfig | undefined>();
for (
  const k of [
    ...COMPARISON_KERNELS,
    ...OUTPUT_SAVING_KERNELS,
    ...WASM_KERNELS,
    ...ACTIVATION_KERNELS,
    ...REDUCTION_KERNELS,
  ]
) {
  stock.set(k, tf.getGradient(k));
}

function stockGradient(kernelName: string): GradConfig {
  const config = stock.get(kernelName);
  if (!config) throw new Error(`tfjs registers no stock gradient for ${kernelName}`);
  return config;
}

function registerComparisonGradients(): void {
  for (const kernelName of COMPARISON_KERNELS) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [a, b] = saved;
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}

function registerInputSavingGradients(): void {
  tf.registerGradient({
    kernelName: "Tanh",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return {
        x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))),
      };
    },
  });
  tf.registerGradient({
    kernelName: "Sigmoid",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return {
        x: () => {
          const s = tf.sigmoid(x);
          return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
        },
      };
    },
  });
  tf.registerGradient({
    kernelName: "Exp",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
    },
  });
}

/** Attributes tfjs passes to the Conv2D gradient. */
interface Conv2DAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dilations: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}

/**
 * Filter gradient of `conv2d(x, filter, strides, pad)` as a convolution of the
 * input (batch and channels swapped) with the output gradient dilated by the
 * stride: dW[a,b,ci,co] = Σ_{n,p,q} x[n, p·s+a−top, q·s+b−left, ci] · dy[n,p,q,co].
 */
export function conv2dFilterGradViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  options: { strides: [number, number]; padding: { top: number; bottom: number; left: number; right: number } },
): tf.Tensor4D {
  const [kh, kw] = filterShape;
  const { strides, padding } = options;
  const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Cout]
  const full = tf.conv2d(
    xT,
    dyT,
    1,
    [[0, 0], [padding.top, padding.bottom], [padding.left, padding.right], [0, 0]],
    "NHWC",
    strides,
  ); // [Cin, kh + extra, kw + extra, Cout]
  const cropped = full.shape[1] === kh && full.shape[2] === kw
    ? full
    : full.slice([0, 0, 0, 0], [full.shape[0], kh, kw, full.shape[3]]);
  return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
}

function registerWasmTrainingGradients(): void {
  const conv = stockGradient("Conv2D");
  tf.registerGradient({
    kernelName: "Conv2D",
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as Conv2DAttrs;
      if (
        tf.getBackend() !== "wasm" || a.dataFormat === "NCHW" ||
        pair(a.dilations).some((d) => d !== 1)
      ) {
        return conv.gradFunc(dy, saved, attrs as NamedAttrMap);
      }
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      const strides = pair(a.strides);
      const info = tf.backend_util.computeConv2DInfo(
        x.shape,
        filter.shape,
        strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const padding = info.padInfo;
      if (strides[0] !== strides[1]) return conv.gradFunc(dy, saved, attrs as NamedAttrMap);
      return {
        x: () =>
          conv2dTransposeViaConv(g, filter, {
            stride: strides[0],
            padding,
            outHeight: x.shape[1],
            outWidth: x.shape[2],
          }),
        filter: () => conv2dFilterGradViaConv(x, g, filter.shape, { strides, padding }),
      };
    },
  });

  const matMul = stockGradient("BatchMatMul");
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved, attrs) => {
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      const [a, b] = saved;
      if (
        tf.getBackend() !== "wasm" || transposeA || transposeB || a.rank !== 2 ||
        b.rank !== 2
      ) {
        return matMul.gradFunc(dy, saved, attrs as NamedAttrMap);
      }
      const g = dy as tf.Tensor2D;
      return {
        a: () => tf.matMul(g, tf.transpose(b)),
        b: () => tf.matMul(tf.transpose(a), g),
      };
    },
  });
}

/**
 * Registers a gradient for `kernelName` (saving its input `x`) computed by `native`, or by tfjs's stock gradient
 * where `native` returns undefined (another backend, or inputs it does not handle).
 */
function registerWhereNative(
  kernelName: string,
  native: (
    dy: tf.Tensor | tf.Tensor[],
    saved: tf.Tensor[],
    attrs: unknown,
  ) => ReturnType<GradConfig["gradFunc"]> | undefined,
): void {
  const original = stockGradient(kernelName);
  tf.registerGradient({
    kernelName,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => native(dy, saved, attrs) ?? original.gradFunc(dy, saved, attrs as NamedAttrMap),
  });
}

/**
 * On the native backend: the ReLU and LeakyReLU gradients as one fused kernel
 * (tfjs composes them from three full-size ops), itself differentiable (its
 * gradient with respect to dy is the same kernel, with respect to x zero
 * almost everywhere, as the stock composition's), the fused batch norm's
 * gradient, and the Mean and Sum gradients as one broadcast of `dy` (its
 * gradient a sum, differentiable again). Other backends keep the stock
 * gradients.
 */
function registerNativeFusedGradients(): void {
  for (const kernelName of ACTIVATION_KERNELS) {
    registerWhereNative(kernelName, (dy, [x], attrs) => {
      if (!activeBackendHas(LEAKY_RELU_GRAD_KERNEL)) return undefined;
      const alpha = kernelName === "Relu" ? 0 : (attrs as unknown as { alpha: number }).alpha;
      return {
        x: () => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { alpha }) as tf.Tensor,
      };
    });
  }
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    inputsToSave: ["x"],
    gradFunc: (ddx, saved, attrs) => {
      const [x] = saved;
      const { alpha } = attrs as unknown as { alpha: number };
      return {
        dy: () => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: ddx as tf.Tensor, x }, { alpha }) as tf.Tensor,
        x: () => tf.zerosLike(x),
      };
    },
  });
  for (const kernelName of REDUCTION_KERNELS) {
    registerWhereNative(kernelName, (dy, [x], attrs) => {
      if (!activeBackendHas(BROADCAST_KERNEL) || x.dtype !== "float32") return undefined;
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
      return {
        x: () => {
          const small = tf.reshape(dy as tf.Tensor, expanded);
          // tfjs: div(mul(dy, ones), count) — each element dy/count, as here, before broadcasting
          const count = axes.reduce((p, d) => p * x.shape[d], 1);
          const scaled = kernelName === "Mean" ? tf.div(small, count) : small;
          return tf.engine().runKernel(BROADCAST_KERNEL, { x: scaled }, { shape: x.shape }) as tf.Tensor;
        },
      };
    });
  }
  tf.registerGradient({
    kernelName: BROADCAST_KERNEL,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const out = (dy as tf.Tensor).shape;
      const axes = x.shape.map((n, d) => (n === 1 && out[d] !== 1 ? d : -1)).filter((d) => d >= 0);
      return { x: () => (axes.length ? tf.sum(dy as tf.Tensor, axes, true) : tf.clone(dy as tf.Tensor)) };
    },
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_KERNEL,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, gamma, mean, variance] = saved;
      const dy = (dys as tf.Tensor[])[0]; // the statistics are internal: nothing downstream uses them
      const [dx, dGamma, dBeta] = tf.engine().runKernel(
        BATCH_NORM_GRAD_KERNEL,
        { dy, x, gamma, mean, variance },
        { eps: (attrs as { eps: number }).eps },
      ) as tf.Tensor[];
      return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
    },
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    gradFunc: () => {
      throw new Error(
        "Cannot differentiate batch norm twice on the native backend: a gradient penalty needs per-sample " +
          "normalisation (use layer norm or none in the critic, as the WGAN-GP paper does)",
      );
    },
  });
}

/**
 * Registers the chosen gradient fixes (all by default). Idempotent. The
 * library applies all of them when it is imported (`lib/backend/tf.ts`), so
 * users never need to call it; tests call it to re-apply after
 * {@linkcode restoreStockGradients}.
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * // Importing the library registered the fixes: the second derivative of LeakyReLU exists (zero almost everywhere):
 * const d2 = tf.grad((x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.leakyRelu(y, 0.2).sum())(x).sum());
 * const v = await d2(tf.tensor1d([-1, 2])).data();
 * if (v[0] !== 0 || v[1] !== 0) throw new Error("expected zero curvature");
 * ```
 */
export function applyGradientFixes(
  fixes: readonly GradientFix[] = ALL_GRADIENT_FIXES,
): void {
  if (fixes.includes("comparison")) registerComparisonGradients();
  if (fixes.includes("input-saving")) registerInputSavingGradients();
  if (fixes.includes("wasm-training")) registerWasmTrainingGradients();
  if (fixes.includes("native-fused")) registerNativeFusedGradients();
}

/**
 * Re-registers tfjs's stock gradients for every kernel the fixes touch
 * (comparison kernels get none, as in stock tfjs). Exists so tests can show
 * what goes wrong without the fixes.
 *
 * @example
 * ```ts
 * import { applyGradientFixes, restoreStockGradients } from "wgan-bench/backend";
 * import { tf } from "wgan-bench";
 * const secondDerivative = () =>
 *   tf.grad((x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.leakyRelu(y, 0.2).sum())(x).sum())(tf.tensor1d([1]));
 * restoreStockGradients();
 * let threw = false;
 * try {
 *   secondDerivative();
 * } catch {
 *   threw = true; // stock tfjs: "gradient function not found for Greater"
 * }
 * applyGradientFixes(); // back to the fixed state
 * if (!threw || (await secondDerivative().data())[0] !== 0) throw new Error("stock throws, fixed gives 0");
 * ```
 */
export function restoreStockGradients(): void {
  for (const [kernelName, config] of stock) {
    if (config) tf.registerGradient(config);
    else if (tf.getGradient(kernelName)) tf.unregisterGradient(kernelName);
  }
}

/**
 * What every native kernel shares: the slice of tfjs's cpu backend it uses,
 * the kernel signature, typed access to float32 storage, and the bias +
 * activation epilogue of the fused matMul/conv2d kernels.
 *
 * @module
 */
import type { tf } from "../engine.ts";

/** The part of tfjs's cpu backend the kernels use. */
export interface CpuLikeBackend {
  data: { get(dataId: unknown): { values: unknown; dtype: string } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

/** A kernel's arguments, as tfjs passes them. */
export type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: CpuLikeBackend; attrs?: tf.NamedAttrMap };
/** A kernel function. */
export type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
/** tfjs's cpu kernel of a name (what a native kernel falls back to outside its cases). */
export type Fallback = (name: string) => Kernel;

/** The float32 storage of a tensor (throws for other dtypes). */
export function f32(backend: CpuLikeBackend, t: tf.TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  if (values instanceof Float32Array) return values;
  throw new TypeError(`native kernel expected float32 data, got ${t.dtype}`);
}

/** Number of elements of a shape. */
export function size(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** Bias and activation after a native product, by tfjs's own cpu kernels. */
export function epilogue(y: tf.TensorInfo, args: KernelArgs, fallback: Fallback): tf.TensorInfo {
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
}

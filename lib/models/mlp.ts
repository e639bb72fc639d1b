/**
 * Multilayer perceptrons: the official WGAN code's MLP_G / MLP_D (3 hidden ReLU
 * layers of 512 units, 4 linear layers: the paper's "4 layers") and, with
 * `init: "gan-toy"`, the WGAN-GP toy networks.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import { Rng } from "../random.ts";
import { activate, type Activation, ParameterFactory } from "./layers.ts";
import { hiddenFrom, type Init, type Model, type TappableRun, tappedFrom } from "./model.ts";
import { checked } from "../config/schema.ts";
import { mlpConfigSchema } from "./schema.ts";

/** Options shared by the MLP generator and critic. */
export interface MlpOptions {
  /** Seed for the weights. */
  seed: number;
  /** Units per hidden layer (default 512). */
  hidden?: number;
  /** Number of hidden layers (default 3, as the official code's MLP_G and MLP_D). */
  hiddenLayers?: number;
  /** Hidden activation (default relu). */
  activation?: Activation;
  /** Weight init (default `"dcgan"`: the official code's, which leaves linear layers at PyTorch's default). */
  init?: Init;
}

function denseStack(
  opts: MlpOptions & { inDim: number; outDim: number; outputActivation: Activation },
) {
  const hidden = opts.hidden ?? 512;
  const layers = opts.hiddenLayers ?? 3;
  checked(
    mlpConfigSchema.pick({ hidden: true, hiddenLayers: true }),
    { hidden, hiddenLayers: layers },
    "Cannot build an MLP",
  );
  const params = new ParameterFactory(new Rng(opts.seed), opts.init ?? "dcgan");
  const dims = [opts.inDim, ...Array(layers).fill(hidden), opts.outDim];
  const weights = dims.slice(1).map((d, i) => {
    const role = { layer: "linear", fanIn: dims[i], fanOut: d, output: i === layers } as const;
    // PyTorch's Linear draws the weight, then the bias
    const w = params.weight([dims[i], d], role);
    return { w, b: params.bias([d], role) };
  });
  const activation = opts.activation ?? "relu";
  // `pre` collects the hidden layers' pre-activations when given; `taps` are added to their activations
  const run: TappableRun = (x, pre, taps) => {
    let h = x.reshape([x.shape[0], opts.inDim]);
    weights.forEach(({ w, b }, i) => {
      h = tf.add(tf.matMul(h, w), b);
      const isHidden = i < weights.length - 1;
      if (pre && isHidden) pre.push(h);
      h = activate(h, isHidden ? activation : opts.outputActivation);
      if (taps && isHidden) h = tf.add(h, taps[i]);
    });
    return h;
  };
  const description = `mlp ${layers}x${hidden} ${activation}`;
  return {
    apply: (x: Tensor) => run(x),
    hidden: hiddenFrom(run),
    tapped: tappedFrom(run, layers, description),
    layerWeights: weights.map(({ w }) => w),
    variables: params.variables,
    description,
  };
}

/**
 * The MLP generator: noise `[nz]` → `outputShape` (an image `[h, w, c]` or a
 * point `[2]`). The official WGAN MLP_G has no output activation; pass
 * `outputActivation: "tanh"` to bound samples to [−1, 1].
 *
 * @example
 * ```ts
 * import { mlpGenerator, tf } from "wgan-bench";
 * const g = mlpGenerator({ seed: 1, noiseDim: 8, outputShape: [2], hidden: 16, hiddenLayers: 2 });
 * const x = g.apply(tf.randomNormal([5, 8]));
 * if (x.shape.join() !== "5,2") throw new Error("wrong shape");
 * ```
 */
export function mlpGenerator(
  opts: MlpOptions & { noiseDim?: number; outputShape: number[]; outputActivation?: Activation },
): Model {
  const noiseDim = opts.noiseDim ?? 100;
  const outDim = opts.outputShape.reduce((a, b) => a * b, 1);
  const net = denseStack({ ...opts, inDim: noiseDim, outDim, outputActivation: opts.outputActivation ?? "none" });
  return {
    description: `${net.description} generator`,
    inputShape: [noiseDim],
    outputShape: [...opts.outputShape],
    variables: net.variables,
    apply: (z) => net.apply(z).reshape([z.shape[0], ...opts.outputShape]),
    dispose: () => net.variables.forEach((v) => v.dispose()),
  };
}

/**
 * The MLP critic: a sample of `inputShape` → one unbounded score.
 *
 * @example
 * ```ts
 * import { mlpCritic, tf } from "wgan-bench";
 * const d = mlpCritic({ seed: 1, inputShape: [2], hidden: 16, hiddenLayers: 2, activation: "leaky-relu" });
 * const s = d.apply(tf.zeros([3, 2]));
 * if (s.shape.join() !== "3") throw new Error("one score per sample");
 * ```
 */
export function mlpCritic(opts: MlpOptions & { inputShape: number[] }): Model {
  const inDim = opts.inputShape.reduce((a, b) => a * b, 1);
  const net = denseStack({ ...opts, inDim, outDim: 1, outputActivation: "none" });
  return {
    description: `${net.description} critic`,
    inputShape: [...opts.inputShape],
    outputShape: [],
    variables: net.variables,
    apply: (x) => net.apply(x).reshape([x.shape[0]]),
    perSample: true,
    hidden: net.hidden,
    tapped: (x, taps) => net.tapped(x, taps).reshape([x.shape[0]]),
    layerWeights: net.layerWeights,
    dispose: () => net.variables.forEach((v) => v.dispose()),
  };
}

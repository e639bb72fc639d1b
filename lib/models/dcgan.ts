/**
 * DCGAN generator and critic as in the official WGAN code (`models/dcgan.py`),
 * on NHWC tensors, for 28×28, 32×32 and 64×64 images with 1 or 3 channels.
 *
 * Generator: noise → s0×s0 (s0 = 7 for 28, 4 for 32/64) by a dense layer
 * (identical to the official 1×1 → s0×s0 transposed convolution), then
 * 4×4 stride-2 transposed convolutions doubling the size, each followed by
 * batch norm (optional) and ReLU; a tanh output. No biases, as in the
 * official code (`bias=False`). Filters halve at each layer
 * ("pyramid", the DCGAN rule) or stay constant (the WGAN paper's no-BN
 * generator, Fig. 6).
 *
 * Critic: 4×4 stride-2 convolutions with LeakyReLU(0.2), doubling the filters
 * down to s0×s0, then a dense layer to one score (identical to the official
 * final s0×s0 valid convolution). Normalisation after every convolution but
 * the first: batch norm (official code; for clipping and the standard GAN),
 * layer norm (for GP and WGAN-div, where batch norm breaks the per-sample
 * penalty) or none. Like the official code the convolutions have no biases,
 * except with `norm: "none"`, where nothing else could shift the features.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import { conv2dTranspose } from "../ops/conv_transpose.ts";
import { Rng } from "../random.ts";
import { batchNorm, layerNorm, ParameterFactory } from "./layers.ts";
import { hiddenFrom, type Init, type Model, type TappableRun, tappedFrom } from "./model.ts";

/** Image sizes the DCGAN models support. */
export type ImageSize = 28 | 32 | 64;

function pyramid(imageSize: number): { startSize: number; upLayers: number } {
  if (imageSize !== 28 && imageSize !== 32 && imageSize !== 64) {
    throw new RangeError(`Cannot build a DCGAN model: image size must be 28, 32 or 64, got ${imageSize}`);
  }
  const startSize = imageSize === 28 ? 7 : 4;
  return { startSize, upLayers: Math.round(Math.log2(imageSize / startSize)) };
}

/** Options of {@linkcode dcganGenerator}. */
export interface DcganGeneratorOptions {
  seed: number;
  imageSize: ImageSize;
  channels: number;
  /** Noise dimension (default 100). */
  noiseDim?: number;
  /** Filters of the last hidden layer, `ngf` (default 64). */
  width?: number;
  /** Batch norm after each hidden layer (default true). */
  batchNorm?: boolean;
  /** Halve the filters each layer (default) or keep `width` everywhere. */
  filters?: "pyramid" | "constant";
  /** Weight init (default `"dcgan"`: N(0, 0.02) weights, N(1, 0.02) batch-norm scales). */
  init?: Init;
}

/**
 * The DCGAN generator (optionally the no-BN, constant-filter variant).
 *
 * @example
 * ```ts
 * import { dcganGenerator, tf } from "wgan-bench";
 * const g = dcganGenerator({ seed: 0, imageSize: 32, channels: 1, noiseDim: 8, width: 4 });
 * const x = g.apply(tf.randomNormal([2, 8]));
 * if (x.shape.join() !== "2,32,32,1") throw new Error("wrong shape");
 * ```
 */
export function dcganGenerator(opts: DcganGeneratorOptions): Model {
  const { startSize, upLayers } = pyramid(opts.imageSize);
  const nz = opts.noiseDim ?? 100;
  const width = opts.width ?? 64;
  const useBn = opts.batchNorm ?? true;
  const constant = (opts.filters ?? "pyramid") === "constant";
  const filtersAt = (i: number) => constant ? width : width * 2 ** (upLayers - 1 - i);
  const p = new ParameterFactory(new Rng(opts.seed), opts.init ?? "dcgan");
  const c0 = filtersAt(0);
  // the dense first layer is the official 1×1 → s0×s0 ConvTranspose2d(nz, c0, s0): PyTorch's fan-in is c0·s0²
  const s0 = startSize * startSize;
  const first = {
    w: p.weight([nz, s0 * c0], { layer: "conv", fanIn: c0 * s0, fanOut: nz * s0 }),
    bn: useBn ? [p.scale([c0]), p.zeros([c0])] : null,
  };
  const ups = Array.from({ length: upLayers }, (_, i) => {
    const cin = filtersAt(i);
    const last = i === upLayers - 1;
    const cout = last ? opts.channels : filtersAt(i + 1);
    return {
      w: p.weight([4, 4, cout, cin], { layer: "conv", fanIn: cout * 16, fanOut: cin * 16, output: last }),
      bn: useBn && !last ? [p.scale([cout]), p.zeros([cout])] : null,
    };
  });
  const apply = (z: Tensor): Tensor => {
    const n = z.shape[0];
    let h: Tensor = tf.matMul(z.reshape([n, nz]), first.w).reshape([n, startSize, startSize, c0]);
    if (first.bn) h = batchNorm(h, first.bn[0], first.bn[1], [0, 1, 2]);
    h = tf.relu(h);
    ups.forEach((layer, i) => {
      h = conv2dTranspose(h as tf.Tensor4D, layer.w as tf.Tensor4D, { stride: 2, padding: 1 });
      if (layer.bn) h = batchNorm(h, layer.bn[0], layer.bn[1], [0, 1, 2]);
      h = i === ups.length - 1 ? tf.tanh(h) : tf.relu(h);
    });
    return h;
  };
  return {
    description: `dcgan-${opts.imageSize} generator (${useBn ? "batch norm" : "no batch norm"}, ${
      constant ? "constant" : "pyramid"
    } filters, width ${width})`,
    inputShape: [nz],
    outputShape: [opts.imageSize, opts.imageSize, opts.channels],
    variables: p.variables,
    apply,
    dispose: () => p.variables.forEach((v) => v.dispose()),
  };
}

/** Normalisation inside the DCGAN critic. */
export type CriticNorm = "batch" | "layer" | "none";

/** Options of {@linkcode dcganCritic}. */
export interface DcganCriticOptions {
  seed: number;
  imageSize: ImageSize;
  channels: number;
  /** Filters of the first layer, `ndf` (default 64). */
  width?: number;
  /** Default "batch" as in the official code; use "layer" or "none" with a gradient penalty. */
  norm?: CriticNorm;
  init?: Init;
}

/**
 * The DCGAN critic (strided convolutions + LeakyReLU 0.2).
 *
 * @example
 * ```ts
 * import { dcganCritic, tf } from "wgan-bench";
 * const d = dcganCritic({ seed: 0, imageSize: 28, channels: 1, width: 4, norm: "layer" });
 * const s = d.apply(tf.zeros([3, 28, 28, 1]));
 * if (s.shape.join() !== "3") throw new Error("one score per sample");
 * ```
 */
export function dcganCritic(opts: DcganCriticOptions): Model {
  const { startSize, upLayers } = pyramid(opts.imageSize);
  const width = opts.width ?? 64;
  const norm = opts.norm ?? "batch";
  const p = new ParameterFactory(new Rng(opts.seed), opts.init ?? "dcgan");
  const convs = Array.from({ length: upLayers }, (_, i) => {
    const cin = i === 0 ? opts.channels : width * 2 ** (i - 1);
    const cout = width * 2 ** i;
    return {
      w: p.weight([4, 4, cin, cout], { layer: "conv", fanIn: cin * 16, fanOut: cout * 16 }),
      bias: norm === "none" ? p.bias([cout], { layer: "conv", fanIn: cin * 16, fanOut: cout * 16 }) : null,
      norm: i > 0 && norm !== "none" ? [p.scale([cout]), p.zeros([cout])] : null,
    };
  });
  const cLast = width * 2 ** (upLayers - 1);
  const flat = startSize * startSize * cLast;
  // the official final Conv2d(cLast, 1, s0) valid convolution: fan-in cLast·s0²
  const finalRole = { layer: "conv", fanIn: flat, fanOut: startSize * startSize, output: true } as const;
  const final = { w: p.weight([flat, 1], finalRole), b: norm === "none" ? p.bias([1], finalRole) : null };
  // `pre` collects the convolutions' pre-activations when given; `taps` are added to their activations
  const run: TappableRun = (x, pre, taps) => {
    const n = x.shape[0];
    let h = x;
    for (const [i, layer] of convs.entries()) {
      h = tf.conv2d(h as tf.Tensor4D, layer.w as tf.Tensor4D, 2, 1);
      if (layer.bias) h = tf.add(h, layer.bias);
      if (layer.norm) {
        h = norm === "batch"
          ? batchNorm(h, layer.norm[0], layer.norm[1], [0, 1, 2])
          : layerNorm(h, layer.norm[0], layer.norm[1]);
      }
      pre?.push(h);
      h = tf.leakyRelu(h, 0.2);
      if (taps) h = tf.add(h, taps[i]);
    }
    const score = tf.matMul(h.reshape([n, flat]), final.w);
    return (final.b ? tf.add(score, final.b) : score).reshape([n]);
  };
  const description = `dcgan-${opts.imageSize} critic (${norm} norm, width ${width})`;
  return {
    description,
    inputShape: [opts.imageSize, opts.imageSize, opts.channels],
    outputShape: [],
    variables: p.variables,
    apply: (x: Tensor) => run(x),
    perSample: norm !== "batch",
    hidden: hiddenFrom(run),
    tapped: tappedFrom(run, convs.length, description),
    layerWeights: [...convs.map((c) => c.w), final.w],
    dispose: () => p.variables.forEach((v) => v.dispose()),
  };
}

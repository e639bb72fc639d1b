/**
 * A small image classifier trained on the data itself, whose penultimate
 * layer serves as the feature space for FID/KID and whose predictions give the
 * class histogram of generated samples. Nothing is downloaded: it is trained
 * in seconds on the training split, its held-out accuracy is recorded, and its
 * weights can be saved and restored (the harness caches them on disk).
 *
 * Architecture: flatten → 256 ReLU → 64 ReLU (features) → classes.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { ImageDataset } from "../data/dataset.ts";
import { ParameterFactory } from "../models/layers.ts";
import { createOptimizer } from "../optim/mod.ts";
import { Rng } from "../random.ts";

/** Width of the feature layer. */
export const FEATURE_DIM = 64;

/** A trained classifier. */
export interface FeatureClassifier {
  readonly classes: number;
  readonly sampleShape: readonly number[];
  /** Accuracy on the held-out images it was evaluated on. */
  readonly heldOutAccuracy: number;
  /** Penultimate-layer features, `n × FEATURE_DIM`. */
  features(images: Float32Array): Promise<Float32Array>;
  /** Most likely class of each image. */
  predict(images: Float32Array): Promise<Int32Array>;
  /** The softmax probability of each image's most likely class. */
  confidence(images: Float32Array): Promise<Float32Array>;
  /** Weights in a fixed order, for caching. */
  weights(): Promise<Float32Array[]>;
  dispose(): void;
}

/** Options of {@linkcode trainClassifier}. */
export interface ClassifierOptions {
  seed: number;
  /** Passes over the training images (default 4). */
  epochs?: number;
  /** Previously saved weights: skip training. */
  weights?: Float32Array[];
}

function build(inDim: number, classes: number, seed: number) {
  const p = new ParameterFactory(new Rng(seed), "he");
  const layers = [[inDim, 256], [256, FEATURE_DIM], [FEATURE_DIM, classes]].map(([a, b]) => ({
    w: p.weight([a, b], { layer: "linear", fanIn: a, fanOut: b }),
    b: p.zeros([b]),
  }));
  const forward = (x: Tensor, upTo: "features" | "logits") => {
    let h = x.reshape([x.shape[0], inDim]);
    for (let i = 0; i < 2; i++) h = tf.relu(tf.add(tf.matMul(h, layers[i].w), layers[i].b));
    return upTo === "features" ? h : tf.add(tf.matMul(h, layers[2].w), layers[2].b);
  };
  return { forward, variables: p.variables };
}

/** Images per training batch of the feature classifier: the fewest training images it accepts. */
export const CLASSIFIER_BATCH = 128;

/**
 * Trains (or restores) the feature classifier on `train` and measures its
 * accuracy on `heldOut`. Both need labels.
 *
 * @example
 * ```ts
 * import { imageDataset, Rng, trainClassifier } from "wgan-bench";
 * // two classes: dark and bright 4×4 images
 * const rng = new Rng(0);
 * const n = 200, images = new Float32Array(n * 16), labels = new Int32Array(n);
 * for (let i = 0; i < n; i++) {
 *   labels[i] = i % 2;
 *   for (let j = 0; j < 16; j++) images[i * 16 + j] = (i % 2 ? 0.5 : -0.5) + 0.3 * rng.normal();
 * }
 * const ds = imageDataset({ name: "toy", sampleShape: [4, 4, 1], images, labels });
 * const clf = await trainClassifier(ds, ds, { seed: 1, epochs: 3 });
 * if (clf.heldOutAccuracy < 0.95) throw new Error(`accuracy ${clf.heldOutAccuracy}`);
 * clf.dispose();
 * ```
 */
export async function trainClassifier(
  train: ImageDataset,
  heldOut: ImageDataset,
  opts: ClassifierOptions,
): Promise<FeatureClassifier> {
  if (!train.labels || !heldOut.labels) {
    throw new RangeError(`Cannot train a feature classifier on "${train.name}": the dataset has no labels`);
  }
  if (!opts.weights && train.count < CLASSIFIER_BATCH) {
    throw new RangeError(
      `Cannot train a feature classifier on "${train.name}": it trains on batches of ${CLASSIFIER_BATCH} images ` +
        `and the training set has ${train.count}`,
    );
  }
  const classes = Math.max(...train.labels) + 1;
  const per = train.sampleShape.reduce((a, b) => a * b, 1);
  const net = build(per, classes, opts.seed);
  const batched = async <T extends Float32Array | Int32Array>(
    images: Float32Array,
    make: (n: number) => T,
    width: number,
    fn: (x: Tensor) => Tensor,
  ): Promise<T> => {
    const n = images.length / per;
    const out = make(n * width);
    for (let start = 0; start < n; start += 500) {
      const m = Math.min(500, n - start);
      const y = tf.tidy(() => fn(tf.tensor(images.subarray(start * per, (start + m) * per), [m, per])));
      out.set(await y.data() as ArrayLike<number>, start * width);
      y.dispose();
    }
    return out;
  };
  const predict = (images: Float32Array) =>
    batched(images, (n) => new Int32Array(n), 1, (x) => tf.argMax(net.forward(x, "logits"), 1));

  if (opts.weights) {
    if (opts.weights.length !== net.variables.length) {
      throw new RangeError(`Cannot restore the classifier: ${opts.weights.length} tensors for ${net.variables.length}`);
    }
    net.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(opts.weights![i], v.shape))));
  } else {
    const optimizer = createOptimizer({ kind: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const rng = new Rng(opts.seed).fork("classifier-batches");
    const batch = CLASSIFIER_BATCH;
    for (let epoch = 0; epoch < (opts.epochs ?? 4); epoch++) {
      const order = rng.permutation(train.count);
      for (let start = 0; start + batch <= train.count; start += batch) {
        const x = new Float32Array(batch * per);
        const y = new Int32Array(batch);
        for (let i = 0; i < batch; i++) {
          const k = order[start + i];
          x.set(train.images.subarray(k * per, (k + 1) * per), i * per);
          y[i] = train.labels[k];
        }
        tf.tidy(() => {
          const xs = tf.tensor(x, [batch, per]);
          const ys = tf.oneHot(tf.tensor1d(y, "int32"), classes);
          const { grads } = tf.variableGrads(
            () => tf.losses.softmaxCrossEntropy(ys, net.forward(xs, "logits")) as tf.Scalar,
            net.variables,
          );
          optimizer.apply(net.variables, net.variables.map((v) => grads[v.name]));
        });
      }
    }
    optimizer.dispose();
  }
  const predicted = await predict(heldOut.images);
  const correct = predicted.reduce((s, c, i) => s + (c === heldOut.labels![i] ? 1 : 0), 0);
  return {
    classes,
    sampleShape: [...train.sampleShape],
    heldOutAccuracy: correct / heldOut.count,
    features: (images) => batched(images, (n) => new Float32Array(n), FEATURE_DIM, (x) => net.forward(x, "features")),
    predict,
    confidence: (images) =>
      batched(images, (n) => new Float32Array(n), 1, (x) => tf.max(tf.softmax(net.forward(x, "logits")), 1)),
    weights: () => Promise.all(net.variables.map(async (v) => new Float32Array(await v.data()))),
    dispose: () => net.variables.forEach((v) => v.dispose()),
  };
}

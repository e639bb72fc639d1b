/**
 * Data sources: something that yields batches of samples from a seeded
 * generator. Toy distributions draw fresh points; image datasets are held in
 * memory and visited in shuffled epochs, like a PyTorch DataLoader with
 * `shuffle=True`.
 *
 * @module
 */
import { Rng, type RngState } from "../random.ts";

/** Serialisable sampler state (for checkpoints). */
export interface SamplerState {
  rng: RngState;
  epoch: number;
  position: number;
  permutation?: number[];
}

/** Draws batches; state can be saved and restored exactly. */
export interface Sampler {
  /** `n` samples, flattened: `n × prod(sampleShape)` floats (crossing into the next epoch when needed). */
  next(n: number): Float32Array;
  /**
   * Samples left in the current epoch (`Infinity` for a sampler without epochs). At 0, the next draw starts a new
   * epoch. Lets a loop end a burst where a PyTorch DataLoader's epoch ends (`epochBursts`).
   */
  remaining(): number;
  getState(): SamplerState;
  setState(state: SamplerState): void;
}

/** A source of training samples. */
export interface Dataset {
  /** e.g. "mnist", "8gaussians". */
  readonly name: string;
  /** Shape of one sample: `[2]` for toys, `[h, w, c]` for images. */
  readonly sampleShape: readonly number[];
  /** A sampler seeded by `rng`. */
  sampler(rng: Rng): Sampler;
}

/** Images (and optional labels) held in memory, pixels scaled to [−1, 1]. */
export interface ImageDataset extends Dataset {
  /** Number of images. */
  readonly count: number;
  /** `count × h × w × c` floats, NHWC, in [−1, 1]. */
  readonly images: Float32Array;
  /** Class of each image, when known. */
  readonly labels?: Int32Array;
}

/** Options of {@linkcode imageDataset}. */
export interface ImageDatasetInit {
  name: string;
  sampleShape: number[];
  images: Float32Array;
  labels?: Int32Array;
}

/**
 * Wraps in-memory images as a dataset sampled in shuffled epochs.
 *
 * @example
 * ```ts
 * import { imageDataset, Rng } from "wgan-bench";
 * const ds = imageDataset({ name: "four", sampleShape: [1, 1, 1], images: new Float32Array([0, 1, 2, 3]) });
 * const batch = ds.sampler(new Rng(0)).next(4);
 * if ([...batch].sort().join() !== "0,1,2,3") throw new Error("an epoch visits each image once");
 * ```
 */
export function imageDataset(init: ImageDatasetInit): ImageDataset {
  const per = init.sampleShape.reduce((a, b) => a * b, 1);
  const count = init.images.length / per;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `Cannot build dataset "${init.name}": ${init.images.length} values is not a whole number of ${
        init.sampleShape.join("x")
      } samples`,
    );
  }
  if (init.labels && init.labels.length !== count) {
    throw new RangeError(`Cannot build dataset "${init.name}": ${init.labels.length} labels for ${count} images`);
  }
  return {
    name: init.name,
    sampleShape: [...init.sampleShape],
    count,
    images: init.images,
    labels: init.labels,
    sampler: (rng) => epochSampler(init.images, per, count, rng),
  };
}

function epochSampler(images: Float32Array, per: number, count: number, rng: Rng): Sampler {
  let epoch = 0;
  let position = 0;
  let permutation = rng.permutation(count);
  return {
    next(n) {
      const out = new Float32Array(n * per);
      for (let i = 0; i < n; i++) {
        if (position === count) {
          epoch += 1;
          position = 0;
          permutation = rng.permutation(count);
        }
        const src = permutation[position++] * per;
        out.set(images.subarray(src, src + per), i * per);
      }
      return out;
    },
    remaining: () => count - position,
    getState: () => ({ rng: rng.getState(), epoch, position, permutation: Array.from(permutation) }),
    setState(state) {
      if (!state.permutation || state.permutation.length !== count) {
        throw new RangeError(
          `Cannot restore a sampler over ${count} images from a permutation of ${state.permutation?.length ?? 0}`,
        );
      }
      rng.setState(state.rng);
      epoch = state.epoch;
      position = state.position;
      permutation = Int32Array.from(state.permutation);
    },
  };
}

/**
 * A sampler that draws i.i.d. samples with `draw` (toy distributions).
 */
export function iidSampler(rng: Rng, draw: (rng: Rng, n: number) => Float32Array): Sampler {
  return {
    next: (n) => draw(rng, n),
    remaining: () => Infinity,
    getState: () => ({ rng: rng.getState(), epoch: 0, position: 0 }),
    setState: (state) => rng.setState(state.rng),
  };
}

/**
 * Splits an image dataset into a training part and a held-out part of
 * `heldOut` images, chosen by a seeded permutation (stratification is not
 * needed at these sizes).
 *
 * @example
 * ```ts
 * import { imageDataset } from "wgan-bench";
 * import { splitDataset } from "wgan-bench/data";
 * const ds = imageDataset({ name: "ten", sampleShape: [1], images: new Float32Array(10).map((_, i) => i) });
 * const { train, heldOut } = splitDataset(ds, { heldOut: 3, seed: 0 });
 * if (train.count !== 7 || heldOut.count !== 3) throw new Error("7 + 3");
 * ```
 */
export function splitDataset(
  ds: ImageDataset,
  opts: { heldOut: number; seed: number },
): { train: ImageDataset; heldOut: ImageDataset } {
  if (!(opts.heldOut >= 1 && opts.heldOut < ds.count)) {
    throw new RangeError(`Cannot hold out ${opts.heldOut} of the ${ds.count} images of "${ds.name}"`);
  }
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  const order = new Rng(opts.seed).fork(`split:${ds.name}`).permutation(ds.count);
  const take = (idx: Int32Array, name: string) => {
    const images = new Float32Array(idx.length * per);
    idx.forEach((k, i) => images.set(ds.images.subarray(k * per, (k + 1) * per), i * per));
    return imageDataset({
      name,
      sampleShape: [...ds.sampleShape],
      images,
      labels: ds.labels ? Int32Array.from(idx, (k) => ds.labels![k]) : undefined,
    });
  };
  return {
    heldOut: take(order.subarray(0, opts.heldOut), ds.name),
    train: take(order.subarray(opts.heldOut), ds.name),
  };
}

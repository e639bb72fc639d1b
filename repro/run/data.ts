/**
 * The data behind an experiment: a toy distribution, or an image dataset from
 * the `--dataset` flag (embedded MNIST by default), split into training and
 * held-out images.
 *
 * @module
 */
import {
  type Dataset,
  type ImageDataset,
  imageDataset,
  loadCifar10,
  loadFashionMnist,
  loadGtsrb,
  loadIdxImages,
  loadImageFolder,
  loadMnist,
  toyDataset,
} from "../../mod.ts";
import { splitDataset } from "../../lib/data/mod.ts";
import type { ExperimentSpec, Settings } from "../config/experiments.ts";
import { UsageError } from "../errors.ts";

/** Dataset flag forms. */
export const DATASET_HELP =
  "mnist (embedded, default) | fashion-mnist | idx:IMAGES[,LABELS] | cifar10:FILE[,FILE...] | gtsrb:DIR | folder:DIR";

/** Training data plus, for images, the held-out split the metrics compare against. */
export interface ExperimentData {
  /** Name recorded in rows. */
  name: string;
  /** The training split (images: what the feature classifier trains on). */
  train: Dataset;
  /** What the GAN trains on: `train`, or with `trainOnHeldOut` every image (`train` and `heldOut`). */
  fit: Dataset;
  heldOut: ImageDataset | null;
  sampleShape: number[];
}

/** Images rounded to 8 bits ([−1, 1] ↔ 0 … 255), as a PNG holds them after PIL resized it. */
export function quantize8bit(ds: ImageDataset): ImageDataset {
  const images = Float32Array.from(ds.images, (x) => Math.round((x + 1) * 127.5) / 127.5 - 1);
  return imageDataset({ name: `${ds.name}-8bit`, sampleShape: [...ds.sampleShape], images, labels: ds.labels });
}

/** Loads the data an experiment trains on. */
export async function loadExperimentData(
  experiment: ExperimentSpec,
  settings: Settings,
  datasetFlag: string | undefined,
): Promise<ExperimentData> {
  if (experiment.data.kind === "toy") {
    if (datasetFlag) {
      throw new UsageError(`Cannot use --dataset with ${experiment.id}: toy experiments draw their own data`);
    }
    const train = toyDataset(experiment.data.toy);
    return { name: train.name, train, fit: train, heldOut: null, sampleShape: [2] };
  }
  const to32 = settings.imageSize === 32 ? settings.resizeTo32 : undefined;
  const flag = datasetFlag ?? "mnist";
  const [kind, ...rest] = flag.split(":");
  const arg = rest.join(":");
  let full: ImageDataset;
  let heldOut: ImageDataset | null = null;
  if (kind === "mnist") full = await loadMnist({ to32 });
  else if (kind === "fashion-mnist") {
    full = await loadFashionMnist({ split: "train", to32, dir: arg || undefined });
    heldOut = await loadFashionMnist({ split: "test", to32, dir: arg || undefined });
  } else if (kind === "idx" && arg) {
    const [images, labels] = arg.split(",");
    full = await loadIdxImages({ images, labels, to32, name: "idx" });
  } else if (kind === "cifar10" && arg) full = await loadCifar10(arg.split(","));
  else if (kind === "gtsrb" && arg) full = await loadGtsrb(arg, { size: 32, channels: 3 });
  else if (kind === "folder" && arg) full = await loadImageFolder(arg, { size: 32, channels: 3 });
  else throw new UsageError(`Cannot use --dataset "${flag}": expected ${DATASET_HELP}`);
  if (settings.trainOnHeldOut && heldOut) {
    throw new UsageError(
      `Cannot use trainOnHeldOut with --dataset ${kind}: it has its own test split, which the harness never trains on`,
    );
  }
  if (settings.quantize8bit) {
    full = quantize8bit(full);
    if (heldOut) heldOut = quantize8bit(heldOut);
  }
  let fit: ImageDataset | undefined;
  if (!heldOut) {
    const split = splitDataset(full, { heldOut: Math.min(1000, Math.floor(full.count / 10)), seed: 0 });
    if (settings.trainOnHeldOut) {
      const { images, labels, sampleShape } = full;
      fit = imageDataset({ name: `${full.name}-all`, sampleShape: [...sampleShape], images, labels });
    }
    full = split.train;
    heldOut = split.heldOut;
  }
  fit ??= full;
  return { name: fit.name, train: full, fit, heldOut, sampleShape: [...full.sampleShape] };
}

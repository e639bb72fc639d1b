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
  loadCifar10,
  loadFashionMnist,
  loadIdxImages,
  loadImageFolder,
  loadMnist,
  toyDataset,
} from "../mod.ts";
import { splitDataset } from "../lib/data/mod.ts";
import type { ExperimentSpec, Settings } from "./experiments.ts";
import { UsageError } from "./errors.ts";

/** Dataset flag forms. */
export const DATASET_HELP =
  "mnist (embedded, default) | fashion-mnist | idx:IMAGES[,LABELS] | cifar10:FILE[,FILE...] | folder:DIR";

/** Training data plus, for images, the held-out split the metrics compare against. */
export interface ExperimentData {
  /** Name recorded in rows. */
  name: string;
  train: Dataset;
  heldOut: ImageDataset | null;
  sampleShape: number[];
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
    return { name: train.name, train, heldOut: null, sampleShape: [2] };
  }
  const to32 = settings.imageSize === 32 ? settings.resizeTo32 : undefined;
  const flag = datasetFlag ?? "mnist";
  const [kind, ...rest] = flag.split(":");
  const arg = rest.join(":");
  let full: ImageDataset;
  let heldOut: ImageDataset | null = null;
  if (kind === "mnist") full = loadMnist({ to32 });
  else if (kind === "fashion-mnist") {
    full = await loadFashionMnist({ split: "train", to32, dir: arg || undefined });
    heldOut = await loadFashionMnist({ split: "test", to32, dir: arg || undefined });
  } else if (kind === "idx" && arg) {
    const [images, labels] = arg.split(",");
    full = await loadIdxImages({ images, labels, to32, name: "idx" });
  } else if (kind === "cifar10" && arg) full = await loadCifar10(arg.split(","));
  else if (kind === "folder" && arg) full = await loadImageFolder(arg, { size: 32, channels: 3 });
  else throw new UsageError(`Cannot use --dataset "${flag}": expected ${DATASET_HELP}`);
  if (!heldOut) {
    const split = splitDataset(full, { heldOut: Math.min(1000, Math.floor(full.count / 10)), seed: 0 });
    full = split.train;
    heldOut = split.heldOut;
  }
  return { name: full.name, train: full, heldOut, sampleShape: [...full.sampleShape] };
}

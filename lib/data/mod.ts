/**
 * Data sources: 2-D toys, MNIST (embedded), Fashion-MNIST and IDX files,
 * CIFAR-10 binaries and PNG folders.
 *
 * @module
 */
export {
  type Dataset,
  iidSampler,
  type ImageDataset,
  imageDataset,
  type ImageDatasetInit,
  type Sampler,
  type SamplerState,
  splitDataset,
} from "./dataset.ts";
export { sampleToy, TOY_NAMES, toyDataset, toyModes, toyModeStd, type ToyName } from "./toys.ts";
export { DataFileError } from "./files.ts";
export {
  grayscaleToImages,
  type IdxArray,
  type IdxImagesOptions,
  loadIdxImages,
  parseIdx,
  readIdx,
  resizeBilinear,
  type To32,
} from "./idx.ts";
export { FASHION_MNIST_DIR, loadFashionMnist, loadMnist, type MnistOptions } from "./mnist.ts";
export { loadCifar10 } from "./cifar10.ts";
export { type CropBox, type ImageFolderOptions, loadImageFolder } from "./image_folder.ts";
export { type GtsrbOptions, loadGtsrb } from "./gtsrb.ts";
export { addNoise, gaussianBlur } from "./degrade.ts";
export { decodeImage, IMAGE_EXTENSIONS, type RgbImage } from "./image_decode.ts";

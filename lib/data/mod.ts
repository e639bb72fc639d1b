/**
 * Data sources: 2-D toys, MNIST (embedded), IDX, CIFAR-10 and PNG folders.
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
} from "./dataset.ts";
export { sampleToy, TOY_NAMES, toyDataset, toyModes, toyModeStd, type ToyName } from "./toys.ts";

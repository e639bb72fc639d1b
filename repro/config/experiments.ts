/**
 * What an experiment is, as data: its arms (an algorithm with its two networks), its data and its profiles. The
 * experiments themselves are files (`experiments/*.toml`, read by `registry.ts`; a user's own file runs the same
 * way, see `experiment_file.ts`); this module holds their types and the standard profiles a file's `[profiles]`
 * changes.
 *
 * @module
 */
import type { Activation, AlgorithmName, AlgorithmOverrides, CriticNorm, Init, ToyName } from "../../mod.ts";
import type { To32 } from "../../lib/data/mod.ts";

/**
 * A network's structure as data; its width comes from the profile (`hidden`
 * for MLPs, `width` for DCGAN models) and everything is resolved per arm in
 * `arm_config.ts`.
 */
export type ModelSpec =
  | {
    kind: "mlp";
    hiddenLayers: number;
    activation?: Activation;
    init?: Init;
    outputActivation?: Activation;
    /** Units per hidden layer (default: the run's `hidden`). */
    hidden?: number;
  }
  | {
    kind: "dcgan";
    batchNorm?: boolean;
    filters?: "pyramid" | "constant";
    norm?: CriticNorm;
    init?: Init;
    /** Filters (default: the run's `width`). */
    width?: number;
  }
  /** A generator held fixed at the data plus N(0, sigma²·I), not trained (WGAN-GP Fig. 1a; `Trainer`'s `fixedGenerator`). */
  | { kind: "noisy-data"; sigma: number };

/** One arm: an algorithm with its models. */
export interface ArmSpec {
  id: string;
  algorithm: AlgorithmName;
  overrides?: AlgorithmOverrides;
  generator: ModelSpec;
  critic: ModelSpec;
}

/** Profiles: CI-sized, this machine's default, and the paper's iteration counts. */
export type ProfileName = "quick" | "default" | "paper";

/** Settings a user can change with `--set key=value` (typed from these defaults). */
export interface Settings {
  /** Generator iterations per run. */
  iterations: number;
  /** Evaluate quality (and checkpoint) every this many generator iterations. */
  evalEvery: number;
  /** Record a steps.csv row every this many generator iterations. */
  logEvery: number;
  /** Generated (and real) samples per evaluation. */
  evalSamples: number;
  /** Seeds when --seeds is not given: 0..seeds-1. */
  seeds: number;
  batchSize: number;
  /** Filters of the DCGAN models (`ngf` = `ndf`); the paper uses 64. */
  width: number;
  /** Units of the MLP layers; the paper uses 512. */
  hidden: number;
  /** Image side for image experiments: 28 (native) or 32 (as the official code's DCGAN models). */
  imageSize: number;
  /** How 28×28 digits become 32×32: "bilinear" (the official code's `Scale(32)`) or "pad" with background. */
  resizeTo32: To32;
  /** Use the official WGAN code's Diters warm-up schedule for clipped arms. */
  dItersSchedule: boolean;
  /**
   * Train the GAN on every image, the held-out ones too, as the official WGAN code (which holds none out) does;
   * the held-out images still score the samples (then in-sample), and the feature classifier still trains on the
   * rest. Only for datasets the harness splits itself (not Fashion-MNIST's own test split).
   */
  trainOnHeldOut: boolean;
  /** Round the training images to 8 bits after resizing, as the official code's PNG pipeline (PIL) does. */
  quantize8bit: boolean;
}

/** The paper claims a verdict can be computed for. */
export type ClaimId =
  | "loss-tracks-quality"
  | "gan-loss-does-not"
  | "wgan-trains-where-gan-fails"
  | "adam-less-stable"
  | "clipping-gradients-explode-or-vanish"
  | "penalty-gradients-level"
  | "clipping-piles-weights-at-c"
  | "both-losses-train"
  | "wgan-no-mode-collapse"
  | "penalty-critic-fits-closer"
  | "penalty-beats-clipping-per-iteration"
  | "penalty-beats-clipping-per-second"
  | "gan-faster-in-wall-clock"
  | "div-beats-penalty"
  | "better-end-quality";

/** The image data sets `--dataset` reads (`kind:ARG`); the first two are embedded. */
export const DATASET_KINDS = ["mnist", "fashion-mnist", "idx", "cifar10", "gtsrb", "folder"] as const;
export type DatasetKind = typeof DATASET_KINDS[number];

/**
 * An experiment file's own protocol (a user's study; the built-in experiments' are `repro/protocol.toml`'s): the
 * verdict seeds, horizon, cadence and claims, fixed in the file before its runs, and, where a claim should read other
 * arms than its rule picks by itself, the arms of each instance by role.
 */
export interface ExperimentProtocol {
  seeds: number[];
  iterations: number;
  evalEvery: number;
  claims: ClaimId[];
  instances: { claim: ClaimId; arms: Record<string, string>; title?: string }[];
}

/**
 * An experiment: data, arms and profiles. The claims it tests, its verdict seeds and its default profile's horizon
 * and cadence are the protocol's (`repro/protocol.toml`), not the registry's.
 */
export interface ExperimentSpec {
  id: string;
  title: string;
  /** Where in the papers the experiment comes from. */
  source: string;
  /** A toy, or images: of one data set (`dataset`, the default `--dataset`), or of any (MNIST by default). */
  data: { kind: "toy"; toy: ToyName } | { kind: "image"; dataset?: DatasetKind };
  noiseDim: number;
  arms: ArmSpec[];
  profiles: Record<ProfileName, Settings>;
  /** Seconds per generator iteration per arm, measured on the reference 2-core CPU (wasm), for the up-front estimate. */
  secondsPerIteration: Record<string, number>;
  /** A user's file's own protocol (absent for the built-in experiments: theirs is `repro/protocol.toml`). */
  protocol?: ExperimentProtocol;
  /** The file a user's experiment came from, and the FNV-1a of its text (absent for the built-in experiments). */
  file?: { path: string; fingerprint: string };
}

/**
 * The official MLP_G / MLP_D: 3 hidden layers (4 linear layers; the paper's "4 layers"); the official MLP_G has no
 * output activation (`outputActivation` bounds a generator's samples, e.g. "tanh").
 */
export const mlp = (init?: Init, outputActivation?: Activation): ModelSpec => ({
  kind: "mlp",
  hiddenLayers: 3,
  ...(init ? { init } : {}),
  ...(outputActivation ? { outputActivation } : {}),
});
/** The DCGAN generator or critic, with the experiment's variant options. */
export const dcgan = (opts: Omit<Extract<ModelSpec, { kind: "dcgan" }>, "kind"> = {}): ModelSpec => ({
  kind: "dcgan",
  ...opts,
});

/** Seconds per generator iteration by algorithm, for an arm whose file gives none (the built-in arms' medians). */
export const DEFAULT_SECONDS_PER_ITERATION: Record<"toy" | "image", Record<AlgorithmName, number>> = {
  toy: { "wgan": 0.036, "wgan-gp": 0.066, "wgan-div": 0.096, "gan": 0.012 },
  image: { "wgan": 0.31, "wgan-gp": 1.0, "wgan-div": 1.4, "gan": 0.08 },
};

const TOY_BASE: Settings = {
  iterations: 0,
  evalEvery: 0,
  logEvery: 0,
  evalSamples: 512,
  seeds: 0,
  batchSize: 256,
  width: 0,
  hidden: 512,
  imageSize: 28,
  resizeTo32: "bilinear",
  dItersSchedule: false,
  trainOnHeldOut: false,
  quantize8bit: false,
};

/** The toys' standard profiles (gan_toy.py's batch 256; widths 64/128/512). */
export const TOY_PROFILES: Record<ProfileName, Settings> = {
  // evaluations every 10 iterations: 6 per run, enough for the correlation verdicts to be computed at all
  quick: { ...TOY_BASE, iterations: 60, evalEvery: 10, logEvery: 5, seeds: 2, hidden: 64, batchSize: 64 },
  // iterations, cadence and seeds: the protocol's (repro/protocol.toml) when a run is resolved
  default: { ...TOY_BASE, iterations: 1000, evalEvery: 100, logEvery: 10, seeds: 5, hidden: 128 },
  paper: { ...TOY_BASE, iterations: 100_000, evalEvery: 2000, logEvery: 100, seeds: 5, hidden: 512 },
};

/** The image experiments' standard profiles. */
export const IMAGE_PROFILES: Record<ProfileName, Settings> = {
  quick: {
    iterations: 6,
    evalEvery: 3,
    logEvery: 1,
    evalSamples: 200,
    seeds: 2,
    batchSize: 16,
    width: 4,
    hidden: 32,
    imageSize: 28,
    resizeTo32: "bilinear",
    dItersSchedule: false,
    trainOnHeldOut: false,
    quantize8bit: false,
  },
  // The default profile's iterations, evaluation cadence and seeds are replaced by the protocol's
  // (repro/protocol.toml) when a run is resolved; the values here are the fallback of an experiment it lacks.
  // Sized on the reference 2-core machine (native backend, `--jobs 2`, one thread per worker): a width-16 DCGAN
  // WGAN run of 2,000 generator iterations takes ~3 min, a GAN run ~1 min; by 2,000 iterations the clipped DCGAN
  // WGAN's FID has fallen from ~580 to ~35 with recognisable digits of every class (measured, seed 0).
  default: {
    iterations: 2000,
    evalEvery: 100,
    logEvery: 10,
    evalSamples: 1000,
    seeds: 5,
    batchSize: 64,
    width: 16,
    hidden: 512,
    imageSize: 28,
    resizeTo32: "bilinear",
    dItersSchedule: true,
    trainOnHeldOut: false,
    quantize8bit: false,
  },
  paper: {
    iterations: 100_000,
    evalEvery: 2000,
    logEvery: 50,
    evalSamples: 5000,
    seeds: 5,
    batchSize: 64,
    width: 64,
    hidden: 512,
    imageSize: 32,
    resizeTo32: "bilinear",
    dItersSchedule: true,
    trainOnHeldOut: false,
    quantize8bit: false,
  },
};

/** Whether an experiment's arms hold the generator fixed (critics trained against the data plus noise). */
export function holdsGeneratorFixed(experiment: ExperimentSpec): boolean {
  return experiment.arms.some((a) => a.generator.kind === "noisy-data");
}

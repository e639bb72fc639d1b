/**
 * The benchmarked work: one critic step or one generator step of a model
 * pair under an algorithm at a batch size, with its fixtures (models,
 * optimizers, batches) built once outside the timed function. Shared by
 * `deno bench` and the CSV exporter; `bench/reference/torch_bench.py` times the
 * same steps in PyTorch.
 *
 * @module
 */
import {
  adversarialLoss,
  algorithm,
  type AlgorithmName,
  createOptimizer,
  dcganCritic,
  dcganGenerator,
  lipschitzTerm,
  mlpCritic,
  mlpGenerator,
  type Model,
  Rng,
  tf,
} from "../mod.ts";
import { criticStep, generatorStep } from "../lib/train/mod.ts";

/**
 * A benchmarked model pair: `mlp-28` (the reference MLPs, 512 hidden units), `dcgan-32` and `dcgan-64` (DCGANs
 * with 64 filters, 3 channels), or a DCGAN at another width, `dcgan-<32|64>-w<filters>` (the scaling table's
 * `dcgan-32-w16`).
 */
export type BenchModel = string;
/** The standard rows (`deno bench`, `bench:csv`'s default), in table order. */
export const BENCH_MODELS: readonly BenchModel[] = ["mlp-28", "dcgan-32", "dcgan-64"];
/** The scaling table's models (issue #27): DCGAN widths 16, 32 and 64 at 32 and 64 pixels. */
export const SCALE_MODELS: readonly BenchModel[] = [
  "dcgan-32-w16",
  "dcgan-32-w32",
  "dcgan-32",
  "dcgan-64-w16",
  "dcgan-64-w32",
  "dcgan-64",
];
/** The scaling table's batch sizes. */
export const SCALE_BATCHES: readonly number[] = [32, 64, 128];
/** Algorithms in table order (the first is each group's baseline). */
export const BENCH_ALGORITHMS: readonly AlgorithmName[] = ["wgan", "wgan-gp", "wgan-div", "gan"];
/** Step kinds. */
export type StepKind = "critic" | "generator";

/** The shape of a benchmarked model pair (kept in sync with the PyTorch reference's `shape()`). */
export interface ModelShape {
  kind: "mlp" | "dcgan";
  /** Height, width, channels. */
  image: [number, number, number];
  /** DCGAN filters (`ngf` = `ndf`); 0 for the MLP. */
  width: number;
  /** MLP hidden units; 0 for the DCGAN. */
  hidden: number;
}

/** The shape `model` names; an unknown name throws one line that lists the forms. */
export function modelShape(model: BenchModel): ModelShape {
  if (model === "mlp-28") return { kind: "mlp", image: [28, 28, 1], width: 0, hidden: 512 };
  const m = /^dcgan-(32|64)(?:-w([1-9][0-9]*))?$/.exec(model);
  if (!m) {
    throw new Error(
      `Cannot bench model "${model}": choose mlp-28, dcgan-32, dcgan-64 or a DCGAN width as dcgan-32-w16`,
    );
  }
  const size = Number(m[1]);
  return { kind: "dcgan", image: [size, size, 3], width: m[2] ? Number(m[2]) : 64, hidden: 0 };
}

/** Default timed repetitions: fewer for heavier work (about a second per row on the native backend here). */
export function defaultReps(model: BenchModel, batch = 64): number {
  const { kind, image: [size], width } = modelShape(model);
  const base = kind === "mlp" ? 15 : size === 32 ? 5 : 3;
  return Math.max(3, Math.min(4 * base, Math.round(base * (64 / batch) * (kind === "mlp" ? 1 : 64 / width))));
}

const NZ = 100;

function models(model: BenchModel, alg: AlgorithmName): { generator: Model; critic: Model } {
  const { kind, image: [size, , channels], width } = modelShape(model);
  if (kind === "mlp") {
    return {
      generator: mlpGenerator({ seed: 1, noiseDim: NZ, outputShape: [28, 28, 1] }),
      critic: mlpCritic({ seed: 2, inputShape: [28, 28, 1] }),
    };
  }
  const penalised = alg === "wgan-gp" || alg === "wgan-div";
  return {
    generator: dcganGenerator({ seed: 1, imageSize: size as 32 | 64, channels, noiseDim: NZ, width }),
    critic: dcganCritic({
      seed: 2,
      imageSize: size as 32 | 64,
      channels,
      width,
      norm: penalised ? "layer" : "batch",
    }),
  };
}

/** A step ready to time: `run()` does one step and waits for its result. */
export interface StepFixture {
  run(): Promise<void>;
  dispose(): void;
}

/** Builds the fixture for one (model, algorithm, step kind, batch). */
export function stepFixture(model: BenchModel, alg: AlgorithmName, kind: StepKind, batch = 64): StepFixture {
  const spec = algorithm(alg, { batchSize: batch });
  const { generator, critic } = models(model, alg);
  const rng = new Rng(3);
  const shape = modelShape(model).image;
  const real = tf.tensor(rng.uniforms(batch * shape[0] * shape[1] * shape[2], -1, 1), [batch, ...shape]);
  const noise = tf.tensor(rng.normals(batch * NZ), [batch, NZ]);
  const optimizer = createOptimizer(spec.optimizer);
  const loss = adversarialLoss(spec.loss);
  const lipschitz = lipschitzTerm(spec.lipschitz);
  const run = kind === "critic"
    ? async () => {
      const stats = tf.tidy(() =>
        criticStep({ critic, loss, lipschitz, optimizer, penaltyRng: rng }, real, generator.apply(noise))
      );
      await stats.data();
      stats.dispose();
    }
    : async () => {
      const g = generatorStep({ generator, critic, loss, optimizer }, noise);
      await g.data();
      g.dispose();
    };
  return {
    run,
    dispose: () => {
      tf.dispose([real, noise]);
      optimizer.dispose();
      generator.dispose();
      critic.dispose();
    },
  };
}

/** Multiply-add FLOPs (2 per MAC) of one forward pass of one sample through the matmul/conv layers. */
export function forwardFlops(model: BenchModel, net: "generator" | "critic"): number {
  const { kind, image: [size, , c], width, hidden } = modelShape(model);
  if (kind === "mlp") {
    const dims = net === "generator"
      ? [NZ, hidden, hidden, hidden, hidden, 784]
      : [784, hidden, hidden, hidden, hidden, 1];
    return dims.slice(1).reduce((s, d, i) => s + 2 * dims[i] * d, 0);
  }
  const layers = Math.round(Math.log2(size / 4));
  let flops = 0;
  if (net === "generator") {
    let ch = width * 2 ** (layers - 1), s = 4;
    flops += 2 * NZ * ch * 16; // noise → 4×4×ch
    for (let i = 0; i < layers; i++) {
      const out = i === layers - 1 ? c : ch / 2;
      flops += 2 * 16 * ch * out * s * s; // transposed conv: every input pixel × 4×4 kernel
      ch = out;
      s *= 2;
    }
  } else {
    let cin = c, s = size;
    for (let i = 0; i < layers; i++) {
      const cout = width * 2 ** i;
      s /= 2;
      flops += 2 * 16 * cin * cout * s * s;
      cin = cout;
    }
    flops += 2 * 16 * cin; // final 4×4 → 1
  }
  return flops;
}

/**
 * Estimated FLOPs of one step at `batch`: a forward pass costs F, its
 * backward 2F; a penalty adds a forward and input-gradient pass at the
 * penalty points and differentiates that again (≈ 2 × 3F): 9F per point set.
 * WGAN-div's points are the loss's own batches, whose forward pass and its
 * backward (3F) the term shares: 6F for each of the two.
 */
export function stepFlops(model: BenchModel, alg: AlgorithmName, kind: StepKind, batch = 64): number {
  const g = forwardFlops(model, "generator"), d = forwardFlops(model, "critic");
  if (kind === "generator") return batch * (3 * g + 3 * d);
  const penalty = alg === "wgan-gp" ? 9 : alg === "wgan-div" ? 2 * 6 : 0;
  return batch * (g + 2 * 3 * d + penalty * d);
}

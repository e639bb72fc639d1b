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

/** Benchmarked model pairs. */
export type BenchModel = "mlp-28" | "dcgan-32" | "dcgan-64";
/** Models in table order. */
export const BENCH_MODELS: readonly BenchModel[] = ["mlp-28", "dcgan-32", "dcgan-64"];
/** Algorithms in table order (the first is each group's baseline). */
export const BENCH_ALGORITHMS: readonly AlgorithmName[] = ["wgan", "wgan-gp", "wgan-div", "gan"];
/** Step kinds. */
export type StepKind = "critic" | "generator";

/** Shapes of the benchmarked models (kept in sync with the PyTorch reference). */
export const MODEL_SHAPES: Record<BenchModel, { image: [number, number, number]; width: number; hidden: number }> = {
  "mlp-28": { image: [28, 28, 1], width: 0, hidden: 512 },
  "dcgan-32": { image: [32, 32, 3], width: 64, hidden: 0 },
  "dcgan-64": { image: [64, 64, 3], width: 64, hidden: 0 },
};

const NZ = 100;

function models(model: BenchModel, alg: AlgorithmName): { generator: Model; critic: Model } {
  const [size, , channels] = MODEL_SHAPES[model].image;
  if (model === "mlp-28") {
    return {
      generator: mlpGenerator({ seed: 1, noiseDim: NZ, outputShape: [28, 28, 1] }),
      critic: mlpCritic({ seed: 2, inputShape: [28, 28, 1] }),
    };
  }
  const penalised = alg === "wgan-gp" || alg === "wgan-div";
  return {
    generator: dcganGenerator({ seed: 1, imageSize: size as 32 | 64, channels, noiseDim: NZ }),
    critic: dcganCritic({ seed: 2, imageSize: size as 32 | 64, channels, norm: penalised ? "layer" : "batch" }),
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
  const shape = MODEL_SHAPES[model].image;
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
  const { image: [size, , c], width, hidden } = MODEL_SHAPES[model];
  if (model === "mlp-28") {
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
 * penalty points and differentiates that again (≈ 2 × 3F).
 */
export function stepFlops(model: BenchModel, alg: AlgorithmName, kind: StepKind, batch = 64): number {
  const g = forwardFlops(model, "generator"), d = forwardFlops(model, "critic");
  if (kind === "generator") return batch * (3 * g + 3 * d);
  const penaltyPoints = alg === "wgan-gp" ? 1 : alg === "wgan-div" ? 2 : 0;
  return batch * (g + 2 * 3 * d + penaltyPoints * 9 * d);
}

/**
 * The training loop: n_critic critic steps, then one generator step. Knows
 * nothing about files or printing; `train()` reports through a callback.
 * Values are read from the device only when asked (`stats()`), with
 * `await data()`, never `dataSync()`.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import { type AlgorithmSpec, criticIterations } from "../algorithms/mod.ts";
import type { Dataset, Sampler, SamplerState } from "../data/dataset.ts";
import { type LipschitzTerm, lipschitzTerm } from "../lipschitz/mod.ts";
import { type AdversarialLoss, adversarialLoss } from "../losses/mod.ts";
import type { Model } from "../models/model.ts";
import { createOptimizer, type Optimizer, type OptimizerState } from "../optim/mod.ts";
import { Rng, type RngState } from "../random.ts";
import { criticStep, generatorStep } from "./steps.ts";

/** Options of {@linkcode Trainer}. */
export interface TrainerOptions {
  /** The generator to train; leave it out with `fixedGenerator`. */
  generator?: Model;
  /**
   * Hold the generator fixed at the data plus Gaussian noise of this standard deviation instead of training one (WGAN-GP
   * Fig. 1a trains critics "to optimality" against the real distribution plus unit-variance noise): each critic
   * step's fake batch is a batch from a second stream of `data` plus `sigma` times the run's noise, and no generator
   * step runs (an iteration is its critic steps; its generator loss is the fixed generator's against the critic).
   */
  fixedGenerator?: FixedGenerator;
  critic: Model;
  algorithm: AlgorithmSpec;
  data: Dataset;
  /** Run seed: noise, batches and penalty draws derive from it. */
  seed: number;
}

/** A generator held fixed at the data plus N(0, sigma²·I) (see {@linkcode TrainerOptions.fixedGenerator}). */
export interface FixedGenerator {
  sigma: number;
}

/** Scalars of the last generator iteration (critic values from its last critic step). */
export interface IterationStats {
  /** Generator iterations completed. */
  generatorIteration: number;
  /** Critic iterations run before that generator step. */
  criticIterations: number;
  /** Critic loss including the penalty. */
  criticLoss: number;
  /** −(critic loss without penalty): E[D(real)] − E[D(fake)] for the Wasserstein loss. */
  wassersteinEstimate: number;
  /** Mean critic output on the real batch. */
  dReal: number;
  /** Mean critic output on the fake batch. */
  dFake: number;
  generatorLoss: number;
  /** The Lipschitz penalty (0 for clipping and the standard GAN). */
  penalty: number;
  /**
   * cos(update, −gradient) of the last critic step (see `updateCosine`): measured on iterations whose statistics
   * `train` reads, NaN on others.
   */
  criticUpdateCosine: number;
}

/** Everything needed to continue a run exactly (besides the model weights). */
export interface TrainerState {
  generatorIteration: number;
  noiseRng: RngState;
  penaltyRng: RngState;
  sampler: SamplerState;
  /** The fixed generator's data stream (with `fixedGenerator` only). */
  fixedSampler?: SamplerState;
  generatorWeights: Float32Array[];
  criticWeights: Float32Array[];
  generatorOptimizer: OptimizerState;
  criticOptimizer: OptimizerState;
}

/**
 * A WGAN (or GAN) trainer over one generator/critic pair.
 *
 * @example
 * ```ts
 * import { algorithm, mlpCritic, mlpGenerator, toyDataset, Trainer } from "wgan-bench";
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   algorithm: algorithm("wgan-gp", { batchSize: 16 }),
 *   data: toyDataset("8gaussians"),
 *   seed: 0,
 * });
 * trainer.step();
 * const s = await trainer.stats();
 * if (s.generatorIteration !== 1 || s.criticIterations !== 5) throw new Error("one iteration, five critic steps");
 * trainer.dispose();
 * ```
 */
export class Trainer {
  readonly critic: Model;
  /** The fixed generator, when the trainer holds one (see {@linkcode TrainerOptions.fixedGenerator}). */
  readonly fixedGenerator: FixedGenerator | null;
  readonly algorithm: AlgorithmSpec;
  readonly loss: AdversarialLoss;
  readonly lipschitz: LipschitzTerm;
  readonly generatorOptimizer: Optimizer;
  readonly criticOptimizer: Optimizer;
  #generator: Model | null;
  #sampler: Sampler;
  #fixedSampler: Sampler | null;
  #noiseRng: Rng;
  #penaltyRng: Rng;
  #iteration = 0;
  #lastCriticIterations = 0;
  #last: Tensor | null = null;
  #sampleShape: number[];

  constructor(opts: TrainerOptions) {
    const shape = opts.data.sampleShape.join("x");
    const fixed = opts.fixedGenerator ?? null;
    if (!opts.generator === !fixed) {
      throw new RangeError(
        fixed
          ? "Cannot hold the generator fixed and train one: give either generator or fixedGenerator, not both"
          : "Cannot train without a generator: give generator (or fixedGenerator, the data plus noise)",
      );
    }
    if (fixed && !(fixed.sigma >= 0 && Number.isFinite(fixed.sigma))) {
      throw new RangeError(`Cannot hold the generator fixed with noise sigma ${fixed.sigma}: give a finite sigma ≥ 0`);
    }
    const outShape = opts.generator ? opts.generator.outputShape.join("x") : shape;
    if (outShape !== shape || opts.critic.inputShape.join("x") !== shape) {
      throw new RangeError(
        `Cannot train on "${opts.data.name}" samples of shape ${shape}: generator outputs ${outShape} and critic ` +
          `takes ${opts.critic.inputShape.join("x")}`,
      );
    }
    this.#generator = opts.generator ?? null;
    this.fixedGenerator = fixed ? { sigma: fixed.sigma } : null;
    this.critic = opts.critic;
    this.algorithm = opts.algorithm;
    this.loss = adversarialLoss(opts.algorithm.loss);
    this.lipschitz = lipschitzTerm(opts.algorithm.lipschitz);
    this.generatorOptimizer = createOptimizer(opts.algorithm.optimizer);
    this.criticOptimizer = createOptimizer(opts.algorithm.optimizer);
    const root = new Rng(opts.seed);
    this.#sampler = opts.data.sampler(root.fork("data"));
    this.#fixedSampler = fixed ? opts.data.sampler(root.fork("fixed-generator")) : null;
    this.#noiseRng = root.fork("noise");
    this.#penaltyRng = root.fork("penalty");
    this.#sampleShape = [...opts.data.sampleShape];
    // Algorithm 1 keeps the critic inside the constraint set from the start.
    this.lipschitz.constrain(this.critic.variables);
  }

  /** The generator being trained; throws when the trainer holds its generator fixed (`fixedGenerator`). */
  get generator(): Model {
    if (!this.#generator) {
      throw new Error("This trainer holds its generator fixed (data plus noise): it has no generator model");
    }
    return this.#generator;
  }

  /** Generator iterations completed. */
  get generatorIteration(): number {
    return this.#iteration;
  }

  /** A noise batch `[n, nz]` from the run's noise stream. */
  noise(n: number): Tensor {
    const nz = this.generator.inputShape.reduce((a, b) => a * b, 1);
    return tf.tensor(this.#noiseRng.normals(n * nz), [n, ...this.generator.inputShape]);
  }

  /** A fake batch: the generator's output on fresh noise, or the fixed generator's data plus noise. */
  fakeBatch(n: number): Tensor {
    if (!this.#fixedSampler) return this.generator.apply(this.noise(n));
    const x = this.#fixedSampler.next(n);
    const z = this.#noiseRng.normals(x.length);
    const sigma = this.fixedGenerator!.sigma;
    for (let i = 0; i < x.length; i++) x[i] += sigma * z[i];
    return tf.tensor(x, [n, ...this.#sampleShape]);
  }

  /** The next real batch `[n, ...sampleShape]`. */
  realBatch(n: number): Tensor {
    return tf.tensor(this.#sampler.next(n), [n, ...this.#sampleShape]);
  }

  /**
   * One generator iteration: the scheduled number of critic steps (with `epochBursts`, fewer when the data's epoch
   * ends first, its last batch partial), then one generator step. With `measureUpdate`, the critic steps also
   * measure their update's cosine with the descent direction (`criticUpdateCosine`); the numbers are the same.
   */
  step(measureUpdate = false): void {
    const n = this.algorithm.batchSize;
    const scheduled = criticIterations(this.algorithm, this.#iteration);
    const ctx = {
      critic: this.critic,
      loss: this.loss,
      lipschitz: this.lipschitz,
      optimizer: this.criticOptimizer,
      penaltyRng: this.#penaltyRng,
      constrainBeforeUpdate: this.algorithm.constrainBeforeUpdate,
      measureUpdate,
    };
    let critic: tf.Tensor1D | null = null;
    // a fixed generator's loss is read on the last critic step's fake batch (no generator step draws one)
    const last: { fake: Tensor | null } = { fake: null };
    let iters = 0;
    // a burst never crosses an epoch's end: the first batch of a burst may start a new epoch, later ones may not
    const epochs = this.algorithm.epochBursts;
    while (iters < scheduled && !(epochs && iters > 0 && this.#sampler.remaining() === 0)) {
      const left = this.#sampler.remaining();
      const m = epochs && left > 0 && left < n ? left : n;
      critic?.dispose();
      last.fake?.dispose();
      last.fake = null;
      critic = tf.tidy(() => {
        const real = this.realBatch(m);
        const fake = this.fakeBatch(n);
        if (this.#fixedSampler) last.fake = tf.keep(fake);
        return criticStep(ctx, real, fake);
      });
      iters++;
    }
    const gLoss = this.#fixedSampler
      ? tf.tidy(() => this.loss.generator(this.critic.apply(last.fake!)))
      : tf.tidy(() =>
        generatorStep(
          { generator: this.generator, critic: this.critic, loss: this.loss, optimizer: this.generatorOptimizer },
          this.noise(n),
        )
      );
    last.fake?.dispose();
    this.#last?.dispose();
    this.#last = tf.tidy(() => tf.concat([critic!, gLoss.reshape([1])]));
    critic!.dispose();
    gLoss.dispose();
    this.#iteration += 1;
    this.#lastCriticIterations = iters;
  }

  /** Reads the last iteration's statistics from the device. */
  async stats(): Promise<IterationStats> {
    if (!this.#last) throw new Error("Cannot read training statistics: no iteration has run yet");
    const v = await this.#last.data();
    return {
      generatorIteration: this.#iteration,
      criticIterations: this.#lastCriticIterations,
      criticLoss: v[0],
      wassersteinEstimate: v[1],
      dReal: v[2],
      dFake: v[3],
      penalty: v[4],
      criticUpdateCosine: v[5],
      generatorLoss: v[6],
    };
  }

  /** Everything needed to resume this run exactly. */
  async getState(): Promise<TrainerState> {
    const read = (m: Model) => Promise.all(m.variables.map(async (v) => new Float32Array(await v.data())));
    return {
      generatorIteration: this.#iteration,
      noiseRng: this.#noiseRng.getState(),
      penaltyRng: this.#penaltyRng.getState(),
      sampler: this.#sampler.getState(),
      ...(this.#fixedSampler ? { fixedSampler: this.#fixedSampler.getState() } : {}),
      generatorWeights: this.#generator ? await read(this.#generator) : [],
      criticWeights: await read(this.critic),
      generatorOptimizer: await this.generatorOptimizer.getState(),
      criticOptimizer: await this.criticOptimizer.getState(),
    };
  }

  /** Restores a state from {@linkcode Trainer.getState} (same models and algorithm). */
  setState(state: TrainerState): void {
    const write = (m: Model, values: Float32Array[], what: string) => {
      if (values.length !== m.variables.length) {
        throw new RangeError(`Cannot restore ${what}: expected ${m.variables.length} tensors, got ${values.length}`);
      }
      m.variables.forEach((v, i) => {
        if (values[i].length !== v.size) {
          throw new RangeError(
            `Cannot restore ${what} tensor ${i}: expected ${v.size} values, got ${values[i].length}`,
          );
        }
        tf.tidy(() => v.assign(tf.tensor(values[i], v.shape)));
      });
    };
    if (!!this.#fixedSampler !== !!state.fixedSampler) {
      throw new RangeError(
        `Cannot restore a state of a trainer ${state.fixedSampler ? "with" : "without"} a fixed generator into one ${
          this.#fixedSampler ? "with" : "without"
        }`,
      );
    }
    if (this.#generator) write(this.#generator, state.generatorWeights, "generator weights");
    write(this.critic, state.criticWeights, "critic weights");
    if (this.#generator) this.generatorOptimizer.setState(state.generatorOptimizer, this.#generator.variables);
    this.criticOptimizer.setState(state.criticOptimizer, this.critic.variables);
    this.#noiseRng.setState(state.noiseRng);
    this.#penaltyRng.setState(state.penaltyRng);
    this.#sampler.setState(state.sampler);
    if (state.fixedSampler) this.#fixedSampler!.setState(state.fixedSampler);
    this.#iteration = state.generatorIteration;
    this.#last?.dispose();
    this.#last = null;
  }

  /** Frees optimizer state and the last statistics (the models belong to the caller). */
  dispose(): void {
    this.#last?.dispose();
    this.#last = null;
    this.generatorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }
}

/** Where a {@linkcode train} call stands, passed to its callbacks. */
export interface TrainProgress {
  /** Generator iterations completed (of the trainer, not only of this call). */
  iteration: number;
  /** The iteration this call stops at. */
  end: number;
  /** Seconds this call has spent training (steps and statistics reads; callbacks excluded). */
  trainSeconds: number;
}

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Generator iterations to run (in addition to those already done). */
  iterations: number;
  /** Read and report statistics every this many iterations (default 1), and at every evaluation and the end. */
  logEvery?: number;
  /** Called with each reported iteration's statistics; may be async. */
  onLog?: (stats: IterationStats, progress: TrainProgress) => void | Promise<void>;
  /** Call `onEval` every this many iterations (counted from 0, as `logEvery`); it is always called at the end. */
  evalEvery?: number;
  /**
   * Evaluation, checkpointing, sample grids: called after `onLog` at every
   * `evalEvery`-th iteration and after the last one (not after a divergence);
   * may be async. Its time is not counted as training time.
   */
  onEval?: (progress: TrainProgress) => void | Promise<void>;
  /** Called after every iteration (after `onLog`/`onEval` of that iteration): progress bars. */
  onIteration?: (progress: TrainProgress) => void;
  /** Stops between iterations when aborted. */
  signal?: AbortSignal;
}

/** What a {@linkcode train} call did. */
export interface TrainResult {
  /** The last reported statistics (null when nothing was reported). */
  stats: IterationStats | null;
  /** A reported value was not finite; training stopped there. */
  diverged: boolean;
  /** The signal stopped training before the end. */
  aborted: boolean;
  /** Generator iterations this call ran. */
  iterations: number;
  /** Seconds spent training (callbacks excluded). */
  trainSeconds: number;
}

/**
 * The training loop (the only one: the reproduction harness runs on it too).
 * Runs `iterations` generator iterations, reporting every `logEvery`,
 * evaluating every `evalEvery` and after the last. Stops early when a reported
 * value is not finite (divergence is an outcome, not an exception) or when
 * `signal` is aborted.
 *
 * @example
 * ```ts
 * import { algorithm, mlpCritic, mlpGenerator, toyDataset, train, Trainer } from "wgan-bench";
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 1 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 8, hiddenLayers: 1 }),
 *   algorithm: algorithm("wgan", { batchSize: 8, dItersSchedule: false }),
 *   data: toyDataset("25gaussians"),
 *   seed: 3,
 * });
 * const logged: number[] = [], evaluated: number[] = [];
 * const result = await train(trainer, {
 *   iterations: 5,
 *   logEvery: 2,
 *   onLog: (s) => { logged.push(s.generatorIteration); },
 *   evalEvery: 4,
 *   onEval: (p) => { evaluated.push(p.iteration); },
 * });
 * if (logged.join() !== "2,4,5" || evaluated.join() !== "4,5" || result.diverged) throw new Error(`${logged} ${evaluated}`);
 * trainer.dispose();
 * ```
 */
export async function train(trainer: Trainer, opts: TrainOptions): Promise<TrainResult> {
  const logEvery = opts.logEvery ?? 1;
  const evalEvery = opts.evalEvery ?? Infinity;
  for (const [name, v] of [["iterations", opts.iterations], ["logEvery", logEvery]] as const) {
    if (!(Number.isInteger(v) && v >= (name === "iterations" ? 0 : 1))) {
      throw new RangeError(
        `Cannot train: ${name} must be a ${name === "iterations" ? "non-negative" : "positive"} integer, got ${v}`,
      );
    }
  }
  if (!(evalEvery === Infinity || (Number.isInteger(evalEvery) && evalEvery >= 1))) {
    throw new RangeError(`Cannot train: evalEvery must be a positive integer, got ${evalEvery}`);
  }
  const start = trainer.generatorIteration;
  const end = start + opts.iterations;
  let stats: IterationStats | null = null;
  let trainSeconds = 0;
  const progress = (): TrainProgress => ({ iteration: trainer.generatorIteration, end, trainSeconds });
  const result = (diverged: boolean, aborted: boolean): TrainResult => ({
    stats,
    diverged,
    aborted,
    iterations: trainer.generatorIteration - start,
    trainSeconds,
  });
  // trainer.step() is synchronous: an abort (a signal handler, a timer) is only seen when the event loop runs, so
  // yield to it at least every 200 ms — on a slow backend ten iterations between logs can take a minute
  let lastYield = performance.now();
  while (trainer.generatorIteration < end) {
    if (opts.signal && performance.now() - lastYield > 200) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    if (opts.signal?.aborted) return result(false, true);
    const t0 = performance.now();
    // the update's cosine is measured only on the iterations whose statistics are read (one weight copy each)
    const next = trainer.generatorIteration + 1;
    trainer.step(
      next % logEvery === 0 || next === end || (opts.onEval !== undefined && next % evalEvery === 0),
    );
    const it = trainer.generatorIteration;
    const isEval = opts.onEval !== undefined && (it % evalEvery === 0 || it === end);
    if (it % logEvery === 0 || it === end || isEval) {
      stats = await trainer.stats();
      trainSeconds += (performance.now() - t0) / 1000;
      await opts.onLog?.(stats, progress());
      if (!isFiniteStats(stats)) return result(true, false);
    } else {
      trainSeconds += (performance.now() - t0) / 1000;
    }
    if (isEval) await opts.onEval!(progress());
    opts.onIteration?.(progress());
  }
  return result(false, false);
}
/** True when every reported value is a finite number. */
export function isFiniteStats(s: IterationStats): boolean {
  return [s.criticLoss, s.wassersteinEstimate, s.dReal, s.dFake, s.generatorLoss, s.penalty].every(Number.isFinite);
}

/**
 * One critic step and one generator step. Each runs inside `tf.tidy`, leaves
 * no tensors behind except the kept statistics it returns, and never reads a
 * value back from the device.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { LipschitzTerm } from "../lipschitz/mod.ts";
import type { AdversarialLoss } from "../losses/mod.ts";
import type { Model } from "../models/model.ts";
import type { Optimizer } from "../optim/mod.ts";
import type { Rng } from "../random.ts";

/** What a critic step needs. */
export interface CriticStepContext {
  critic: Model;
  loss: AdversarialLoss;
  lipschitz: LipschitzTerm;
  optimizer: Optimizer;
  /** Draws the gradient penalty's ε. */
  penaltyRng: Rng;
  /** Apply the Lipschitz constraint before the update instead of after (the official WGAN code's order). */
  constrainBeforeUpdate?: boolean;
  /**
   * Measure the cosine between the optimizer's update and the descent direction −∇ (the WGAN paper's Sec. 4.3
   * diagnostic of momentum): one copy of the critic's weights. Reading only: the step's numbers are unchanged.
   */
  measureUpdate?: boolean;
}

/**
 * One critic update on a real and a (detached) fake batch. Returns a kept
 * tensor `[criticLoss, wassersteinEstimate, dReal, dFake, penalty, updateCosine]`
 * that the caller disposes (`updateCosine`: cos(Δθ, −∇θ) over all the critic's
 * weights, the optimizer's own update before any clipping; NaN unless
 * `measureUpdate`). The Lipschitz constraint (clipping) is applied after the
 * update, so the weights always satisfy it after a step; with
 * `constrainBeforeUpdate`, before it (the update then leaves them outside).
 *
 * @example
 * ```ts
 * import { adversarialLoss, createOptimizer, lipschitzTerm, mlpCritic, Rng, tf } from "wgan-bench";
 * import { criticStep } from "wgan-bench/train";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const stats = criticStep({
 *   critic,
 *   loss: adversarialLoss("wasserstein"),
 *   lipschitz: lipschitzTerm({ kind: "gp", lambda: 10 }),
 *   optimizer: createOptimizer({ kind: "adam", lr: 1e-4, beta1: 0, beta2: 0.9, eps: 1e-8 }),
 *   penaltyRng: new Rng(0),
 * }, tf.ones([4, 2]), tf.zeros([4, 2]));
 * if (stats.shape[0] !== 6) throw new Error("six statistics");
 * stats.dispose();
 * ```
 */
export function criticStep(ctx: CriticStepContext, real: Tensor, fake: Tensor): tf.Tensor1D {
  if (ctx.constrainBeforeUpdate) ctx.lipschitz.constrain(ctx.critic.variables);
  const stats = tf.tidy(() => {
    let kept: Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const { dReal, dFake, penalty } = scoreWithPenalty(ctx, real, fake);
      const adversarial = ctx.loss.critic(dReal, dFake);
      const total = penalty ? tf.add(adversarial, penalty) : adversarial;
      kept = [adversarial, tf.mean(dReal), tf.mean(dFake), penalty ?? tf.scalar(0)].map((t) => tf.keep(t));
      return total as tf.Scalar;
    }, ctx.critic.variables as tf.Variable[]);
    const variables = ctx.critic.variables;
    const ordered = variables.map((v) => grads[v.name]);
    const before = ctx.measureUpdate ? variables.map((v) => tf.clone(v)) : null;
    ctx.optimizer.apply(variables, ordered);
    const [adversarial, dReal, dFake, penalty] = kept;
    const cosine = before ? updateCosine(variables, before, ordered) : tf.scalar(NaN);
    const out = tf.stack([value, tf.neg(adversarial), dReal, dFake, penalty, cosine]) as tf.Tensor1D;
    kept.forEach((t) => t.dispose());
    return out;
  });
  if (!ctx.constrainBeforeUpdate) ctx.lipschitz.constrain(ctx.critic.variables);
  return stats;
}

/** The scores and the penalty: from one shared forward pass where the Lipschitz term offers it (WGAN-div). */
function scoreWithPenalty(
  ctx: CriticStepContext,
  real: Tensor,
  fake: Tensor,
): { dReal: Tensor; dFake: Tensor; penalty: tf.Scalar | null } {
  const shared = ctx.lipschitz.scoreWithPenalty?.(ctx.critic, real, fake, ctx.penaltyRng);
  if (shared) return shared;
  const [dReal, dFake] = scoreBoth(ctx.critic, real, fake);
  return { dReal, dFake, penalty: ctx.lipschitz.penalty(ctx.critic, real, fake, ctx.penaltyRng) };
}

/**
 * The critic's scores of the real and the fake batch: one pass over the two stacked where the critic is
 * {@linkcode Model.perSample} (no batch statistics, so the same function up to float32 rounding), else one pass each,
 * as the reference code does (batch norm's statistics are then each batch's own). Measured at one thread in
 * alternating rounds (issue #27): the MLP critic's clipped step ~10% faster, its penalised steps ~2%; the layer-norm
 * DCGAN critic's divergence step ~4%, its gradient-penalty step no different.
 */
export function scoreBoth(critic: Model, real: Tensor, fake: Tensor): [Tensor, Tensor] {
  if (!critic.perSample) return [critic.apply(real), critic.apply(fake)];
  const n = real.shape[0];
  const scores = critic.apply(tf.concat([real, fake]));
  return [scores.slice(0, n), scores.slice(n)];
}

/**
 * cos(Δθ, −g) over every variable at once: Δθ = after − before (the optimizer's update), g the gradient (a missing
 * gradient is zero). 1 for plain gradient descent; RMSProp and Adam with β1 = 0 scale each coordinate by a positive
 * factor, so theirs is positive; only momentum can make it negative.
 */
export function updateCosine(
  after: readonly Tensor[],
  before: readonly Tensor[],
  grads: readonly (Tensor | undefined)[],
): tf.Scalar {
  return tf.tidy(() => {
    let dot: Tensor = tf.scalar(0), du: Tensor = tf.scalar(0), dg: Tensor = tf.scalar(0);
    after.forEach((a, i) => {
      const u = tf.sub(a, before[i]);
      du = tf.add(du, tf.sum(tf.square(u)));
      const g = grads[i];
      if (!g) return;
      dot = tf.sub(dot, tf.sum(tf.mul(u, g)));
      dg = tf.add(dg, tf.sum(tf.square(g)));
    });
    return tf.div(dot, tf.sqrt(tf.mul(du, dg))) as tf.Scalar;
  });
}

/** What a generator step needs. */
export interface GeneratorStepContext {
  generator: Model;
  critic: Model;
  loss: AdversarialLoss;
  optimizer: Optimizer;
}

/**
 * One generator update from a noise batch. Returns the kept scalar generator loss.
 *
 * @example
 * ```ts
 * import { adversarialLoss, createOptimizer, mlpCritic, mlpGenerator, tf } from "wgan-bench";
 * import { generatorStep } from "wgan-bench/train";
 * const generator = mlpGenerator({ seed: 0, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const critic = mlpCritic({ seed: 1, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const optimizer = createOptimizer({ kind: "rmsprop", lr: 5e-5, alpha: 0.99, eps: 1e-8 });
 * const before = Float32Array.from(await generator.variables[0].data());
 * const loss = generatorStep({ generator, critic, loss: adversarialLoss("wasserstein"), optimizer }, tf.ones([4, 2]));
 * const after = await generator.variables[0].data();
 * if (loss.shape.length !== 0 || after.every((x, i) => x === before[i])) throw new Error("a scalar loss; G updated");
 * loss.dispose();
 * ```
 */
export function generatorStep(ctx: GeneratorStepContext, noise: Tensor): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => ctx.loss.generator(ctx.critic.apply(ctx.generator.apply(noise))),
      ctx.generator.variables as tf.Variable[],
    );
    ctx.optimizer.apply(ctx.generator.variables, ctx.generator.variables.map((v) => grads[v.name]));
    return value;
  });
}

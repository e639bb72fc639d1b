/**
 * Shared test helpers: run a test on every backend that initialises here, and
 * check gradients against central finite differences.
 */
import {
  availableBackends,
  type BackendName,
  dcganCritic,
  mlpCritic,
  type Model,
  Rng,
  selectBackend,
  tf,
  type Variable,
} from "../mod.ts";

type Concrete = Exclude<BackendName, "auto">;

async function testBackends(): Promise<Concrete[]> {
  const wanted = Deno.env.get("WGAN_TEST_BACKENDS");
  const available = await availableBackends();
  if (!wanted) return available.filter((b) => b !== "tensorflow" || available.includes("tensorflow"));
  const names = wanted.split(",").map((s) => s.trim()).filter(Boolean) as Concrete[];
  const missing = names.filter((n) => !available.includes(n));
  if (missing.length) {
    throw new Error(`WGAN_TEST_BACKENDS asks for ${missing.join(", ")}, which do not initialise here`);
  }
  return names;
}

/** Backends the suite runs on: all that initialise here, or WGAN_TEST_BACKENDS. */
export const BACKENDS: Concrete[] = await testBackends();
console.log(`test backends: ${BACKENDS.join(", ")}`);

/** Registers `fn` as one Deno test per backend (or per listed backend that is available). */
export function backendTest(
  name: string,
  fn: (backend: Concrete) => Promise<void> | void,
  options: { only?: Concrete[] } = {},
): void {
  for (const backend of BACKENDS) {
    if (options.only && !options.only.includes(backend)) continue;
    Deno.test({
      name: `${name} [${backend}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        await selectBackend(backend);
        await fn(backend);
      },
    });
  }
}

/** One directional-derivative comparison. */
export interface FdResult {
  analytic: number;
  numeric: number;
  relErr: number;
}

/**
 * Compares ⟨∇L, d⟩ from `tf.variableGrads` with (L(w + h·d) − L(w − h·d)) / 2h
 * along unit directions `d` over all `variables`: the normalised analytic
 * gradient (so a wrong magnitude or direction shows at full signal), then
 * random directions.
 *
 * A LeakyReLU/ReLU critic's input gradient jumps where a unit changes sign, so
 * a difference quotient whose ±h step crosses such a kink is meaningless. Each
 * direction is therefore tried at several step sizes and the closest estimate
 * is kept: a kink crossing is sporadic (it disappears at a smaller h), while a
 * wrong derivative is systematic and shows at every h.
 */
export async function finiteDifferenceCheck(
  loss: () => tf.Scalar,
  variables: readonly Variable[],
  opts: { steps?: number[]; directions?: number; seed?: number } = {},
): Promise<FdResult[]> {
  const steps = opts.steps ?? [1e-3, 3e-4, 1e-4];
  const rng = new Rng(opts.seed ?? 7);
  const { grads } = tf.variableGrads(loss, variables as Variable[]);
  const gradValues = await Promise.all(
    variables.map(async (v) => grads[v.name] ? await grads[v.name].data() : new Float32Array(v.size)),
  );
  Object.values(grads).forEach((g) => g.dispose());
  const original = await Promise.all(variables.map(async (v) => new Float32Array(await v.data())));
  const evalAt = async (dirs: Float32Array[], scale: number) => {
    variables.forEach((v, i) => {
      const w = original[i].map((x, j) => x + scale * dirs[i][j]);
      tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
    });
    const l = loss();
    const value = (await l.data())[0];
    l.dispose();
    return value;
  };
  const results: FdResult[] = [];
  for (let k = 0; k < (opts.directions ?? 3); k++) {
    // The first direction is the analytic gradient itself (largest signal); the rest are random.
    const dirs = k === 0 ? gradValues.map((g) => Float32Array.from(g)) : variables.map((v) => rng.normals(v.size));
    const norm = Math.sqrt(dirs.reduce((s, d) => s + d.reduce((a, x) => a + x * x, 0), 0));
    dirs.forEach((d) => d.forEach((x, j) => (d[j] = x / norm)));
    let analytic = 0;
    dirs.forEach((d, i) => d.forEach((x, j) => (analytic += x * gradValues[i][j])));
    let best: FdResult | null = null;
    for (const h of steps) {
      const numeric = ((await evalAt(dirs, h)) - (await evalAt(dirs, -h))) / (2 * h);
      const relErr = Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-12);
      if (!best || relErr < best.relErr) best = { analytic, numeric, relErr };
    }
    results.push(best!);
  }
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(original[i], v.shape))));
  return results;
}

/** The FD critics: a small LeakyReLU MLP and a 28×28 DCGAN critic with layer norm, with fixed batches. */
export const FD_CASES = {
  mlp: {
    critic: () =>
      mlpCritic({ seed: 3, inputShape: [3], hidden: 6, hiddenLayers: 2, activation: "leaky-relu", init: "he" }),
    real: () => normalTensor(1, [4, 3]),
    fake: () => normalTensor(2, [4, 3]),
    tolerance: { along: 2e-3, random: 1e-2 },
  },
  conv: {
    critic: () => dcganCritic({ seed: 3, imageSize: 28, channels: 1, width: 2, norm: "layer", init: "he" }),
    real: () => normalTensor(1, [2, 28, 28, 1]),
    fake: () => normalTensor(2, [2, 28, 28, 1]),
    tolerance: { along: 5e-3, random: 5e-2 },
  },
} as const;

/** Asserts that `penalty(critic, real, fake)`'s weight gradients match finite differences for an FD case. */
export async function assertPenaltyMatchesFiniteDifferences(
  which: keyof typeof FD_CASES,
  penalty: (critic: Model, real: tf.Tensor, fake: tf.Tensor) => tf.Scalar,
): Promise<void> {
  const c = FD_CASES[which];
  const critic = c.critic(), real = c.real(), fake = c.fake();
  const r = await finiteDifferenceCheck(() => penalty(critic, real, fake), critic.variables, { directions: 4 });
  critic.dispose();
  tf.dispose([real, fake]);
  if (!(alongGradient(r) < c.tolerance.along)) throw new Error(`along the gradient: ${JSON.stringify(r[0])}`);
  if (!(medianRandom(r) < c.tolerance.random)) throw new Error(`random directions: ${JSON.stringify(r)}`);
}

/** Relative error along the gradient direction (the first result). */
export function alongGradient(results: FdResult[]): number {
  return results[0].relErr;
}

/** Median relative error over the random directions (all results but the first). */
export function medianRandom(results: FdResult[]): number {
  const errs = results.slice(1).map((r) => r.relErr).sort((a, b) => a - b);
  return errs[Math.floor(errs.length / 2)];
}

/** Reads a scalar. */
export async function scalarValue(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

/** A fixed batch of normal values as a tensor. */
export function normalTensor(seed: number, shape: number[], std = 1): tf.Tensor {
  return tf.tensor(new Rng(seed).normals(shape.reduce((a, b) => a * b, 1), 0, std), shape);
}

/** A tiny custom critic D(x) = Σ_j v_j · act(W x)_j, for activations the model builders do not offer. */
export function tinyCritic(seed: number, inDim: number, hidden: number, act: (t: tf.Tensor) => tf.Tensor): Model {
  const rng = new Rng(seed);
  const w = tf.variable(tf.tensor(rng.normals(inDim * hidden, 0, 0.7), [inDim, hidden]));
  const v = tf.variable(tf.tensor(rng.normals(hidden, 0, 0.7), [hidden, 1]));
  return {
    description: "tiny critic",
    inputShape: [inDim],
    outputShape: [],
    variables: [w, v],
    apply: (x) => tf.matMul(act(tf.matMul(x, w)), v).reshape([x.shape[0]]),
    dispose: () => [w, v].forEach((t) => t.dispose()),
  };
}

/** Largest absolute elementwise difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Largest absolute value. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** A linear critic D(x) = x·w, whose penalties have closed forms. */
export function linearCritic(w: number[]): Model {
  const v = tf.variable(tf.tensor2d(w, [w.length, 1]));
  return {
    description: "linear",
    inputShape: [w.length],
    outputShape: [],
    variables: [v],
    apply: (x) => tf.matMul(x, v).reshape([x.shape[0]]),
    dispose: () => v.dispose(),
  };
}

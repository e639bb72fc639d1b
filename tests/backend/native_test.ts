/**
 * The native backend against tfjs's own cpu kernels: every kernel it
 * replaces, on shapes that exercise each code path (batch broadcasting,
 * strides, padding, dilation, narrow and wide channels, every broadcast
 * pattern, special values), plus its start-up failures in a subprocess.
 * The finite-difference, determinism and leak tests of the foundation run on
 * it through `backendTest` like on every other backend.
 */
import assert from "node:assert/strict";
import { createOptimizer, selectBackend, tf } from "../../mod.ts";
import { chooseGemm, loadBlas, loadOneDnn } from "../../lib/backend/mod.ts";
import type { OneDnn, PassOp } from "../../lib/backend/native/onednn.ts";
import { OPTIMIZER_PASSES } from "../../lib/backend/native/optimizer_kernels.ts";
import { batchNorm } from "../../lib/models/mod.ts";
import { convInfo } from "../../lib/backend/native/conv_kernels.ts";
import {
  DNNL_MIN_ELEMENTS,
  DNNL_SINGLE_THREAD_MIN_ELEMENTS,
  dnnlMinElements,
  onDnnl,
} from "../../lib/backend/native/elementwise.ts";
import { BACKENDS } from "../helpers.ts";
import { tempFile } from "../temp.ts";

const HAS_NATIVE = BACKENDS.includes("native");
/** oneDNN is installed here (CI installs libdnnl2): the native convolutions must then run on it. */
const HAS_DNNL = HAS_NATIVE && loadOneDnn().ok;

/** Runs `f` on cpu and on native with the same inputs; returns both outputs' values. */
async function both(f: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[], number[][]]> {
  const out: Float32Array[][] = [];
  let shapes: number[][] = [];
  for (const name of ["cpu", "native"] as const) {
    await selectBackend(name);
    const r = tf.tidy(f);
    const list = Array.isArray(r) ? r : [r];
    shapes = list.map((t) => t.shape);
    out.push(await Promise.all(list.map(async (t) => new Float32Array(await t.data()))));
    tf.dispose(list);
  }
  return [out[0], out[1], shapes];
}

function assertClose(cpu: Float32Array, native: Float32Array, tol: number, what: string): void {
  assert.equal(native.length, cpu.length, `${what}: length`);
  for (let i = 0; i < cpu.length; i++) {
    const a = cpu[i], b = native[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(b), `${what}[${i}]: cpu ${a}, native ${b}`);
      continue;
    }
    if (tol === 0) assert.ok(Object.is(a, b) || a === b, `${what}[${i}]: cpu ${a}, native ${b}`);
    else assert.ok(a === b || Math.abs(a - b) <= tol * (1 + Math.abs(a)), `${what}[${i}]: cpu ${a}, native ${b}`);
  }
}

/** Seeded inputs, with special values mixed in when asked. */
function input(shape: number[], seed: number, special = false): tf.Tensor {
  const t = tf.randomNormal(shape, 0, 1, "float32", seed);
  if (!special) return t;
  const v = t.dataSync().slice();
  const specials = [NaN, Infinity, -Infinity, 0, -0, 0.01, -0.01, 1e30, -1e30, 1e-30];
  specials.forEach((s, i) => {
    if (i < v.length) v[(i * 7) % v.length] = s;
  });
  t.dispose();
  return tf.tensor(v, shape);
}

/** A test of oneDNN's own primitives, skipped where it is not installed. */
function dnnlTest(name: string, fn: (dnnl: OneDnn) => void): void {
  const r = loadOneDnn();
  Deno.test({
    name,
    ignore: !r.ok,
    fn: () => {
      if (r.ok) fn(r.dnnl);
    },
  });
}

/** OpenBLAS, which every machine with oneDNN here also has (the native backend needs it). */
function openBlas() {
  const loaded = loadBlas();
  if (!loaded.ok) throw new Error(loaded.why);
  return loaded.blas;
}

function nativeTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: `${name} [native vs cpu]`, ignore: !HAS_NATIVE, sanitizeOps: false, sanitizeResources: false, fn });
}

nativeTest("matMul matches tfjs's kernel for every transpose flag and batch layout", async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [5, 3], false, false],
    [[5, 7], [5, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[4, 7, 5], [4, 5, 3], false, false],
    [[4, 7, 5], [5, 3], false, false], // stacked into one product
    [[4, 5, 7], [5, 3], true, false],
    [[7, 5], [4, 5, 3], false, false],
    [[2, 3, 7, 5], [2, 3, 3, 5], false, true],
    [[2, 1, 7, 5], [1, 3, 5, 3], false, false], // true batch broadcasting: tfjs's kernel
    [[64, 784], [784, 512], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const [c, n, shapes] = await both(() => tf.matMul(input(sa, 1), input(sb, 2), ta, tb));
    assertClose(c[0], n[0], 1e-4, `matMul ${sa}${ta ? "ᵀ" : ""} × ${sb}${tb ? "ᵀ" : ""} → ${shapes[0]}`);
  }
});

nativeTest("fused matMul and conv2d apply bias and activation like tfjs", async () => {
  for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const) {
    const [c, n] = await both(() => [
      tf.fused.matMul({
        a: input([7, 5], 1),
        b: input([5, 3], 2),
        bias: input([3], 3),
        activation,
        leakyreluAlpha: 0.3,
        preluActivationWeights: activation === "prelu" ? input([3], 4) : undefined,
      }),
      tf.fused.conv2d({
        x: input([2, 9, 8, 3], 1) as tf.Tensor4D,
        filter: input([3, 3, 3, 4], 2) as tf.Tensor4D,
        strides: 2,
        pad: "same",
        bias: input([4], 3),
        activation,
        leakyreluAlpha: 0.3,
        preluActivationWeights: activation === "prelu" ? input([4], 4) : undefined,
      }),
    ]);
    assertClose(c[0], n[0], 1e-5, `fused matMul ${activation}`);
    assertClose(c[1], n[1], 1e-5, `fused conv2d ${activation}`);
  }
});

const CONV_CASES: {
  x: number[];
  f: number[];
  strides: number | [number, number];
  pad: "valid" | "same" | number | [[0, 0], [number, number], [number, number], [0, 0]];
  dilations?: [number, number];
}[] = [
  { x: [2, 9, 8, 3], f: [4, 4, 3, 5], strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [2, 9, 8, 20], f: [3, 3, 20, 6], strides: 1, pad: "same" },
  { x: [2, 9, 8, 3], f: [3, 2, 3, 5], strides: 1, pad: "valid", dilations: [2, 1] },
  { x: [2, 9, 8, 17], f: [1, 1, 17, 4], strides: 1, pad: "valid" },
  { x: [3, 8, 8, 16], f: [4, 4, 16, 32], strides: 2, pad: 1 },
  { x: [2, 7, 9, 5], f: [3, 5, 5, 4], strides: [2, 3], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [2, 4, 4, 8], f: [4, 4, 8, 1], strides: 1, pad: "valid" },
];

nativeTest("conv2d and both of its gradients match tfjs's kernels", async () => {
  for (const { x, f, strides, pad, dilations } of CONV_CASES) {
    const what = `conv2d x${x} f${f} s${strides} p${JSON.stringify(pad)} d${dilations ?? 1}`;
    const [c, n] = await both(() => {
      const xs = input(x, 1) as tf.Tensor4D, fs = input(f, 2) as tf.Tensor4D;
      const conv = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad, "NHWC", dilations ?? 1);
      const y = conv(xs, fs);
      if (dilations) return [y]; // tfjs has no gradient for dilated convolutions
      const dy = input(y.shape, 3);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([xs, fs]);
      return [y, dx, df];
    });
    assertClose(c[0], n[0], 1e-4, `${what}: output`);
    if (dilations) continue;
    assertClose(c[1], n[1], 1e-4, `${what}: input gradient`);
    assertClose(c[2], n[2], 1e-4, `${what}: filter gradient`);
  }
});

/** The DCGAN models' convolutions (narrow filters so the cpu reference stays fast): 28/32/64 px, 1 and 3 channels. */
const MODEL_CONVS: { x: number[]; f: number[]; stride: number; pad: number }[] = [
  { x: [64, 28, 28, 1], f: [4, 4, 1, 8], stride: 2, pad: 1 }, // 28 px critic, first layer
  { x: [1, 14, 14, 8], f: [4, 4, 8, 16], stride: 2, pad: 1 },
  { x: [64, 32, 32, 3], f: [4, 4, 3, 8], stride: 2, pad: 1 }, // 32 px critic
  { x: [64, 16, 16, 8], f: [4, 4, 8, 16], stride: 2, pad: 1 },
  { x: [64, 8, 8, 16], f: [4, 4, 16, 32], stride: 2, pad: 1 },
  { x: [1, 64, 64, 3], f: [4, 4, 3, 4], stride: 2, pad: 1 }, // 64 px critic
  { x: [1, 32, 32, 4], f: [4, 4, 4, 8], stride: 2, pad: 1 },
  { x: [64, 4, 4, 32], f: [4, 4, 32, 1], stride: 1, pad: 0 }, // the 1×1 ← 4×4 stem (generator input) as a conv
];

nativeTest(
  "the models' convolutions (forward, input and filter gradients) match tfjs's kernels, on oneDNN where installed",
  async () => {
    const dnnl = loadOneDnn();
    for (const { x, f, stride, pad } of MODEL_CONVS) {
      const what = `conv2d x${x} f${f} s${stride} p${pad}`;
      if (HAS_DNNL && dnnl.ok) {
        const g = convInfo(x, f, { strides: stride, pad })!;
        assert.ok(dnnl.dnnl.supports(g), `${what}: oneDNN takes it`);
        assert.match(dnnl.dnnl.implementation("backward-weights", g), /\w/, what);
      }
      const [c, n] = await both(() => {
        const xs = input(x, 1) as tf.Tensor4D, fs = input(f, 2) as tf.Tensor4D;
        const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
        const dy = input(conv(xs, fs).shape, 3);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([xs, fs]);
        return [conv(xs, fs), dx, df];
      });
      // sums over up to 64·16·16 products: float32 rounding grows with the reduction, so compare against the rms value
      ["output", "input gradient", "filter gradient"].forEach((k, i) => {
        const rms = Math.sqrt(c[i].reduce((t, v) => t + v * v, 0) / c[i].length);
        const worst = c[i].reduce((m, v, j) => Math.max(m, Math.abs(v - n[i][j])), 0);
        assert.ok(worst <= 1e-5 * rms, `${what}: ${k}: max difference ${worst} (rms ${rms})`);
      });
    }
  },
);

nativeTest("conv2dTranspose matches tfjs's kernel, including the 1×1 → 4×4 generator stem", async () => {
  const cases: [number[], number[], number[], number, number][] = [
    [[2, 4, 4, 6], [4, 4, 3, 6], [2, 8, 8, 3], 2, 1],
    [[2, 1, 1, 6], [4, 4, 3, 6], [2, 4, 4, 3], 1, 0],
    [[2, 5, 5, 20], [3, 3, 17, 20], [2, 5, 5, 17], 1, 1],
  ];
  for (const [x, f, out, stride, pad] of cases) {
    const [c, n] = await both(() =>
      tf.conv2dTranspose(input(x, 1) as tf.Tensor4D, input(f, 2) as tf.Tensor4D, out as never, stride, pad)
    );
    assertClose(c[0], n[0], 1e-4, `conv2dTranspose ${x} → ${out}`);
  }
});

nativeTest(
  "fused batch norm (forward, and gradients for x, γ, β) matches the composite tfjs computes elsewhere",
  async () => {
    for (const shape of [[64, 8, 8, 16], [3, 5, 7], [64, 100]]) {
      const c = shape[shape.length - 1];
      const axes = shape.slice(0, -1).map((_, i) => i);
      const [cpu, native] = await both(() => {
        const x = tf.add(tf.mul(input(shape, 1), 3), 0.5), gamma = input([c], 2), beta = input([c], 3);
        const dy = input(shape, 4);
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNorm(a, g, b, axes), dy));
        return [batchNorm(x, gamma, beta, axes), ...tf.grads(f)([x, gamma, beta])];
      });
      ["y", "dx", "dγ", "dβ"].forEach((k, i) => {
        const rms = Math.sqrt(cpu[i].reduce((t, v) => t + v * v, 0) / cpu[i].length);
        const worst = cpu[i].reduce((m, v, j) => Math.max(m, Math.abs(v - native[i][j])), 0);
        assert.ok(worst <= 2e-5 * rms, `batch norm ${shape} ${k}: max difference ${worst} (rms ${rms})`);
      });
    }
    // a second derivative through the fused kernel is refused in one line, not silently wrong
    await selectBackend("native");
    const x = input([4, 3], 1), gamma = tf.ones([3]), beta = tf.zeros([3]);
    const inputGrad = (a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sum(tf.square(batchNorm(b, gamma, beta, [0]))))(a);
    assert.throws(() => tf.grad((a: tf.Tensor) => tf.sum(inputGrad(a)))(x), /Cannot differentiate batch norm twice/);
  },
);

nativeTest(
  "fused ReLU and LeakyReLU gradients give tfjs's exact values (NaN, ±∞, ±0 included) and second derivatives (finite values)",
  async () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 3, -3];
    // 140,000 elements: the LeakyReLU gradient on oneDNN where it is installed (≥ DNNL_MIN_ELEMENTS)
    for (const [act, n] of [["relu", 2000], ["leaky", 2000], ["leaky", 140000]] as const) {
      const f = (x: tf.Tensor) => act === "relu" ? tf.relu(x) : tf.leakyRelu(x, 0.2);
      const [cpu, native] = await both(() => {
        const x = tf.concat([input([n], 1), tf.tensor1d(special), tf.tensor1d(special)]);
        const dy = tf.concat([input([n], 2), tf.tensor1d(special), tf.tensor1d(special.slice().reverse())]);
        const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x);
        // the gradient's own gradient with respect to dy (what a gradient penalty differentiates), on finite values:
        // where dy is infinite the composition multiplies ∞ by 0 in its unused branch and gives NaN, the fused one ±∞
        const finite = tf.concat([input([n], 3), tf.tensor1d([0, -0, 1e-30, -1e-30, 3, -3])]);
        const xf = tf.concat([input([n], 4), tf.tensor1d([0, -0, 1e-30, -1e-30, 3, -3])]);
        const second = tf.grad((d: tf.Tensor) =>
          tf.sum(tf.square(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), d)))(xf)))
        )(finite);
        return [grad, second];
      });
      assertClose(cpu[0], native[0], 0, `${act} gradient (${n})`);
      assertClose(cpu[1], native[1], 0, `${act} second derivative (${n})`);
    }
  },
);

nativeTest("transpose matches tfjs for every permutation of a rank-4 tensor and for int32", async () => {
  const perms: number[][] = [];
  const permute = (rest: number[], prefix: number[]) => {
    if (!rest.length) perms.push(prefix);
    rest.forEach((r, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...prefix, r]));
  };
  permute([0, 1, 2, 3], []);
  for (const perm of perms) {
    const [c, n] = await both(() => tf.transpose(input([2, 3, 4, 5], 1), perm));
    assertClose(c[0], n[0], 0, `transpose ${perm}`);
  }
  const [c, n] = await both(() => tf.transpose(tf.range(0, 24, 1, "int32").reshape([2, 3, 4]), [2, 0, 1]));
  assertClose(c[0], n[0], 0, "transpose int32");
});

nativeTest("binary element-wise kernels give tfjs's exact values for every broadcast pattern", async () => {
  const pairs: [number[], number[]][] = [
    [[6, 5], [6, 5]],
    [[64, 512], [512]],
    [[64, 1], [64, 512]],
    [[4, 3, 3, 5], [1, 1, 1, 5]],
    [[4, 3, 3, 5], [4, 1, 1, 1]],
    [[4, 1, 3, 1], [1, 2, 1, 5]],
    [[2, 3, 1, 4, 5], [3, 2, 1, 5]],
    [[], [3, 4]],
    [[3, 4], []],
    [[0, 4], [4]],
  ];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ["add", tf.add],
    ["sub", tf.sub],
    ["mul", tf.mul],
    ["div", tf.div],
    ["maximum", tf.maximum],
    ["minimum", tf.minimum],
    ["squaredDifference", tf.squaredDifference],
    ["pow", tf.pow],
    ["greater", (a, b) => tf.cast(tf.greater(a, b), "float32")],
    ["greaterEqual", (a, b) => tf.cast(tf.greaterEqual(a, b), "float32")],
    ["less", (a, b) => tf.cast(tf.less(a, b), "float32")],
    ["lessEqual", (a, b) => tf.cast(tf.lessEqual(a, b), "float32")],
    ["equal", (a, b) => tf.cast(tf.equal(a, b), "float32")],
    ["notEqual", (a, b) => tf.cast(tf.notEqual(a, b), "float32")],
  ];
  for (const [sa, sb] of pairs) {
    for (const [name, op] of ops) {
      const [c, n, shapes] = await both(() => op(input(sa, 1, true), input(sb, 2, true)));
      assertClose(c[0], n[0], 0, `${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)} → ${shapes[0]}`);
    }
  }
});

nativeTest(
  "large Add/Sub/Multiply/RealDiv (oneDNN's binary primitive where installed) give tfjs's exact values",
  async () => {
    // above DNNL_MIN_ELEMENTS: same shape, per-channel, per-sample, scalar, either operand the small one; NaN and ±∞
    const pairs: [number[], number[]][] = [
      [[64, 8, 8, 32], [64, 8, 8, 32]],
      [[64, 8, 8, 32], [32]],
      [[64, 8, 8, 32], [64, 1, 1, 1]],
      [[64, 1, 1, 1], [64, 8, 8, 32]],
      [[1, 1, 1, 32], [64, 8, 8, 32]],
      [[64, 8, 8, 32], []],
      [[], [64, 8, 8, 32]], // c − x: tanh's gradient 1 − y²
      [[140000], [1]],
      [[1], [140000]],
      [[400, 400], [400, 400]],
      [[400, 400], [400]],
      [[400, 1], [400, 400]],
    ];
    for (const [sa, sb] of pairs) {
      for (const [name, op] of [["add", tf.add], ["sub", tf.sub], ["mul", tf.mul], ["div", tf.div]] as const) {
        // a one-element operand keeps its plain value (a NaN there would make every output NaN)
        const [c, n, shapes] = await both(() => op(input(sa, 1, sa.length > 1), input(sb, 2, sb.length > 1)));
        assertClose(c[0], n[0], 0, `${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)} → ${shapes[0]}`);
      }
    }
  },
);

/** Add, multiply and a LeakyReLU gradient on 20,000-element activations (between the two thresholds) equal tfjs's. */
async function midSizeMatchesTfjs(label: string): Promise<void> {
  const shape = [8, 25, 25, 4 * 4];
  for (const [name, op] of [["add", tf.add], ["mul", tf.mul]] as const) {
    const [c, n] = await both(() => op(input(shape, 1, true), input(shape, 2, true)));
    assertClose(c[0], n[0], 0, `${name} ${shape} ${label}`);
  }
  const [c, n] = await both(() => {
    const x = input(shape, 3), dy = input(shape, 4);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.2), dy)))(x);
  });
  assertClose(c[0], n[0], 0, `LeakyReLU gradient ${shape} ${label}`);
}

nativeTest(
  "with one thread (a --jobs worker's share) mid-size element-wise work takes oneDNN and still gives tfjs's values",
  async () => {
    const r = loadOneDnn();
    if (!r.ok) return;
    const before = r.dnnl.getThreads();
    r.dnnl.setThreads(1);
    try {
      assert.equal(dnnlMinElements(r.dnnl), DNNL_SINGLE_THREAD_MIN_ELEMENTS);
      await midSizeMatchesTfjs("on one thread");
    } finally {
      r.dnnl.setThreads(before);
    }
    assert.equal(dnnlMinElements(r.dnnl), DNNL_SINGLE_THREAD_MIN_ELEMENTS);
  },
);

nativeTest(
  "with two threads mid-size element-wise work runs on oneDNN on one thread (issue #27), gives tfjs's values, and " +
    "leaves two threads set",
  async () => {
    const r = loadOneDnn();
    if (!r.ok) return;
    const before = r.dnnl.getThreads();
    r.dnnl.setThreads(2);
    try {
      let threadsInside = 0;
      assert.equal(onDnnl(r.dnnl, DNNL_MIN_ELEMENTS - 1, () => (threadsInside = r.dnnl.getThreads())), 1);
      assert.equal(threadsInside, 1);
      assert.equal(r.dnnl.getThreads(), 2, "restored");
      assert.equal(onDnnl(r.dnnl, DNNL_MIN_ELEMENTS, () => r.dnnl.getThreads()), 2, "large work on every thread");
      assert.throws(() =>
        onDnnl(r.dnnl, 10, () => {
          throw new Error("inside");
        }), /inside/);
      assert.equal(r.dnnl.getThreads(), 2, "restored after a throw");
      await midSizeMatchesTfjs("with two threads");
    } finally {
      r.dnnl.setThreads(before);
    }
  },
);

nativeTest(
  "large sums and means (oneDNN's reduction or OpenBLAS where installed) match tfjs within float32 rounding, and repeat exactly",
  async () => {
    // per-row (oneDNN's reduction where installed); kept axes inside (OpenBLAS: ones × matrix): per channel over
    // N, H, W, per sample and channel over H, W, over rows of a matrix
    const cases: [number[], number[]][] = [
      [[64, 8, 8, 32], [1, 2, 3]],
      [[140000], [0]],
      [[32, 8192], [1]],
      [[64, 8, 8, 32], [0, 1, 2]],
      [[64, 8, 8, 32], [1, 2]],
      [[2000, 70], [0]],
    ];
    for (const [shape, axes] of cases) {
      const [c, n] = await both(() => [tf.sum(input(shape, 1), axes), tf.mean(input(shape, 1), axes, true)]);
      const [, again] = await both(() => [tf.sum(input(shape, 1), axes), tf.mean(input(shape, 1), axes, true)]);
      const count = axes.reduce((p, a) => p * shape[a], 1);
      for (let k = 0; k < 2; k++) {
        // float32 accumulation of `count` N(0, 1) terms: error ≪ √count · 2⁻²⁴ · (a few)
        const tol = (k === 0 ? 1 : 1 / count) * Math.sqrt(count) * 1e-5;
        c[k].forEach((v, i) =>
          assert.ok(Math.abs(v - n[k][i]) <= tol, `${shape} ${k ? "mean" : "sum"}[${i}]: ${v} vs ${n[k][i]}`)
        );
        assert.deepEqual(again[k], n[k], "the same inputs give the same sums");
      }
    }
  },
);

nativeTest("unary kernels, select and logicalNot give tfjs's exact values, NaN and ±∞ included", async () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ["relu", tf.relu],
    ["relu6", tf.relu6],
    ["leakyRelu", (x) => tf.leakyRelu(x, 0.2)],
    ["step", (x) => tf.step(x, 0.2)],
    ["clip ±0.01", (x) => tf.clipByValue(x, -0.01, 0.01)],
    ["clip [0, 6]", (x) => tf.clipByValue(x, 0, 6)],
    ["clip ±1e-38", (x) => tf.clipByValue(x, -1e-38, 1e-38)],
    ["neg", tf.neg],
    ["square", tf.square],
    ["sqrt", tf.sqrt],
    ["rsqrt", tf.rsqrt],
    ["reciprocal", tf.reciprocal],
    ["exp", tf.exp],
    ["log", tf.log],
    ["abs", tf.abs],
    ["tanh", tf.tanh],
    ["sigmoid", tf.sigmoid],
    ["elu", tf.elu],
    ["where", (x) => tf.where(tf.greater(x, 0), x, tf.mul(x, 3))],
    ["logicalNot", (x) => tf.cast(tf.logicalNot(tf.greater(x, 0)), "float32")],
  ];
  for (const [name, op] of ops) {
    const [c, n] = await both(() => op(input([7, 11], 5, true)));
    assertClose(c[0], n[0], name === "tanh" ? 1e-7 : 0, name);
  }
});

nativeTest(
  "concat (block copies) gives tfjs's values on every axis; other dtypes and empty inputs take tfjs's",
  async () => {
    const cases: [number[][], number][] = [
      [[[64, 4, 4, 1], [64, 4, 4, 1]], 0], // a per-sample critic's real and fake
      [[[3, 4, 5], [2, 4, 5], [1, 4, 5]], 0],
      [[[3, 4, 5], [3, 2, 5]], 1],
      [[[3, 4, 5], [3, 4, 1], [3, 4, 2]], -1],
      [[[7], [0], [5]], 0],
    ];
    for (const [shapes, axis] of cases) {
      const [c, n, out] = await both(() => tf.concat(shapes.map((s, i) => input(s, i + 1, true)), axis));
      assert.deepEqual(
        out[0],
        (() => {
          const shape = [...shapes[0]];
          const a = axis < 0 ? axis + shape.length : axis;
          shape[a] = shapes.reduce((t, s) => t + s[a], 0);
          return shape;
        })(),
      );
      assertClose(c[0], n[0], 0, `concat ${JSON.stringify(shapes)} axis ${axis}`);
    }
    const [c, n] = await both(() =>
      tf.cast(tf.concat([tf.tensor1d([1, 2], "int32"), tf.tensor1d([3], "int32")]), "float32")
    );
    assert.deepEqual([...n[0]], [...c[0]]);
    // a slice (a view of its input's buffer) concatenated
    const [cs, ns] = await both(() => tf.concat([tf.slice(input([6, 5], 3), [2, 0], [3, 5]), input([1, 5], 4)]));
    assertClose(cs[0], ns[0], 0, "concat of a slice");
  },
);

nativeTest("large tanh, relu and leakyRelu (oneDNN where installed) match tfjs's; NaN and ±∞ kept", async () => {
  for (const shape of [[64, 32, 32, 1], [64, 784], [9000]]) {
    for (const special of [false, true]) {
      const what = `${shape}${special ? " with NaN and ±∞" : ""}`;
      const [c, n] = await both(() => {
        const x = tf.mul(input(shape, 4, special), 3);
        return [tf.tanh(x), tf.relu(x), tf.leakyRelu(x, 0.2)];
      });
      // |tanh| ≤ 1: one ulp is at most 2⁻²⁴ = 5.96e-8, and assertClose's bound is tol · (1 + |y|)
      assertClose(c[0], n[0], 6e-8, `tanh ${what}`);
      // relu: exact (oneDNN on finite inputs, +0 below zero; the loop where one is NaN or ±∞)
      assertClose(c[1], n[1], 0, `relu ${what}`);
      // leakyRelu: α·x in float32 on oneDNN, in float64 then rounded in tfjs: within one ulp (2⁻²³ relative)
      assertClose(c[2], n[2], 1.2e-7, `leakyRelu ${what}`);
    }
  }
});

nativeTest("sum and mean match tfjs over every axis set, with and without keepDims", async () => {
  const shape = [3, 4, 5, 6];
  const axisSets: (number | number[] | undefined)[] = [
    undefined,
    0,
    1,
    3,
    -1,
    [0, 1, 2],
    [1, 2, 3],
    [0, 2],
    [1, 3],
    [
      0,
      3,
    ],
    [0, 1, 2, 3],
    [2, 1],
  ];
  for (const axis of axisSets) {
    for (const keepDims of [false, true]) {
      const [c, n, shapes] = await both(() => [
        tf.sum(input(shape, 1), axis, keepDims),
        tf.mean(input(shape, 1), axis, keepDims),
      ]);
      assertClose(c[0], n[0], 1e-6, `sum axis ${JSON.stringify(axis)} keepDims ${keepDims} → ${shapes[0]}`);
      assertClose(c[1], n[1], 1e-6, `mean axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
    }
  }
  const [c, n] = await both(() => tf.sum(input([64, 1], 2), 1));
  assertClose(c[0], n[0], 1e-6, "sum over a size-1 axis");
});

nativeTest("the fused RMSProp and Adam updates equal the composite updates tfjs runs elsewhere", async () => {
  // [300, 7]: the loop; [300, 70] (≥ DNNL_PARAMETER_MIN_ELEMENTS): oneDNN's passes where it is installed
  for (const shape of [[300, 7], [300, 70]]) {
    for (
      const spec of [
        { kind: "rmsprop", lr: 5e-3, alpha: 0.99, eps: 1e-8 },
        { kind: "adam", lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8 },
        { kind: "adam", lr: 1e-4, beta1: 0, beta2: 0.9, eps: 1e-8 },
      ] as const
    ) {
      const [c, n] = await both(() => {
        const w = tf.variable(input(shape, 1), true, `w-${spec.kind}-${shape}-${tf.getBackend()}`);
        const optimizer = createOptimizer(spec);
        for (let step = 0; step < 3; step++) {
          const g = tf.mul(input(shape, 10 + step), 0.1);
          optimizer.apply([w], [g]);
        }
        const out = tf.clone(w);
        optimizer.dispose();
        w.dispose();
        return out;
      });
      assertClose(c[0], n[0], 1e-6, `${JSON.stringify(spec)} ${shape} after 3 steps`);
    }
  }
});

dnnlTest("oneDNN's fused passes for the optimizers vectorise and compute their formulas (float32 rounding)", (dnnl) => {
  const { SQUARE_AVERAGE, DENOMINATOR, STEP, MOMENT } = OPTIMIZER_PASSES;
  const n = 20000;
  const rng = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1e4 + i * 1.7) * 0.5);
  const one = (v: number) => new Float32Array([v]);
  const [g, acc, p] = [rng(1), rng(2).map(Math.abs), rng(3)];
  // expected value and the magnitude its float32 rounding scales with (the step's: |p| + |lr·g/d|)
  const cases: [string, readonly PassOp[], Float32Array[], (i: number) => [number, number]][] = [
    ["square average", SQUARE_AVERAGE, [g, g, one(0.01 / 0.99), acc, one(0.99)], (i) => {
      const e = 0.99 * acc[i] + 0.01 * g[i] ** 2;
      return [e, e];
    }],
    ["denominator", DENOMINATOR, [acc, one(1), one(1.5), one(1e-3)], (i) => {
      const e = Math.sqrt(acc[i]) * 1.5 + 1e-3;
      return [e, e];
    }],
    ["step", STEP, [g, acc.map((v) => v + 0.5), one(-0.1), p], (i) => {
      const d = 0.1 * g[i] / (Math.fround(acc[i] + 0.5));
      return [p[i] - d, Math.abs(p[i]) + Math.abs(d)];
    }],
    ["moment", MOMENT, [acc, one(0.5 / 0.5), g, one(0.5)], (i) => {
      const e = 0.5 * acc[i] + 0.5 * g[i];
      return [e, Math.abs(0.5 * acc[i]) + Math.abs(0.5 * g[i])];
    }],
  ];
  for (const [what, ops, inputs, expected] of cases) {
    const out = new Float32Array(n);
    assert.ok(dnnl.pass(ops, inputs, out), `${what}: oneDNN runs a vectorised kernel`);
    for (let i = 0; i < n; i++) {
      const [e, scale] = expected(i);
      assert.ok(Math.abs(out[i] - e) <= 4e-7 * scale + 1e-12, `${what}[${i}]: ${out[i]} vs ${e}`);
    }
  }
  assert.throws(() => dnnl.pass(STEP, [g, acc], new Float32Array(n)), /4 inputs expected, got 2/);
  const twoLinear: PassOp[] = [{ binary: "mul" }, { eltwise: "linear", alpha: 2 }, { eltwise: "linear", alpha: 0.5 }];
  assert.throws(() => dnnl.pass(twoLinear, [g, g], new Float32Array(n)), /at most one eltwise post-op/);
});

dnnlTest(
  "oneDNN's batch norm runs a JIT kernel and computes the statistics, y and all three gradients (float64 check)",
  (dnnl) => {
    for (const [rows, c] of [[64 * 7 * 7, 32], [64 * 14 * 14, 16], [100, 64]]) {
      const n = rows * c;
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 2 + (i % c) * 0.1);
      const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
      const gamma = Float32Array.from({ length: c }, (_, k) => 0.5 + k / c), beta = gamma.map((g) => -g / 3);
      const [y, dx] = [new Float32Array(n), new Float32Array(n)];
      const [mean, variance, dGamma, dBeta] = [0, 0, 0, 0].map(() => new Float32Array(c));
      assert.ok(dnnl.batchNormForward(rows, 1e-5, x, gamma, beta, y, mean, variance), `${rows}×${c} forward`);
      assert.ok(
        dnnl.batchNormBackward(rows, 1e-5, x, dy, gamma, mean, variance, dx, dGamma, dBeta),
        `${rows}×${c} backward`,
      );
      for (let k = 0; k < c; k++) {
        let m = 0, v = 0, sDy = 0, sDyXhat = 0;
        for (let i = k; i < n; i += c) m += x[i] / rows;
        for (let i = k; i < n; i += c) v += (x[i] - m) ** 2 / rows;
        const inv = 1 / Math.sqrt(v + 1e-5);
        for (let i = k; i < n; i += c) {
          sDy += dy[i];
          sDyXhat += dy[i] * (x[i] - m) * inv;
        }
        const near = (got: number, want: number, scale: number, what: string) =>
          assert.ok(Math.abs(got - want) <= 1e-5 * scale, `${rows}×${c} ${what}[${k}]: ${got} vs ${want}`);
        near(mean[k], m, Math.sqrt(v) + Math.abs(m), "mean");
        near(variance[k], v, v, "variance");
        near(dBeta[k], sDy, Math.sqrt(rows), "dβ");
        near(dGamma[k], sDyXhat, Math.sqrt(rows), "dγ");
        for (let i = k; i < n; i += c * 7) {
          const xhat = (x[i] - m) * inv;
          near(y[i], gamma[k] * xhat + beta[k], Math.abs(gamma[k]) * (Math.abs(xhat) + 1), "y");
          near(dx[i], gamma[k] * inv / rows * (rows * dy[i] - sDy - xhat * sDyXhat), gamma[k] * inv * 2, "dx");
        }
      }
    }
  },
);

nativeTest("large weight clipping (oneDNN where installed) gives tfjs's exact values; NaN stays NaN", async () => {
  for (const special of [false, true]) {
    for (const [lo, hi] of [[-0.01, 0.01], [0, 6]]) {
      const [c, n] = await both(() => tf.clipByValue(tf.mul(input([200, 100], 7, special), 0.02), lo, hi));
      assertClose(c[0], n[0], 0, `clip [${lo}, ${hi}]${special ? " with NaN and ±∞" : ""}`);
    }
  }
});

/** Runs a snippet in a fresh Deno with the given flags and environment; returns its exit code and output. */
async function runSnippet(code: string, flags: string[], env: Record<string, string> = {}) {
  const file = await tempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", new URL("../../deno.json", import.meta.url).pathname, ...flags, file],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

const SNIPPET = `
import { selectBackend } from "${new URL("../../mod.ts", import.meta.url).href}";
try { await selectBackend("native"); console.log("native ok"); } catch (e) { console.log("ERR " + e.message); }
const auto = await selectBackend("auto");
console.log("auto " + auto.name);
console.log("skipped " + JSON.stringify(auto.skipped));
`;

Deno.test("without OpenBLAS the native backend says why in one line and auto falls back to wasm", async () => {
  const r = await runSnippet(SNIPPET, ["--allow-all"], { WGAN_BENCH_BLAS: "/nonexistent/libopenblas.so.0" });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(
    lines[0],
    /^ERR Cannot use backend "native": WGAN_BENCH_BLAS=\/nonexistent\/libopenblas.so.0 does not exist \(available here: .*wasm/,
  );
  assert.match(lines[1], /^auto (wasm|webgpu|tensorflow)$/);
  if (lines[1] === "auto wasm") {
    assert.deepEqual(JSON.parse(lines[2].slice("skipped ".length)), [
      "native: WGAN_BENCH_BLAS=/nonexistent/libopenblas.so.0 does not exist",
    ]);
  }
});

Deno.test({
  name: "without oneDNN the native backend still starts, with im2col convolutions, and says why in one line",
  ignore: !HAS_NATIVE,
  fn: async () => {
    const code = `
import { selectBackend, tf } from "${new URL("../../mod.ts", import.meta.url).href}";
const info = await selectBackend("native");
const y = tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([2, 2, 1, 1]), 1, "valid");
console.log(JSON.stringify({ device: info.device, skipped: info.skipped, y: Array.from(await y.data()) }));
`;
    for (
      const [value, why] of [[
        "/nonexistent/libdnnl.so.2",
        /WGAN_BENCH_DNNL=\/nonexistent\/libdnnl.so.2 does not exist/,
      ], [
        "off",
        /turned off by WGAN_BENCH_DNNL=off/,
      ]] as const
    ) {
      const r = await runSnippet(code, ["--allow-all"], { WGAN_BENCH_DNNL: value });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      assert.deepEqual(out.y, [4, 4, 4, 4, 4, 4, 4, 4, 4]);
      assert.ok(!/oneDNN/.test(out.device), out.device);
      assert.equal(out.skipped.length, 1);
      assert.match(out.skipped[0], /^oneDNN: .*; convolutions use im2col \+ sgemm$/);
      assert.match(out.skipped[0], why);
    }
    if (HAS_DNNL) {
      const r = await runSnippet(code, [
        "--allow-read",
        "--allow-env",
        "--allow-ffi=/usr/lib,/usr/local/lib,./node_modules",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      assert.match(out.device, /oneDNN 2\.\d+\.\d+ \(\w+\) (sgemm and )?convolutions/, "scoped --allow-ffi is enough");
      assert.deepEqual(out.skipped, []);
    }
  },
});

Deno.test({
  name: "without --allow-ffi the native backend names the missing permission",
  ignore: !HAS_NATIVE,
  fn: async () => {
    const r = await runSnippet(SNIPPET, ["--allow-read", "--allow-env", "--allow-sys", "--allow-net=none"]);
    assert.equal(r.code, 0, r.stderr);
    const [first, second] = r.stdout.trim().split("\n");
    assert.match(
      first,
      /^ERR Cannot use backend "native": no permission to load .*libopenblas.* \(run Deno with --allow-ffi, as the deno tasks do, or --allow-ffi=\/\S+\)/,
    );
    assert.match(second, /^auto (wasm|webgpu)$/);
  },
});

dnnlTest(
  "oneDNN's sgemm matches OpenBLAS's for every transpose, stride, alpha and beta, and repeats bit for bit",
  (dnnl) => {
    const blas = openBlas();
    let seed = 7;
    const fill = (n: number) =>
      Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
    const cases: [boolean, boolean, number, number, number][] = [
      [false, false, 64, 512, 784], // the MLP critic's first layer
      [false, true, 64, 784, 512], // its input gradient
      [true, false, 784, 512, 64], // its weight gradient
      [true, true, 5, 7, 3],
      [false, false, 1, 1, 1],
      [false, false, 3, 4, 0], // k = 0: C = beta·C
    ];
    for (const [ta, tb, m, n, k] of cases) {
      for (const [alpha, beta, pad] of [[1, 0, 0], [0.5, 1, 3]]) {
        const lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        const a = fill((ta ? k : m) * lda), b = fill((tb ? n : k) * ldb), c0 = fill(m * ldc);
        const want = c0.slice(), got = c0.slice(), again = c0.slice();
        const options = { alpha, beta, lda, ldb, ldc };
        blas.sgemm(ta, tb, m, n, k, a, b, want, options);
        dnnl.sgemm(ta, tb, m, n, k, a, b, got, options);
        dnnl.sgemm(ta, tb, m, n, k, a, b, again, options);
        const what = `${ta ? "T" : "N"}${tb ? "T" : "N"} ${m}×${k}·${k}×${n} alpha ${alpha} beta ${beta} pad ${pad}`;
        assert.deepEqual(again, got, `${what}: the same product twice`);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < ldc; j++) {
            const x = want[i * ldc + j], y = got[i * ldc + j];
            if (j >= n) {
              assert.equal(y, c0[i * ldc + j], `${what}: padding [${i}, ${j}] written`);
              continue;
            }
            // float32 sums of k products of values in [-1, 1]: rounding grows with √k
            const tol = 1e-5 * (1 + Math.sqrt(k)) * (1 + Math.abs(x));
            assert.ok(Math.abs(x - y) <= tol, `${what} [${i}, ${j}]: ${x} vs ${y}`);
          }
        }
      }
    }
  },
);

dnnlTest(
  "the matrix products' library: oneDNN's sgemm where it runs AVX-512, else OpenBLAS; WGAN_BENCH_GEMM overrides",
  (dnnl) => {
    const blas = openBlas();
    const pick = (d: OneDnn | undefined, override?: string) => {
      const g = chooseGemm(blas, d, override);
      return typeof g === "string" ? g : `${g.library}: ${g.why}`;
    };
    assert.equal(pick({ ...dnnl, avx512: true }), "onednn: oneDNN runs AVX-512 kernels on this CPU");
    assert.equal(pick({ ...dnnl, avx512: false }), "openblas: oneDNN has no AVX-512 kernels on this CPU");
    assert.equal(pick(undefined), "openblas: oneDNN is not loaded");
    assert.equal(pick({ ...dnnl, avx512: true }, "openblas"), "openblas: WGAN_BENCH_GEMM=openblas");
    assert.equal(pick({ ...dnnl, avx512: false }, "onednn"), "onednn: WGAN_BENCH_GEMM=onednn");
    assert.match(pick(undefined, "onednn"), /^WGAN_BENCH_GEMM=onednn, but oneDNN is not loaded/);
    assert.equal(pick(dnnl, "mkl"), 'WGAN_BENCH_GEMM must be openblas or onednn, got "mkl"');
    const g = chooseGemm(blas, { ...dnnl, avx512: true });
    assert.ok(typeof g !== "string");
    const c = new Float32Array(1);
    g.sgemm(false, false, 1, 1, 2, new Float32Array([1, 2]), new Float32Array([3, 4]), c);
    assert.equal(c[0], 11);
  },
);

Deno.test({
  name: "WGAN_BENCH_GEMM picks the products' library, the device says which, and a bad value is one line",
  ignore: !HAS_DNNL,
  fn: async () => {
    const code = `
import { selectBackend, tf } from "${new URL("../../mod.ts", import.meta.url).href}";
try {
  const info = await selectBackend("native");
  const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
  console.log(info.device + " = " + (await y.data())[0]);
} catch (e) { console.log("ERR " + e.message); }
`;
    const run = async (env: Record<string, string>) => {
      const r = await runSnippet(code, ["--allow-all"], env);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim().split("\n").pop()!;
    };
    assert.match(
      await run({ WGAN_BENCH_GEMM: "openblas" }),
      /^OpenBLAS \S+ .*sgemm \+ oneDNN .* convolutions .* = 11$/,
    );
    assert.match(
      await run({ WGAN_BENCH_GEMM: "onednn" }),
      /^oneDNN 2\.\d+\.\d+ \(\w+\) sgemm and convolutions .* = 11$/,
    );
    assert.match(
      await run({ WGAN_BENCH_GEMM: "onednn", WGAN_BENCH_DNNL: "off" }),
      /^ERR Cannot use backend "native": WGAN_BENCH_GEMM=onednn, but oneDNN is not loaded/,
    );
    assert.match(
      await run({ WGAN_BENCH_GEMM: "fast" }),
      /^ERR Cannot use backend "native": WGAN_BENCH_GEMM must be openblas or onednn, got "fast"/,
    );
    // one thread asked for: both libraries take it, and the device says one
    assert.match(await run({ WGAN_BENCH_THREADS: "1" }), /via Deno FFI \(1 threads\) = 11$/);
  },
});

Deno.test("a bad WGAN_BENCH_THREADS is one line naming the variable", async () => {
  const r = await runSnippet(SNIPPET, ["--allow-all"], { WGAN_BENCH_THREADS: "two" });
  assert.equal(r.code, 0, r.stderr);
  const first = r.stdout.trim().split("\n")[0];
  if (HAS_NATIVE) {
    assert.match(first, /^ERR Cannot use backend "native": WGAN_BENCH_THREADS must be a positive integer, got "two"/);
  } else assert.match(first, /^ERR Cannot use backend "native": /);
});

nativeTest("recycled output buffers never overwrite values that were read out or are viewed by a slice", async () => {
  await selectBackend("native");
  const a = tf.randomNormal([64, 256], 0, 1, "float32", 1), b = tf.randomNormal([64, 256], 0, 1, "float32", 2);
  // read out, then disposed: the array the caller holds must stay as it was
  const t = tf.add(a, b);
  const held = t.dataSync();
  const heldCopy = held.slice();
  const viaData = tf.mul(a, b);
  const heldAsync = await viaData.data();
  const heldAsyncCopy = heldAsync.slice();
  // a slice of a kernel output is a view of its buffer in tfjs's cpu kernels
  const source = tf.sub(a, b);
  const sliced = tf.slice(source, [0, 0], [32, 256]);
  const slicedCopy = (await tf.clone(sliced).data()).slice();
  tf.dispose([t, viaData, source]);
  // churn through many outputs of the same size, which is what recycling hands out
  for (let i = 0; i < 40; i++) tf.tidy(() => tf.mul(tf.add(a, i), tf.sub(b, i)));
  assert.deepEqual(held, heldCopy);
  assert.deepEqual(heldAsync, heldAsyncCopy);
  assert.deepEqual(await sliced.data(), slicedCopy);
  tf.dispose([a, b, sliced]);
});

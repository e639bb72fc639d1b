/**
 * The version of the numbers the library computes. Raise it in any change that alters a number a training run
 * produces on some backend (a kernel's order of summation, an initialiser, a gradient fix, an optimizer's update);
 * leave it for changes that do not (speed with the same values, documentation, the harness's tables). The harness
 * records it in every result folder and refuses to continue a folder written at another version, so that no run
 * mixes rows computed by different code.
 *
 * 1: the numbers as of the native backend's oneDNN batch norm and one-thread element-wise path (251799f).
 * 2: with several threads, the native backend's element-wise work on 8,192–131,071 elements runs on oneDNN with one
 *    thread instead of the loops (issue #27: sums accumulate in float32 there); one-thread numbers are unchanged.
 * 3: where oneDNN runs AVX-512 kernels, the native backend's matrix products (and im2col convolutions) use oneDNN's
 *    sgemm instead of OpenBLAS's (issue #27: its products sum in another order); elsewhere the numbers are unchanged.
 * 4: where oneDNN is installed, the native backend's tanh on ≥ 8,192 elements is oneDNN's (within one float32 ulp of
 *    `Math.tanh`, not always equal: issue #27, ~40× faster on a generator's output).
 * 5: on every backend, a critic without batch statistics (the MLP critic, the DCGAN critic with layer norm or none)
 *    scores the real and the fake batch as one stacked batch (`scoreBoth`, issue #27): the same function, its weight
 *    gradients summed in another order.
 * 6: where oneDNN is installed, the native backend's LeakyReLU on ≥ 8,192 elements is oneDNN's (α·x in float32: a
 *    negative input's output can differ from tfjs's by one ulp) and its ReLU too (tfjs's exact values; issue #27).
 * 7: where oneDNN is installed, the native backend's per-row sums and means of rank-2 tensors (a penalty's per-sample
 *    squared norms) from 8,192 elements are oneDNN's (float32 accumulation, as rank 4 already was).
 * 8: on every backend, WGAN-div's critic step takes the term's input gradients from the loss's own forward pass
 *    (`scoredWassersteinDivergence`, issue #27): the same function, about two thirds of the work, its weight gradients
 *    summed in another order.
 *
 * @module
 */
export const NUMERICS_VERSION = 8;

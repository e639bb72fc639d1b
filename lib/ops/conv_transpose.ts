/**
 * Transposed 2-D convolution written as a stride-1 `conv2d` over a
 * zero-dilated input with a flipped filter.
 *
 * Why: wasm's own `Conv2DBackpropInput` kernel is a naive loop roughly 10x
 * slower than its `conv2d`, and a formulation built only from `conv2d`,
 * `reverse`, `transpose`, `reshape`, `pad` and `slice` is differentiable to any
 * order on every backend. The same function computes the input gradient of a
 * strided convolution (see `gradient_fixes.ts`).
 *
 * @module
 */
import { tf } from "../backend/engine.ts";

/** Padding of a transposed convolution: the padding of the forward convolution it inverts. */
export interface ConvPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Inserts `stride - 1` zeros between neighbouring pixels of an NHWC tensor.
 * Only rank-4 pads are used: tfjs-webgpu 4.22 silently returns zeros when
 * padding tensors of rank 5 or more (tested in `tests/ops/conv_transpose_test.ts`).
 */
function dilateSpatial(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (stride === 1) return x;
  const [n, h, w, c] = x.shape;
  const s = stride - 1;
  const rows = tf.pad(x.reshape([n, h, 1, w * c]), [[0, 0], [0, 0], [0, s], [0, 0]]); // [n, h, stride, w·c]
  const cols = tf.pad(rows.reshape([n * h * stride, w, 1, c]), [[0, 0], [0, 0], [0, s], [0, 0]]); // [·, w, stride, c]
  return cols.reshape([n, h * stride, w * stride, c]).slice(
    [0, 0, 0, 0],
    [n, (h - 1) * stride + 1, (w - 1) * stride + 1, c],
  ) as tf.Tensor4D;
}

/**
 * The transposed convolution of `x` (NHWC) with `filter` laid out as tfjs's
 * `conv2dTranspose` expects, `[kh, kw, outChannels, inChannels]`: the adjoint
 * of `conv2d(·, filter, stride, padding)` evaluated at `x`, producing an output
 * of spatial size `outHeight × outWidth`.
 */
export function conv2dTransposeViaConv(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: {
    stride: number;
    padding: ConvPadding;
    outHeight: number;
    outWidth: number;
  },
): tf.Tensor4D {
  const { stride, padding, outHeight, outWidth } = options;
  const [kh, kw] = filter.shape;
  const dilated = dilateSpatial(x, stride);
  const padTop = kh - 1 - padding.top;
  const padLeft = kw - 1 - padding.left;
  const padBottom = outHeight + kh - 1 - padTop - dilated.shape[1];
  const padRight = outWidth + kw - 1 - padLeft - dilated.shape[2];
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    throw new RangeError(
      `Cannot compute a transposed convolution: padding ${
        JSON.stringify(padding)
      } is not smaller than the ${kh}x${kw} kernel`,
    );
  }
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dilated, flipped, 1, [[0, 0], [padTop, padBottom], [
    padLeft,
    padRight,
  ], [0, 0]]);
}

/**
 * PyTorch's `ConvTranspose2d(stride, padding)` semantics on NHWC tensors:
 * output size `(in - 1) * stride - 2 * padding + k`.
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { conv2dTranspose } from "wgan-bench/ops";
 * const x = tf.ones([1, 4, 4, 3]) as tf.Tensor4D;
 * const w = tf.ones([4, 4, 2, 3]) as tf.Tensor4D; // [kh, kw, out, in]
 * const y = conv2dTranspose(x, w, { stride: 2, padding: 1 });
 * if (y.shape.join() !== "1,8,8,2") throw new Error("wrong shape");
 * ```
 */
export function conv2dTranspose(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: { stride: number; padding: number },
): tf.Tensor4D {
  const { stride, padding } = options;
  const [kh, kw] = filter.shape;
  if (tf.getBackend() === "native") {
    // The native backend's Conv2DBackpropInput is one sgemm plus col2im, faster than the dilated conv.
    const outShape: [number, number, number, number] = [
      x.shape[0],
      (x.shape[1] - 1) * stride - 2 * padding + kh,
      (x.shape[2] - 1) * stride - 2 * padding + kw,
      filter.shape[2],
    ];
    return tf.conv2dTranspose(x, filter, outShape, stride, padding);
  }
  return conv2dTransposeViaConv(x, filter, {
    stride,
    padding: { top: padding, bottom: padding, left: padding, right: padding },
    outHeight: (x.shape[1] - 1) * stride - 2 * padding + kh,
    outWidth: (x.shape[2] - 1) * stride - 2 * padding + kw,
  });
}

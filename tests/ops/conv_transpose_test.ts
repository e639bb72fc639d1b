import assert from "node:assert/strict";
import { tf } from "../../mod.ts";
import { conv2dTranspose } from "../../lib/ops/mod.ts";
import { backendTest, maxAbs, maxAbsDiff, normalTensor } from "../helpers.ts";

backendTest("conv2dTranspose() equals tfjs's cpu conv2dTranspose (PyTorch ConvTranspose2d sizes)", async (backend) => {
  const cases = [
    { x: [2, 7, 7, 3], f: [4, 4, 5, 3], stride: 2, padding: 1, out: 14 },
    { x: [1, 4, 4, 2], f: [4, 4, 1, 2], stride: 2, padding: 1, out: 8 },
    { x: [1, 5, 5, 2], f: [3, 3, 2, 2], stride: 1, padding: 1, out: 5 },
    { x: [1, 3, 3, 1], f: [4, 4, 2, 1], stride: 2, padding: 0, out: 8 },
  ];
  for (const c of cases) {
    const x = normalTensor(1, c.x) as tf.Tensor4D, f = normalTensor(2, c.f) as tf.Tensor4D;
    const ours = conv2dTranspose(x, f, { stride: c.stride, padding: c.padding });
    assert.deepEqual(ours.shape, [c.x[0], c.out, c.out, c.f[2]]);
    const got = await ours.data();
    await tf.setBackend("cpu");
    // tfjs's own op with explicit padding equal to PyTorch's `padding` argument
    const xc = normalTensor(1, c.x) as tf.Tensor4D, fc = normalTensor(2, c.f) as tf.Tensor4D;
    const full = tf.conv2dTranspose(
      xc,
      fc,
      [c.x[0], c.out + 2 * c.padding, c.out + 2 * c.padding, c.f[2]],
      c.stride,
      "valid",
    );
    const reference = await full.slice([0, c.padding, c.padding, 0], [c.x[0], c.out, c.out, c.f[2]]).data();
    await tf.setBackend(backend);
    assert.ok(maxAbsDiff(got, reference) <= 1e-5 * maxAbs(reference), `${JSON.stringify(c)}`);
  }
});

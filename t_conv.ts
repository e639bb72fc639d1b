import { selectBackend, tf } from "wgan-bench";
await selectBackend("native");
const shapes: [number[], number[]][] = [[[64, 32, 32, 3], [4, 4, 3, 64]], [[64, 16, 16, 64], [4, 4, 64, 128]], [[64, 8, 8, 128], [4, 4, 128, 256]]];
for (const [xs, ws] of shapes) {
  const x = tf.randomNormal(xs) as tf.Tensor4D, w = tf.randomNormal(ws) as tf.Tensor4D;
  const times: Record<string, number[]> = { fwd: [], bwdData: [], bwdW: [] };
  for (let i = 0; i < 6; i++) {
    let t0 = performance.now();
    const y = tf.conv2d(x, w, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    await y.data();
    times.fwd.push(performance.now() - t0);
    t0 = performance.now();
    const dx = tf.conv2dTranspose(y as tf.Tensor4D, w, xs as [number, number, number, number], 2, [[0, 0], [1, 1], [1, 1], [0, 0]] as never);
    await dx.data();
    times.bwdData.push(performance.now() - t0);
    t0 = performance.now();
    const [, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])))([x, w]);
    await gw.data();
    times.bwdW.push(performance.now() - t0);
    tf.dispose([y, dx, gw]);
  }
  const med = (a: number[]) => a.slice(1).sort((p, q) => p - q)[2].toFixed(1);
  console.log(xs.join("x"), "fwd", med(times.fwd), "bwd-data", med(times.bwdData), "fwd+both grads", med(times.bwdW));
}

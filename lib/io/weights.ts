/**
 * Saving and loading a model's weights (the library's tensor file format).
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import { decodeTensorFile, encodeTensorFile } from "./tensor_file.ts";
import { writeFileAtomic } from "./write_atomic.ts";

/**
 * Writes a model's weights to `path` (written to a temporary file, then
 * renamed: an interrupted save never leaves a half-written file). Needs
 * `--allow-write`.
 *
 * @example
 * ```ts
 * import { loadWeights, mlpGenerator, saveWeights } from "wgan-bench";
 * const a = mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const b = mlpGenerator({ seed: 2, noiseDim: 2, outputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * await saveWeights(a, path);
 * await loadWeights(b, path);
 * const [wa, wb] = [await a.variables[0].data(), await b.variables[0].data()];
 * if (wa.some((x, i) => x !== wb[i])) throw new Error("b now has a's weights");
 * await Deno.remove(path);
 * ```
 */
export async function saveWeights(model: Model, path: string): Promise<void> {
  const arrays = await Promise.all(model.variables.map(async (v) => new Float32Array(await v.data())));
  const bytes = encodeTensorFile(
    { kind: "weights", model: model.description, shapes: model.variables.map((v) => v.shape) },
    arrays,
  );
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw new Error(`Cannot save weights to "${path}": ${String((e as Error).message).split("\n")[0]}`);
  }
}

/**
 * Loads weights saved by {@linkcode saveWeights} into a model of the same
 * architecture (checked tensor by tensor). Needs `--allow-read`.
 *
 * @example
 * ```ts
 * import { loadWeights, mlpCritic, saveWeights } from "wgan-bench";
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * await saveWeights(mlpCritic({ seed: 1, inputShape: [2], hidden: 8, hiddenLayers: 1 }), path);
 * try {
 *   await loadWeights(mlpCritic({ seed: 1, inputShape: [2], hidden: 16, hiddenLayers: 1 }), path);
 *   throw new Error("unreachable");
 * } catch (e) {
 *   if (!/tensor 0 is 2x8, the model's 2x16/.test((e as Error).message)) throw e;
 * }
 * await Deno.remove(path);
 * ```
 */
export async function loadWeights(model: Model, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`Cannot load weights from "${path}": ${String((e as Error).message).split("\n")[0]}`);
  }
  const what = `weights "${path}"`;
  const { header, arrays } = decodeTensorFile(bytes, { kind: "weights", what });
  const shapes = header.shapes as number[][];
  if (arrays.length !== model.variables.length) {
    throw new Error(
      `Cannot load ${what} into ${model.description}: it has ${arrays.length} tensors, the model ${model.variables.length}`,
    );
  }
  model.variables.forEach((v, i) => {
    if (shapes[i].join("x") !== v.shape.join("x")) {
      throw new Error(
        `Cannot load ${what} into ${model.description}: tensor ${i} is ${shapes[i].join("x")}, the model's ${
          v.shape.join("x")
        } (saved from ${header.model})`,
      );
    }
  });
  model.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(arrays[i], v.shape))));
}

/**
 * The one place TensorFlow.js is imported. The union package `@tensorflow/tfjs`
 * registers every gradient (importing `@tensorflow/tfjs-core` alone registers
 * none under Deno); the wasm and webgpu packages register their backends on the
 * same engine.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
export type Scalar = tf.Scalar;

/**
 * Tensor operations the models are built from that tfjs lacks in a form
 * differentiable to any order on every backend.
 *
 * @module
 */
export { conv2dTranspose, conv2dTransposeViaConv, type ConvPadding } from "./conv_transpose.ts";

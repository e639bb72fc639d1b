/**
 * The GPU correctness subset, bundled for the GPU kit (`deno test -A tests.js` with WGAN_TEST_BACKENDS=webgpu):
 * finite-difference GP and WGAN-div checks on MLP and conv critics, the gradient fixes, the transposed
 * convolution, and the trainer's determinism and no-leak tests.
 *
 * @module
 */
import "../../tests/lipschitz/gradient_penalty_test.ts";
import "../../tests/lipschitz/wasserstein_div_test.ts";
import "../../tests/backend/gradient_fixes_test.ts";
import "../../tests/ops/conv_transpose_test.ts";
import "../../tests/train/trainer_test.ts";

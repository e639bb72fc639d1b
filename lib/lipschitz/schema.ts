/**
 * The schema of a built-in Lipschitz term, checked by the library and by the harness's `--set` alike (see `lib/config/schema.ts`).
 *
 * @module
 */
import { rules, z } from "../config/schema.ts";

/** A built-in Lipschitz term: none, weight clipping, gradient penalty or Wasserstein divergence. */
export const lipschitzSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("none") }),
  z.strictObject({ kind: z.literal("clip"), c: rules.positive() }),
  z.strictObject({ kind: z.literal("gp"), lambda: rules.nonNegative() }),
  z.strictObject({
    kind: z.literal("div"),
    k: rules.nonNegative(),
    p: rules.positive(),
    // where the term's gradients are taken: the real and generated batches (the default: PyTorch-GAN's wgan_div.py)
    // or interpolates between them (the authors' code, musikisomorphie/wgan-div)
    points: rules.choice(["real-fake", "interpolates"]).optional(),
  }),
], { error: "must be a Lipschitz term of kind none, clip, gp or div" });

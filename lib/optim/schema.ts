/**
 * The schema of an optimizer spec, checked by the library and by the harness's `--set` alike (see `lib/config/schema.ts`).
 *
 * @module
 */
import { rules, z } from "../config/schema.ts";

/** An optimizer as `torch.optim` defines it. */
export const optimizerSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("rmsprop"), lr: rules.positive(), alpha: rules.unit(), eps: rules.nonNegative() }),
  z.strictObject({
    kind: z.literal("adam"),
    lr: rules.positive(),
    beta1: rules.unit(),
    beta2: rules.unit(),
    eps: rules.nonNegative(),
  }),
], { error: "must be an optimizer of kind rmsprop or adam" });

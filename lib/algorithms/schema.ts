/**
 * The schema of an algorithm's plain-data parts — loss, Lipschitz term, optimizer, schedule — checked by
 * {@linkcode algorithm} and by the harness's `--set` alike (see `lib/config/schema.ts`).
 *
 * @module
 */
import { rules, z } from "../config/schema.ts";
import { lossNameSchema } from "../losses/schema.ts";
import { lipschitzSpecSchema } from "../lipschitz/schema.ts";
import { optimizerSpecSchema } from "../optim/schema.ts";

export { lipschitzSpecSchema, lossNameSchema, optimizerSpecSchema };

/** The schedule and batch of an algorithm (everything but its loss, Lipschitz term and optimizer). */
export const scheduleSchema = z.strictObject({
  nCritic: rules.integer(1),
  dItersSchedule: rules.boolean(),
  batchSize: rules.integer(1),
  constrainBeforeUpdate: rules.boolean(),
  epochBursts: rules.boolean(),
});

/** An algorithm spec whose parts are all plain data (as result folders record it). */
export const algorithmDataSchema = scheduleSchema.extend({
  name: rules.choice(["wgan", "wgan-gp", "wgan-div", "gan"]),
  loss: lossNameSchema,
  lipschitz: lipschitzSpecSchema,
  optimizer: optimizerSpecSchema,
}).refine((a) => !(a.epochBursts && a.lipschitz.kind === "gp"), {
  path: ["epochBursts"],
  error: "must be false with a gradient penalty (an epoch's partial last batch has fewer real samples than fake " +
    "ones, and the penalty interpolates pairs of them)",
});

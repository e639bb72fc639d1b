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
}).refine((a) => !(a.epochBursts && interpolatesPairs(a.lipschitz)), {
  path: ["epochBursts"],
  error: "must be false with a gradient penalty or a WGAN-div term at interpolates (an epoch's partial last batch " +
    "has fewer real samples than fake ones, and the term interpolates pairs of them)",
});

/** Whether a Lipschitz term interpolates real and fake samples pairwise (WGAN-GP's penalty, WGAN-div at interpolates). */
function interpolatesPairs(l: { kind: string; points?: string }): boolean {
  return l.kind === "gp" || (l.kind === "div" && l.points === "interpolates");
}

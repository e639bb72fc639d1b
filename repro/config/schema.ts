/**
 * The schema of a resolved run configuration — the run settings and every arm's algorithm and networks — built
 * from the library's own schemas (`lib/config/schema.ts` and the specs' `schema.ts` files), so `--set`,
 * `--print-config`, the library's checks and configuration files share one declaration of each value. Combinations
 * the library cannot train are refused here, naming the key.
 *
 * @module
 */
import { rules, z } from "../../lib/config/schema.ts";
import { algorithmDataSchema } from "../../lib/algorithms/schema.ts";
import { dcganCriticConfigSchema, dcganGeneratorConfigSchema, mlpConfigSchema } from "../../lib/models/schema.ts";

/** The run settings (`Settings`): every value a profile sets and `--set` changes. */
export const settingsSchema = z.strictObject({
  iterations: rules.integer(1),
  evalEvery: rules.integer(1),
  logEvery: rules.integer(1),
  evalSamples: rules.integer(2),
  seeds: rules.integer(1, 10_000),
  batchSize: rules.integer(1),
  // 0: the experiment has no DCGAN network (the toys); a network's own width must be ≥ 1
  width: rules.integer(0),
  hidden: rules.integer(1),
  imageSize: rules.numberChoice([28, 32]),
  resizeTo32: rules.choice(["bilinear", "pad"]),
  dItersSchedule: rules.boolean(),
  trainOnHeldOut: rules.boolean(),
  quantize8bit: rules.boolean(),
});

const noiseDim = { noiseDim: rules.integer(1) };

/** One arm, fully resolved (`ArmConfig`). */
export const armConfigSchema = z.strictObject({
  id: z.string().min(1),
  algorithm: algorithmDataSchema,
  generator: z.discriminatedUnion("kind", [
    mlpConfigSchema.extend(noiseDim),
    dcganGeneratorConfigSchema.extend(noiseDim),
    // held fixed at the data plus N(0, sigma²·I) (WGAN-GP Fig. 1a)
    z.strictObject({ kind: z.literal("noisy-data"), sigma: rules.nonNegative(), ...noiseDim }),
  ]),
  // a critic's output is a score: always linear
  critic: z.discriminatedUnion("kind", [mlpConfigSchema.omit({ outputActivation: true }), dcganCriticConfigSchema]),
}).refine(
  (a) =>
    !(a.critic.kind === "dcgan" && a.critic.norm === "batch" && ["gp", "div"].includes(a.algorithm.lipschitz.kind)),
  {
    path: ["critic", "norm"],
    error: "must be layer or none under a gradient penalty (a penalty is per sample; batch norm mixes the samples, " +
      "and its second derivative is not implemented)",
  },
);

/** A resolved run configuration (`RunConfig`). */
export const runConfigSchema = z.strictObject({
  settings: settingsSchema,
  arms: z.array(armConfigSchema),
});

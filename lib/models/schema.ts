/**
 * The schema of the models' options — width, depth, activation, normalisation, initialisation — checked by the
 * model factories and by the harness's `--set` alike (see `lib/config/schema.ts`).
 *
 * @module
 */
import { rules, z } from "../config/schema.ts";

/** The named initialisation rules (see `Init`). */
export const INIT_RULE_NAMES = ["dcgan", "torch-default", "gan-toy", "he"] as const;

/** A named initialisation rule, or the standard deviation of N(0, σ) weights. */
const initExpected = { error: `must be ${INIT_RULE_NAMES.join(", ")} or a positive standard deviation` };
export const initSchema = z.union([z.enum(INIT_RULE_NAMES), z.number().positive(initExpected)], initExpected);

/** Hidden activations. */
export const activationSchema = rules.choice(["relu", "leaky-relu", "tanh", "none"]);

/** The MLP generator's or critic's options beyond its shape. */
export const mlpConfigSchema = z.strictObject({
  kind: z.literal("mlp"),
  hidden: rules.integer(1),
  hiddenLayers: rules.integer(0),
  activation: activationSchema,
  init: initSchema,
  /** The generator's output activation (absent: none, as the official MLP_G; a critic's output is always linear). */
  outputActivation: activationSchema.optional(),
});

/** The DCGAN generator's options beyond its shape. */
export const dcganGeneratorConfigSchema = z.strictObject({
  kind: z.literal("dcgan"),
  width: rules.integer(1),
  batchNorm: rules.boolean(),
  filters: rules.choice(["pyramid", "constant"]),
  init: initSchema,
});

/** The DCGAN critic's options beyond its shape. */
export const dcganCriticConfigSchema = z.strictObject({
  kind: z.literal("dcgan"),
  width: rules.integer(1),
  norm: rules.choice(["batch", "layer", "none"]),
  init: initSchema,
});

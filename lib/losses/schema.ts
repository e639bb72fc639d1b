/**
 * The schema of a built-in loss name, checked by the library and by the harness's `--set` alike (see `lib/config/schema.ts`).
 *
 * @module
 */
import { rules } from "../config/schema.ts";

/** The built-in adversarial losses. */
export const lossNameSchema = rules.choice(["wasserstein", "standard"]);

/**
 * Checkpoints of a run, in the library's tensor file format
 * (`lib/io/tensor_file.ts`): the header holds the step, RNG and sampler
 * states, optimizer step counts and the run's extra state; the arrays are the
 * generator and critic weights and both optimizers' slots. Written atomically.
 *
 * @module
 */
import type { TrainerState } from "../../mod.ts";
import { decodeTensorFile, encodeTensorFile } from "../../lib/io/tensor_file.ts";
import { writeAtomic } from "../folder/files.ts";

/** A checkpoint: trainer state plus whatever the harness needs to continue (e.g. elapsed time). */
export interface Checkpoint<Extra> {
  trainer: TrainerState;
  extra: Extra;
}

/** Saves a checkpoint atomically. */
export async function saveCheckpoint<Extra>(path: string, ckpt: Checkpoint<Extra>): Promise<void> {
  const t = ckpt.trainer;
  const groups = [t.generatorWeights, t.criticWeights, t.generatorOptimizer.slots, t.criticOptimizer.slots];
  const bytes = encodeTensorFile({
    kind: "checkpoint",
    generatorIteration: t.generatorIteration,
    noiseRng: t.noiseRng,
    penaltyRng: t.penaltyRng,
    sampler: t.sampler,
    optimizerSteps: [t.generatorOptimizer.step, t.criticOptimizer.step],
    groups: groups.map((g) => g.length),
    extra: ckpt.extra,
  }, groups.flat());
  await writeAtomic(path, bytes);
}

/** Loads a checkpoint, or returns null when none exists. Throws one line on a corrupt file. */
export async function loadCheckpoint<Extra>(path: string): Promise<Checkpoint<Extra> | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let decoded;
  try {
    decoded = decodeTensorFile(bytes, { kind: "checkpoint", what: `checkpoint "${path}"` });
  } catch (e) {
    throw new Error(
      `Cannot resume from ${
        (e as Error).message.replace(/^Cannot read /, "")
      } (delete that file to restart this run from iteration 0; the folder's other runs are kept)`,
    );
  }
  const { header: h, arrays } = decoded;
  const groups: Float32Array[][] = [];
  let i = 0;
  for (const n of h.groups as number[]) {
    groups.push(arrays.slice(i, i + n));
    i += n;
  }
  const steps = h.optimizerSteps as [number, number];
  return {
    trainer: {
      generatorIteration: h.generatorIteration as number,
      noiseRng: h.noiseRng as TrainerState["noiseRng"],
      penaltyRng: h.penaltyRng as TrainerState["penaltyRng"],
      sampler: h.sampler as TrainerState["sampler"],
      generatorWeights: groups[0],
      criticWeights: groups[1],
      generatorOptimizer: { step: steps[0], slots: groups[2] },
      criticOptimizer: { step: steps[1], slots: groups[3] },
    },
    extra: h.extra as Extra,
  };
}

/**
 * Binary checkpoints of a run: a JSON header (step, RNG and sampler states,
 * optimizer step counts, the run's extra state) followed by the float32
 * tensors (generator and critic weights, optimizer slots). Written atomically.
 *
 * @module
 */
import type { TrainerState } from "../mod.ts";
import { writeAtomic } from "./files.ts";

const MAGIC = "WGANCKPT1";

/** A checkpoint: trainer state plus whatever the harness needs to continue (e.g. elapsed time). */
export interface Checkpoint<Extra> {
  trainer: TrainerState;
  extra: Extra;
}

/** Saves a checkpoint atomically. */
export async function saveCheckpoint<Extra>(path: string, ckpt: Checkpoint<Extra>): Promise<void> {
  const t = ckpt.trainer;
  const groups = [t.generatorWeights, t.criticWeights, t.generatorOptimizer.slots, t.criticOptimizer.slots];
  const header = JSON.stringify({
    magic: MAGIC,
    generatorIteration: t.generatorIteration,
    noiseRng: t.noiseRng,
    penaltyRng: t.penaltyRng,
    sampler: t.sampler,
    optimizerSteps: [t.generatorOptimizer.step, t.criticOptimizer.step],
    lengths: groups.map((g) => g.map((a) => a.length)),
    extra: ckpt.extra,
  });
  const headerBytes = new TextEncoder().encode(header);
  const floats = groups.flat().reduce((n, a) => n + a.length, 0);
  const pad = (4 - ((8 + headerBytes.length) % 4)) % 4;
  const out = new Uint8Array(8 + headerBytes.length + pad + 4 * floats);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x57474b31, false); // "WGK1"
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = 8 + headerBytes.length + pad;
  for (const a of groups.flat()) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  await writeAtomic(path, out);
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
  const corrupt = (why: string) =>
    new Error(`Cannot resume from checkpoint "${path}": ${why} (delete it or rerun with --fresh)`);
  if (bytes.length < 8) throw corrupt("file too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== 0x57474b31) throw corrupt("not a wgan-bench checkpoint");
  const headerLength = view.getUint32(4, true);
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw corrupt("unreadable header");
  }
  if (header.magic !== MAGIC) throw corrupt("unknown format version");
  const pad = (4 - ((8 + headerLength) % 4)) % 4;
  let offset = 8 + headerLength + pad;
  const lengths: number[][] = header.lengths;
  const total = lengths.flat().reduce((a, b) => a + b, 0);
  if (bytes.length !== offset + 4 * total) throw corrupt(`expected ${offset + 4 * total} bytes, found ${bytes.length}`);
  const groups = lengths.map((g) =>
    g.map((n) => {
      const a = new Float32Array(bytes.slice(offset, offset + 4 * n).buffer);
      offset += 4 * n;
      return a;
    })
  );
  return {
    trainer: {
      generatorIteration: header.generatorIteration,
      noiseRng: header.noiseRng,
      penaltyRng: header.penaltyRng,
      sampler: header.sampler,
      generatorWeights: groups[0],
      criticWeights: groups[1],
      generatorOptimizer: { step: header.optimizerSteps[0], slots: groups[2] },
      criticOptimizer: { step: header.optimizerSteps[1], slots: groups[3] },
    },
    extra: header.extra as Extra,
  };
}

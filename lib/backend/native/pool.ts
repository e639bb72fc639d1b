/**
 * Recycling of the native kernels' output buffers.
 *
 * Why: a fresh multi-megabyte `Float32Array` is backed by new, untouched
 * pages, and the first write to each page faults; measured here, writing a
 * fresh 4 MiB output costs ~2.8 ms against ~0.7 ms for the same loop into a
 * recycled one, which made the page faults most of an element-wise op.
 *
 * Safety rule: a buffer is recycled only when nobody else can hold it. Only
 * buffers allocated here are candidates ("owned"); one stops being a candidate
 * for good ("escapes") the moment its values are handed out — `dataSync`,
 * `data`, `bufferSync`, moving the tensor to another backend all go through
 * the backend's `readSync`/`read` — or a tfjs kernel may alias it (a simple
 * `slice` returns a view of its input). A candidate returns here when tfjs
 * deletes its tensor data (reference count zero).
 *
 * @module
 */

/** Buffers shorter than this are not worth tracking. */
const MIN_LENGTH = 4096;
/**
 * At most this many bytes wait in the pool; beyond it, released buffers are left to the GC. In steady
 * training the pool holds about one step's peak of intermediate tensors: measured, with a 1 GiB limit a DCGAN-64
 * WGAN-GP critic step (batch 64) still allocated 348 MB of fresh buffers every step (its peak is larger), and
 * a DCGAN-32 WGAN-div step 95–160 MB; every fresh megabyte costs page faults (~0.7 ms). So the default is a
 * quarter of the machine's memory, between 1 and 8 GiB (1 GiB when the memory cannot be read, e.g. without
 * `--allow-sys`), under which those steps allocate nothing fresh after the first; their step time moved by 3% or
 * less against the 1 GiB limit (two alternating pairs each: within this machine's noise). `setPoolLimit` changes it.
 */
let maxPooledBytes = defaultLimit();

function defaultLimit(): number {
  const GiB = 1024 ** 3;
  try {
    // only where already granted: never a permission prompt
    if (Deno.permissions.querySync({ name: "sys", kind: "systemMemoryInfo" }).state !== "granted") return GiB;
    const total = Deno.systemMemoryInfo().total;
    return Number.isFinite(total) && total > 0 ? Math.min(8 * GiB, Math.max(GiB, total / 4)) : GiB;
  } catch {
    return GiB;
  }
}
/** At most this many buffers wait per length. */
const MAX_PER_LENGTH = 256;

const owned = new WeakSet<Float32Array>();
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/**
 * A float32 buffer of `length` elements for a kernel's output. Its contents
 * are arbitrary: the caller must write every element.
 */
export function allocOutput(length: number): Float32Array {
  if (length < MIN_LENGTH) return new Float32Array(length);
  const recycled = free.get(length)?.pop();
  if (recycled) {
    pooledBytes -= recycled.byteLength;
    return recycled;
  }
  const fresh = new Float32Array(length);
  owned.add(fresh);
  return fresh;
}

/** Marks `values` as visible outside the backend: it is never recycled. */
export function escape(values: unknown): void {
  if (values instanceof Float32Array) owned.delete(values);
}

/** Returns `values` to the pool if it is an owned buffer whose tensor data was just deleted. */
export function release(values: unknown): void {
  if (!(values instanceof Float32Array) || !owned.has(values)) return;
  const list = free.get(values.length) ?? [];
  if (list.length >= MAX_PER_LENGTH || pooledBytes + values.byteLength > maxPooledBytes) {
    owned.delete(values);
    return;
  }
  if (list.includes(values)) return; // defensive: never hand one buffer out twice
  list.push(values);
  free.set(values.length, list);
  pooledBytes += values.byteLength;
}

/**
 * Sets how many bytes of the native backend's recycled buffers may wait for
 * reuse (default 1 GiB, about one training step's peak of intermediates; 0
 * turns recycling off and empties the pool). Returns the previous limit.
 *
 * @example
 * ```ts
 * import { setPoolLimit } from "wgan-bench/backend";
 * const previous = setPoolLimit(64 * 1024 * 1024); // a smaller footprint, at some speed
 * if (setPoolLimit(previous) !== 64 * 1024 * 1024) throw new Error("returns the limit it replaces");
 * ```
 */
export function setPoolLimit(bytes: number): number {
  if (!(bytes >= 0)) throw new RangeError(`Cannot set the buffer pool limit: expected bytes >= 0, got ${bytes}`);
  const previous = maxPooledBytes;
  maxPooledBytes = bytes;
  if (pooledBytes > bytes) {
    for (const list of free.values()) for (const v of list) owned.delete(v);
    free.clear();
    pooledBytes = 0;
  }
  return previous;
}

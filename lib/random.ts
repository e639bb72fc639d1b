/**
 * Seeded randomness. Every random draw in the library comes from an
 * {@linkcode Rng} derived from the run seed; nothing uses `Math.random`.
 * Draws are made in JavaScript, so the same seed gives the same numbers on
 * every backend. The generator state is four 32-bit words and can be saved and
 * restored exactly (checkpoints).
 *
 * Algorithm: xoshiro128** seeded through splitmix32; normals by Box–Muller.
 *
 * @module
 */
import { fnv1a, FNV_OFFSET } from "./hash.ts";

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(text: string, seed: number): number {
  return fnv1a(text, FNV_OFFSET ^ seed);
}

/**
 * A seeded pseudo-random generator (xoshiro128**).
 *
 * @example
 * ```ts
 * import { Rng } from "wgan-bench";
 * const a = new Rng(42), b = new Rng(42);
 * if (a.uniform() !== b.uniform()) throw new Error("same seed, same numbers");
 * const noise = a.fork("noise"); // an independent stream named by a label
 * noise.normal();
 * ```
 */
export class Rng {
  #s: Uint32Array;
  #spareNormal: number | null = null;
  /** The seed this generator was made from. */
  readonly seed: number;

  /**
   * A generator from an integer seed: any 32-bit value, unsigned (0 … 2³² − 1) or signed (−2³¹ … −1, the same
   * generators as their unsigned bit patterns). Anything outside throws: it would wrap onto another seed's numbers.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 32 - 1) {
      throw new RangeError(
        `Cannot seed a random generator: seed must be an integer from -2^31 to 2^32 - 1, got ${seed}`,
      );
    }
    this.seed = seed >>> 0;
    const st = { s: this.seed };
    this.#s = new Uint32Array([splitmix32(st), splitmix32(st), splitmix32(st), splitmix32(st)]);
  }

  /** An independent generator for a named purpose ("init", "noise", "data", ...), derived from this seed and the label only. */
  fork(label: string): Rng {
    return new Rng(hashString(label, this.seed));
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) {
      throw new RangeError(`Cannot draw an integer below ${n}: n must be a positive integer`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal draw (Box–Muller, both values used). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const v = this.#spareNormal;
      this.#spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `n` normal draws with the given mean and standard deviation. */
  normals(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** `n` uniform draws in [lo, hi). */
  uniforms(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The exact generator state, for checkpoints. */
  getState(): RngState {
    return { seed: this.seed, words: Array.from(this.#s), spareNormal: this.#spareNormal };
  }

  /** Restores a state captured by {@linkcode Rng.getState}. */
  setState(state: RngState): void {
    if (state.words.length !== 4) {
      throw new RangeError(`Cannot restore a random generator: expected 4 state words, got ${state.words.length}`);
    }
    this.#s = new Uint32Array(state.words);
    this.#spareNormal = state.spareNormal;
  }
}

/** Serializable state of an {@linkcode Rng}. */
export interface RngState {
  seed: number;
  words: number[];
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

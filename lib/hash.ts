/**
 * FNV-1a, the one non-cryptographic hash of the project (RNG stream labels,
 * hardware ids, data-set fingerprints).
 *
 * @module
 */

/** The FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/**
 * FNV-1a (32-bit) over a string's UTF-16 code units or over byte values,
 * continuing from `h` (so several pieces can be hashed in sequence).
 *
 * @example
 * ```ts
 * import { fnv1a } from "./hash.ts";
 * // the published FNV-1a test vector for "a"
 * if (fnv1a("a") !== 0xe40c292c) throw new Error(fnv1a("a").toString(16));
 * if (fnv1a("b", fnv1a("a")) !== fnv1a("ab")) throw new Error("hashes continue");
 * ```
 */
export function fnv1a(data: string | ArrayLike<number>, h: number = FNV_OFFSET): number {
  h >>>= 0;
  if (typeof data === "string") {
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data.charCodeAt(i), 0x01000193) >>> 0;
  } else {
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
  }
  return h;
}

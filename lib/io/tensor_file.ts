/**
 * The project's one binary format for float32 tensors: model weights
 * (`saveWeights`), the harness's checkpoints and its cached classifier.
 *
 * Layout: the bytes "WGK1", the header's byte length (uint32 little-endian),
 * the header as UTF-8 JSON (`{ format, kind, lengths, ... }`), zero padding to
 * a multiple of 4, then the arrays' float32 values (little-endian, the
 * platform order of every machine Deno runs on) back to back.
 *
 * @module
 */

const MAGIC = 0x57474b31; // "WGK1"
const FORMAT = "wgan-bench-tensors-v1";

/** Header fields every tensor file has; writers add their own. */
export interface TensorFileHeader {
  /** What the file holds, e.g. "weights" or "checkpoint": checked when reading. */
  kind: string;
  [key: string]: unknown;
}

/**
 * Encodes arrays and a JSON-serialisable header into one byte buffer.
 *
 * @example
 * ```ts
 * import { decodeTensorFile, encodeTensorFile } from "./tensor_file.ts";
 * const bytes = encodeTensorFile({ kind: "demo", note: "hi" }, [Float32Array.of(1, 2), Float32Array.of(-3)]);
 * const { header, arrays } = decodeTensorFile(bytes, { kind: "demo", what: "a demo file" });
 * if (header.note !== "hi" || arrays[1][0] !== -3 || arrays[0].length !== 2) throw new Error("round trip");
 * ```
 */
export function encodeTensorFile(header: TensorFileHeader, arrays: readonly Float32Array[]): Uint8Array {
  const json = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, ...header, lengths: arrays.map((a) => a.length) }),
  );
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Uint8Array(8 + json.length + pad + 4 * floats);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, false);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  let offset = 8 + json.length + pad;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return out;
}

/**
 * Decodes {@linkcode encodeTensorFile}'s bytes. Throws one line naming `what`
 * (e.g. `checkpoint "out/…/checkpoint.bin"`) when the bytes are not such a
 * file, hold another kind, or are truncated.
 */
export function decodeTensorFile(
  bytes: Uint8Array,
  expect: { kind: string; what: string },
): { header: TensorFileHeader; arrays: Float32Array[] } {
  const fail = (why: string) => new Error(`Cannot read ${expect.what}: ${why}`);
  if (bytes.length < 8) throw fail("file too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== MAGIC) throw fail("not a wgan-bench tensor file");
  const headerLength = view.getUint32(4, true);
  let header: TensorFileHeader & { format?: string; lengths?: number[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw fail("unreadable header");
  }
  if (header.format !== FORMAT) throw fail(`unknown format ${JSON.stringify(header.format ?? "(none)")}`);
  if (header.kind !== expect.kind) throw fail(`it holds ${header.kind}, not ${expect.kind}`);
  const lengths = header.lengths ?? [];
  const pad = (4 - ((8 + headerLength) % 4)) % 4;
  let offset = 8 + headerLength + pad;
  const total = lengths.reduce((a, b) => a + b, 0);
  if (bytes.length !== offset + 4 * total) {
    throw fail(`expected ${offset + 4 * total} bytes, found ${bytes.length} (truncated or corrupt)`);
  }
  const arrays = lengths.map((n) => {
    const a = new Float32Array(bytes.slice(offset, offset + 4 * n).buffer);
    offset += 4 * n;
    return a;
  });
  return { header, arrays };
}

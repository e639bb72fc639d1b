import assert from "node:assert/strict";
import { decodeTensorFile, encodeTensorFile } from "../../lib/io/tensor_file.ts";
import { dcganGenerator, loadWeights, sample, saveWeights } from "../../mod.ts";
import { loadCheckpoint } from "../../repro/run/checkpoint.ts";
import { tempDir, tempFile } from "../temp.ts";

const expect = { kind: "test", what: "test file" };

Deno.test("tensor files round-trip any header and arrays bit for bit, NaN and ±∞ included", () => {
  const arrays = [Float32Array.of(1.5, NaN, -Infinity, Infinity, -0), new Float32Array(0), Float32Array.of(3e-40)];
  const { header, arrays: back } = decodeTensorFile(encodeTensorFile({ kind: "test", n: 7, s: "é" }, arrays), expect);
  assert.deepEqual([header.n, header.s], [7, "é"]);
  assert.equal(back.length, 3);
  back.forEach((a, i) => assert.deepEqual(new Uint8Array(a.buffer), new Uint8Array(arrays[i].buffer)));
});

Deno.test("tensor files: truncated, foreign, corrupt-header and other-kind files give one line naming the file", () => {
  const good = encodeTensorFile({ kind: "test" }, [new Float32Array(10)]);
  const cases: [Uint8Array, RegExp][] = [
    [
      good.subarray(0, good.length - 4),
      /Cannot read test file: expected \d+ bytes, found \d+ \(truncated or corrupt\)/,
    ],
    [new TextEncoder().encode("PK\x03\x04 a zip file"), /not a wgan-bench tensor file/],
    [good.subarray(0, 5), /file too short/],
    [encodeTensorFile({ kind: "weights" }, []), /it holds weights, not test/],
  ];
  const broken = good.slice();
  broken[9] = 0x7b; // "{" inside the JSON header
  cases.push([broken, /unreadable header/]);
  for (const [bytes, message] of cases) {
    assert.throws(
      () => decodeTensorFile(bytes, expect),
      (e: Error) => message.test(e.message) && !e.message.includes("\n"),
    );
  }
});

Deno.test("a corrupt checkpoint: one line saying how to recover", async () => {
  const path = await tempFile();
  await Deno.writeFile(path, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  await assert.rejects(
    loadCheckpoint(path),
    /Cannot resume from checkpoint ".*": not a wgan-bench tensor file \(delete that file to restart this run from iteration 0; the folder.s other runs are kept\)/,
  );
  assert.equal(await loadCheckpoint(`${path}-missing`), null);
});

Deno.test("saveWeights/loadWeights: a reloaded DCGAN generator draws the same samples; a missing file is one line", async () => {
  const opts = { imageSize: 28, channels: 1, noiseDim: 8, width: 4 } as const;
  const a = dcganGenerator({ seed: 1, ...opts }), b = dcganGenerator({ seed: 2, ...opts });
  const path = `${await tempDir()}/g.bin`;
  await saveWeights(a, path);
  assert.notDeepEqual(await sample(b, 4, { seed: 0 }), await sample(a, 4, { seed: 0 }));
  await loadWeights(b, path);
  assert.deepEqual(await sample(b, 4, { seed: 0 }), await sample(a, 4, { seed: 0 }));
  await assert.rejects(loadWeights(b, `${path}.nope`), /Cannot load weights from ".*\.nope": /);
  a.dispose();
  b.dispose();
});

import assert from "node:assert/strict";
import { sweepTempFiles, writeFileAtomic } from "../../lib/io/write_atomic.ts";
import { tempDir } from "../temp.ts";

Deno.test("a failed write (ENOSPC from /dev/full) fails in one line, removes the temporary file and keeps the old file", async () => {
  const dir = await tempDir();
  const path = `${dir}/checkpoint.bin`;
  await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  // the next write's temporary file is (a link to) a full device: every write to it fails with ENOSPC (with -A;
  // under the test task's permissions Deno refuses the device before writing — a failed write all the same)
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.symlink("/dev/full", tmp);
  await assert.rejects(
    () => writeFileAtomic(path, new Uint8Array(1 << 16)),
    (e: Error) => {
      assert.match(
        e.message,
        /^Cannot write ".*checkpoint\.bin": .*(No space left on device|os error 28|Requires all)/,
      );
      assert.ok(!e.message.includes("\n"));
      return true;
    },
  );
  assert.deepEqual([...await Deno.readFile(path)], [1, 2, 3], "the last complete file stands");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["checkpoint.bin"], "no temporary file left");
});

Deno.test("sweepTempFiles() removes temporary files left by killed writers, in sub-folders too, and nothing else", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/runs/wgan/seed-0`, { recursive: true });
  for (const f of ["steps.csv", "steps.csv.tmp-4242", "runs/wgan/seed-0/checkpoint.bin.tmp-17", "runs/x.tmp-a"]) {
    await Deno.writeTextFile(`${dir}/${f}`, "x");
  }
  const removed = (await sweepTempFiles(dir)).map((p) => p.slice(dir.length + 1)).sort();
  assert.deepEqual(removed, ["runs/wgan/seed-0/checkpoint.bin.tmp-17", "steps.csv.tmp-4242"]);
  assert.ok(await Deno.stat(`${dir}/steps.csv`) && await Deno.stat(`${dir}/runs/x.tmp-a`));
  assert.deepEqual(await sweepTempFiles(`${dir}/missing`), []);
});

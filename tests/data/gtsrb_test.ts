import assert from "node:assert/strict";
import { DataFileError, loadGtsrb } from "../../mod.ts";
import { loadExperimentData } from "../../repro/run/data.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { tempDir } from "../temp.ts";
import { findExperiment } from "../../repro/config/registry.ts";

const HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId";

/** A PPM whose pixels are `inside` within the box (x1..x2, y1..y2 inclusive) and `outside` elsewhere. */
function ppm(w: number, h: number, box: number[], inside: number[], outside: number[]): Uint8Array {
  const [x1, y1, x2, y2] = box;
  const px: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) px.push(...(x >= x1 && x <= x2 && y >= y1 && y <= y2 ? inside : outside));
  }
  return new Uint8Array([...new TextEncoder().encode(`P6\n${w} ${h}\n255\n`), ...px]);
}

/** A GTSRB-layout folder: class folders 00000 and 00002, each with PPMs of different sizes and a GT csv. */
async function gtsrbFolder(copies = 1): Promise<string> {
  const dir = await tempDir();
  const signs = [
    { cls: "00000", file: "00000_00000.ppm", w: 12, h: 10, box: [2, 3, 9, 8], color: [255, 0, 0] },
    { cls: "00000", file: "00000_00001.ppm", w: 20, h: 22, box: [5, 5, 14, 14], color: [255, 0, 0] },
    { cls: "00002", file: "00001_00000.ppm", w: 15, h: 15, box: [0, 0, 7, 7], color: [0, 0, 255] },
  ];
  for (const cls of ["00000", "00002"]) {
    await Deno.mkdir(`${dir}/${cls}`);
    const own = signs.filter((s) => s.cls === cls);
    for (const s of own) await Deno.writeFile(`${dir}/${cls}/${s.file}`, ppm(s.w, s.h, s.box, s.color, [0, 255, 0]));
    const lines = own.flatMap((s) => Array(copies).fill([s.file, s.w, s.h, ...s.box, Number(cls)].join(";")));
    await Deno.writeTextFile(`${dir}/${cls}/GT-${cls}.csv`, [HEADER, ...lines].join("\n") + "\n");
  }
  return dir;
}

Deno.test("loadGtsrb(): the official layout, each sign cropped to its annotated region, labels from ClassId", async () => {
  const dir = await gtsrbFolder();
  const ds = await loadGtsrb(dir, { size: 4 });
  assert.equal(ds.count, 3);
  assert.deepEqual([...ds.labels!], [0, 0, 2]);
  // cropped to the region: every pixel is the sign's colour, none of the green background
  for (let k = 0; k < 3; k++) {
    const px = ds.images.subarray(k * 48, (k + 1) * 48);
    const want = k < 2 ? [1, -1, -1] : [-1, -1, 1];
    for (let i = 0; i < 16; i++) assert.deepEqual([...px.subarray(i * 3, i * 3 + 3)], want, `image ${k} pixel ${i}`);
  }
  // through the harness: --dataset gtsrb:DIR (32×32 RGB; each sign listed 5 times, so that 1 in 10 can be held out)
  const e = findExperiment("mnist-dcgan");
  const { settings } = resolveConfig(e, "quick");
  const data = await loadExperimentData(e, settings, `gtsrb:${await gtsrbFolder(5)}`);
  assert.equal((data.train as typeof data.heldOut)!.count + data.heldOut!.count, 15);
  assert.deepEqual(data.sampleShape, [32, 32, 3]);
  assert.equal(data.train.name.startsWith("gtsrb"), true);
});

Deno.test("loadGtsrb(): a missing annotation file, a bad region, a missing image and a bad number are one line each", async () => {
  const bad = async (edit: (dir: string) => Promise<void>, message: RegExp) => {
    const dir = await gtsrbFolder();
    await edit(dir);
    await assert.rejects(loadGtsrb(dir), (e) => e instanceof DataFileError && message.test(e.message));
  };
  await bad(
    (d) => Deno.remove(`${d}/00002/GT-00002.csv`),
    /GTSRB class folder ".*00002": expected one GT-\*\.csv annotation file, found 0/,
  );
  await bad(
    (d) => Deno.writeTextFile(`${d}/00002/GT-00002.csv`, `${HEADER}\n00001_00000.ppm;15;15;0;0;15;7;2\n`),
    /Cannot crop ".*00001_00000.ppm": its region \(0, 0\)–\(15, 7\) is not inside the 15 × 15 image/,
  );
  await bad(
    (d) => Deno.remove(`${d}/00000/00000_00001.ppm`),
    /Cannot read GTSRB image ".*00000_00001.ppm": no such file/,
  );
  await bad(
    (d) => Deno.writeTextFile(`${d}/00002/GT-00002.csv`, `${HEADER}\n00001_00000.ppm;15;15;0;x;7;7;2\n`),
    /GT-00002.csv" line 2: Roi.Y1 must be a whole number, got "x"/,
  );
  await assert.rejects(loadGtsrb(`${await tempDir()}/none`), /Cannot read GTSRB folder ".*none": no such folder/);
  await assert.rejects(loadGtsrb(await tempDir()), /no class folders \(expected GTSRB\/Final_Training\/Images/);
});

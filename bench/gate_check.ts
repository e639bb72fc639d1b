/**
 * `deno task gate-check [--labels FILE] [--out DIR]`: does the recognisability test (the `recognisable` column and the
 * "converged" outcome's gate) pass the generated images a person reads as digits, and only those? Reads sample grids
 * (8×8 cells of 28×28 pixels, 2-pixel gutters: raw from `sampleGridPng`, or the titled `samples-*.png` a run writes), a
 * person's reading of each cell (`labels.csv`: grid, cell 0–63 row by row, the digit read or `-` for none), takes the
 * cells out of the PNGs and judges them with the harness's own test (`Recognisability.judge`: each gate apart). Held-out
 * real digits go through the same test as a control, exact and drawn the way a run draws its grids (the titled picture
 * is smoothed by its renderer, so its cells are the samples slightly blurred: the control measures what that changes).
 * Writes `gate_check.md` and `gate_check.csv` (one row per cell) in DIR (default: the labels file's folder).
 *
 * @module
 */
import { decode } from "fast-png";
import { type RecognisableJudgements, selectBackend } from "../mod.ts";
import { parseCsv, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { runMain, UsageError } from "../repro/errors.ts";
import { harnessEvaluator } from "./metric_check.ts";
import { labelPng, pngSize, sampleGridPng } from "../repro/analysis/sample_grids.ts";

/** Side of a cell's image and the gutter between cells in the harness's MNIST sample grids (`sampleGridPng`). */
const SIDE = 28, GAP = 2;
/** The control rows' grid names. */
const EXACT_CONTROL = "(held-out real digits, as stored)", DRAWN_CONTROL = "(held-out real digits, drawn)";

/**
 * The images of a harness sample grid (8 columns of 28×28 grey cells, 2-pixel gutters), in [−1, 1]: from a raw one
 * (`sampleGridPng`) exactly, 8-bit as stored; from the titled picture a run writes (`samples-*.png`: `labelPng` draws it
 * at 2× under a title, and its renderer smooths the pixels rather than repeating them) as the mean of each pixel's
 * 2×2 block, which is the sample blurred slightly (`exact` says which). A picture of any other size is refused.
 */
export function gridCells(png: Uint8Array, name = "grid", cols = 8): { images: Float32Array; exact: boolean } {
  const image = decode(png);
  const { width, height, channels } = image;
  const data = image.data as Uint8Array;
  const side = cols * (SIDE + GAP) + GAP;
  const scale = width === side ? 1 : width === 2 * side ? 2 : 0;
  const rows = scale ? Math.floor((height / scale - GAP) / (SIDE + GAP)) : 0;
  const top = height - scale * (rows * (SIDE + GAP) + GAP);
  if (!scale || rows < 1 || (scale === 1 && top !== 0) || top < 0) {
    throw new Error(
      `Cannot read ${name} as a sample grid: ${width}×${height} pixels is not ${cols} columns of ${SIDE}×${SIDE} ` +
        `cells with ${GAP}-pixel gutters (raw, or drawn at 2× under a title)`,
    );
  }
  const per = SIDE * SIDE, out = new Float32Array(rows * cols * per);
  const grey = (x: number, y: number) => data[(y * width + x) * channels];
  for (let k = 0; k < rows * cols; k++) {
    const ox = scale * (GAP + (k % cols) * (SIDE + GAP)),
      oy = top + scale * (GAP + Math.floor(k / cols) * (SIDE + GAP));
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const px = ox + scale * x, py = oy + scale * y;
        const v = scale === 1
          ? grey(px, py)
          : (grey(px, py) + grey(px + 1, py) + grey(px, py + 1) + grey(px + 1, py + 1)) / 4;
        out[k * per + y * SIDE + x] = (v / 255) * 2 - 1;
      }
    }
  }
  return { images: out, exact: scale === 1 };
}

/** One cell: where it is, what the person read, what each gate said. */
interface CellRow {
  [column: string]: string | number | boolean;
  grid: string;
  cell: number;
  person: string;
  predicted: number;
  confidence: number;
  confident: boolean;
  layout_near: boolean;
  on_manifold: boolean;
  recognisable: boolean;
}

/** The rows of the cells a person read (`read`: cell, reading), with the test's `judgement` of the grid. */
function cellRows(grid: string, j: RecognisableJudgements, read: readonly (readonly [number, string])[]): CellRow[] {
  return read.map(([k, person]) => ({
    grid,
    cell: k,
    person,
    predicted: j.predicted[k],
    confidence: Number(j.confidence[k].toFixed(4)),
    confident: j.confident[k],
    layout_near: j.layoutNear[k],
    on_manifold: j.onManifold[k],
    recognisable: j.recognisable[k],
  }));
}

async function main() {
  const args = [...Deno.args];
  let labelsPath = "results/checks/recognisability-mnist/labels.csv", out: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "--labels") labelsPath = args.shift() ?? "";
    else if (a === "--out") out = args.shift();
    else throw new UsageError(`Unknown argument "${a}" (usage: deno task gate-check [--labels FILE] [--out DIR])`);
  }
  const folder = labelsPath.includes("/") ? labelsPath.slice(0, labelsPath.lastIndexOf("/")) : ".";
  out ??= folder;
  const labels = parseCsv(
    await Deno.readTextFile(labelsPath).catch(() => {
      throw new UsageError(`Cannot read the labels file ${labelsPath}`);
    }),
  );
  const grids = [...new Set(labels.map((r) => r.grid))];
  for (const r of labels) {
    if (!/^(\d|-)$/.test(r.person ?? "") || !/^\d+$/.test(r.cell ?? "")) {
      throw new UsageError(`Cannot use ${labelsPath}: "${JSON.stringify(r)}" needs a cell number and a digit or "-"`);
    }
  }
  await selectBackend("native").catch(() => selectBackend("cpu"));
  const { evaluator, data } = await harnessEvaluator("mnist", (l) => console.error(l));
  const gate = evaluator.gate!;
  const rows: CellRow[] = [];
  const drawnGrids: string[] = [];
  for (const grid of grids) {
    const { images, exact } = gridCells(await Deno.readFile(`${folder}/${grid}`), grid);
    if (!exact) drawnGrids.push(grid);
    const read = labels.filter((x) => x.grid === grid).map((r) => [Number(r.cell), r.person] as const);
    rows.push(...cellRows(grid, await gate.judge(images), read));
  }
  // the control: the first 64 held-out real digits, read as their labels (a person reads nearly all MNIST digits),
  // as stored and as a run's titled grid draws them
  const heldOut = data.heldOut!;
  const real = heldOut.images.subarray(0, 64 * SIDE * SIDE);
  const raw = sampleGridPng(real, [SIDE, SIDE, 1]);
  const { width, height } = pngSize(raw);
  const controls = {
    [EXACT_CONTROL]: gridCells(raw).images,
    [DRAWN_CONTROL]: gridCells(labelPng(raw, width, height, "held-out digits", "drawn as a run draws")).images,
  };
  const truth = Array.from({ length: 64 }, (_, k) => [k, String(heldOut.labels![k])] as const);
  for (const [grid, images] of Object.entries(controls)) rows.push(...cellRows(grid, await gate.judge(images), truth));
  const columns = Object.keys(rows[0]);
  await Deno.mkdir(out, { recursive: true });
  await writeAtomic(`${out}/gate_check.csv`, toCsv(rows, columns));
  const pct = (a: number, b: number) => b ? `${(100 * a / b).toFixed(0)}%` : "–";
  const table = (name: string, cells: CellRow[]) => {
    const read = cells.filter((c) => c.person !== "-"), unread = cells.filter((c) => c.person === "-");
    const both = read.filter((c) => c.recognisable);
    const missed = read.filter((c) => !c.recognisable);
    const passed = cells.filter((c) => c.recognisable).length;
    return `| ${name} | ${cells.length} | ${read.length} (${pct(read.length, cells.length)}) | ${passed} (${
      pct(passed, cells.length)
    }) | ${both.length} of ${read.length} (${pct(both.length, read.length)}) | ${
      unread.filter((c) => c.recognisable).length
    } of ${unread.length} | ${both.filter((c) => String(c.predicted) === c.person).length} of ${both.length} | ${
      missed.filter((c) => !c.confident).length
    } / ${missed.filter((c) => !c.layout_near).length} / ${missed.filter((c) => !c.on_manifold).length} |`;
  };
  const generated = rows.filter((r) => !r.grid.startsWith("("));
  const exactControl = rows.filter((r) => r.grid === EXACT_CONTROL);
  const drawnControl = rows.filter((r) => r.grid === DRAWN_CONTROL);
  const changed = exactControl.filter((r, k) => r.recognisable !== drawnControl[k].recognisable).length;
  const md = [
    "# Does the recognisability test pass what a person reads? (MNIST; generated by `deno task gate-check`)",
    "",
    `A person read each cell of the sample grids below (\`labels.csv\`: the digit, or \`-\` where none can be named ` +
    `with confidence; one reader, reading the pictures as a run draws them), without seeing the test's verdicts. Each ` +
    `cell was then taken out of its grid and judged by the harness's recognisability test (confidence ≥ ${
      gate.threshold.toFixed(4)
    }, the level ${(100 * gate.quantile).toFixed(0)}% of held-out real digits reach; coarse layout within the radius ` +
    `that 99% of real digits lie within of another; features within the ${gate.k}-NN radius of a held-out real ` +
    `digit). Held-out real digits, read as their labels, are the control: as stored, and drawn and read back the ` +
    `way a run's titled grids are (its renderer smooths the 2× picture, so those cells are the samples slightly ` +
    `blurred; ${
      drawnGrids.length
        ? `${drawnGrids.length} of the ${grids.length} grids here are such pictures`
        : "every grid here is raw"
    }). ` +
    `Drawing changes the test's verdict on ${changed} of the ${exactControl.length} real digits.`,
    "",
    "| grid | cells | a person reads | the test passes | of those read, passed | of those not read, passed | passed, same digit as read | read but failed: confidence / layout / manifold |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...grids.map((g) => table(g, generated.filter((r) => r.grid === g))),
    table("all generated grids", generated),
    table("held-out real digits (control, as stored)", exactControl),
    table("held-out real digits (control, drawn as a run's grid)", drawnControl),
    "",
  ];
  await writeAtomic(`${out}/gate_check.md`, md.join("\n"));
  console.log(md.join("\n"));
}

if (import.meta.main) await runMain(main);

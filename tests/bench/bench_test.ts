import assert from "node:assert/strict";
import { CompareError, compareTable, loadCsvText, matchRows, renderTable } from "../../bench/compare.ts";
import { bestOf } from "../../bench/best_of.ts";
import { defaultReps, forwardFlops, modelShape, stepFlops } from "../../bench/fixtures.ts";
import { BENCH_COLUMNS } from "../../bench/schema.ts";
import { parseCsv, toCsv } from "../../repro/folder/files.ts";
import { SUMMARY_COLUMNS } from "../../repro/analysis/arm_summary.ts";
import { STAT_COLUMNS } from "../../repro/folder/layout.ts";
import { tempDir } from "../temp.ts";
import { BACKENDS } from "../helpers.ts";
import { torchPython } from "./torch_python.ts";

function benchCsv(backend: string, rows: [string, string, string, number][]): string {
  return toCsv(
    rows.map(([model, algorithm, step, ms]) => ({
      suite: "wgan-bench-step-v1",
      model,
      algorithm,
      step,
      batch: 64,
      backend,
      hardware_id: "hw",
      median_ms: ms,
    })),
    BENCH_COLUMNS,
  );
}

Deno.test("estimated FLOPs: the MLP critic is 2·(784·512 + 3·512² + 512) per sample; steps scale as documented", () => {
  assert.equal(forwardFlops("mlp-28", "critic"), 2 * (784 * 512 + 3 * 512 * 512 + 512));
  // DCGAN-32 critic, 3 channels: 32→16 (3→64), 16→8 (64→128), 8→4 (128→256), 4×4×256 → 1
  assert.equal(forwardFlops("dcgan-32", "critic"), 2 * 16 * (3 * 64 * 256 + 64 * 128 * 64 + 128 * 256 * 16 + 256));
  const d = forwardFlops("mlp-28", "critic"), g = forwardFlops("mlp-28", "generator");
  assert.equal(stepFlops("mlp-28", "wgan", "critic"), 64 * (g + 6 * d));
  assert.equal(stepFlops("mlp-28", "wgan-gp", "critic") - stepFlops("mlp-28", "wgan", "critic"), 64 * 9 * d);
});

Deno.test("bench models: DCGAN widths parse (dcgan-32-w16), FLOPs scale with them, reps keep the standard rows'", () => {
  assert.deepEqual(modelShape("dcgan-64-w16"), { kind: "dcgan", image: [64, 64, 3], width: 16, hidden: 0 });
  assert.deepEqual(modelShape("dcgan-32"), { kind: "dcgan", image: [32, 32, 3], width: 64, hidden: 0 });
  for (const bad of ["dcgan-48", "dcgan-32-w0", "dcgan-32-16", "mlp-32", ""]) {
    assert.throws(
      () => modelShape(bad),
      /^Error: Cannot bench model ".*": choose mlp-28, dcgan-32, dcgan-64 or a DCGAN/,
    );
  }
  // width 16: 32→16 (3→16), 16→8 (16→32), 8→4 (32→64), 4×4×64 → 1
  assert.equal(forwardFlops("dcgan-32-w16", "critic"), 2 * 16 * (3 * 16 * 256 + 16 * 32 * 64 + 32 * 64 * 16 + 64));
  assert.equal(stepFlops("dcgan-32-w16", "wgan", "generator", 128), 2 * stepFlops("dcgan-32-w16", "wgan", "generator"));
  assert.deepEqual(["mlp-28", "dcgan-32", "dcgan-64"].map((m) => defaultReps(m)), [15, 5, 3]);
  assert.equal(defaultReps("dcgan-32-w16", 32), 20); // lighter work, more reps, at most 4× the standard row's
  assert.equal(defaultReps("dcgan-64", 128), 3);
});

Deno.test("compare matches rows describing the same work and reports time ratios and speed-ups", () => {
  const a = loadCsvText(benchCsv("wasm", [["mlp-28", "wgan", "critic", 50], ["mlp-28", "gan", "critic", 20]]), "a.csv");
  const b = loadCsvText(
    benchCsv("pytorch", [["mlp-28", "wgan", "critic", 10], ["dcgan-32", "wgan", "critic", 99]]),
    "b.csv",
  );
  const matched = matchRows([a, b]);
  assert.deepEqual(matched.map((m) => m.key), ["mlp-28 / wgan / critic / 64"]);
  const t = compareTable([a, b]);
  assert.deepEqual(t.header, ["work", "wasm ms", "pytorch ms", "pytorch/A time", "speed-up A→pytorch"]);
  assert.deepEqual(t.rows, [["mlp-28 / wgan / critic / 64", "50.0", "10.0", "0.20", "5.00"]]);
  const md = renderTable(t, true).split("\n");
  assert.equal(md[0], "| work | wasm ms | pytorch ms | pytorch/A time | speed-up A→pytorch |");
  assert.equal(md[1], "|---|---|---|---|---|");
});

Deno.test("compare puts summary tables side by side", () => {
  const summary = (q: number) =>
    toCsv([{
      experiment: "toy-8gaussians",
      profile: "quick",
      arm: "wgan",
      quality_metric: "w1",
      final_quality_mean: q,
      backend: "cpu",
      hardware_id: "h",
    }], SUMMARY_COLUMNS);
  const t = compareTable([loadCsvText(summary(0.5), "a"), loadCsvText(summary(0.25), "b")]);
  assert.equal(t.rows.length, 1);
  assert.match(t.rows[0][1], /^0\.500 ± – w1$/);
  assert.match(t.rows[0][4], /^0\.250 ± – w1$/);
  // rules v2 summaries carry no t-interval: the median [min, max] over runs
  const v2 = toCsv([{
    experiment: "toy-8gaussians",
    profile: "quick",
    arm: "wgan",
    quality_metric: "w1",
    final_quality_median: 0.3,
    final_quality_min: 0.2,
    final_quality_max: 0.9,
    final_quality_mean: 0.4,
    final_quality_ci95: "",
  }], SUMMARY_COLUMNS);
  const t2 = compareTable([loadCsvText(v2, "a"), loadCsvText(v2, "b")]);
  assert.match(t2.rows[0][1], /^0\.300 \[0\.200, 0\.900\] w1$/);
});

Deno.test("compare measures per-seed drift between steps.csv files: identical prefix, first step 1% apart, final quality", () => {
  // critic losses per logged step (10, 20, ...), quality every 20 steps
  const steps = (backend: string, losses: number[], w1: number[]) =>
    toCsv(
      losses.map((l, i) => ({
        experiment: "toy-8gaussians",
        profile: "default",
        arm: "wgan",
        seed: 0,
        step: 10 * (i + 1),
        critic_loss: l,
        w1: (i + 1) % 2 === 0 ? w1[(i + 1) / 2 - 1] : "",
        backend,
      })),
      [...STAT_COLUMNS, "w1", "backend"],
    );
  const a = loadCsvText(steps("native", [-1, -0.5, -0.4, -0.3], [0.8, 0.4]), "a");
  const b = loadCsvText(steps("wasm", [-1, -0.5000001, -0.401, -0.2], [0.7, 0.5]), "b");
  const t = compareTable([a, b]);
  assert.deepEqual(t.header, [
    "experiment / profile / arm / seed",
    "native final",
    "wasm final",
    "Δ final",
    "identical through step",
    "first step ≥ 1% apart",
  ]);
  assert.deepEqual(t.rows, [["toy-8gaussians / default / wgan / 0", "0.400 w1", "0.500", "25.0%", "10", "40"]]);
  // a run that never separates
  const same = compareTable([a, loadCsvText(steps("cpu", [-1, -0.5, -0.4, -0.3], [0.8, 0.4]), "c")]);
  assert.deepEqual(same.rows[0].slice(2), ["0.400", "0.0%", "40", "never"]);
});

Deno.test("compare rejects mixed kinds, unknown schemas and files with no common rows in one line", () => {
  const bench = loadCsvText(benchCsv("wasm", [["mlp-28", "wgan", "critic", 50]]), "bench.csv");
  const summary = loadCsvText(toCsv([{ experiment: "x", profile: "p", arm: "a" }], SUMMARY_COLUMNS), "summary.csv");
  assert.throws(
    () => matchRows([bench, summary]),
    (e: Error) => e instanceof CompareError && /different kinds of CSV/.test(e.message),
  );
  assert.throws(
    () => loadCsvText("a,b\n1,2\n", "odd.csv"),
    /Cannot compare "odd.csv": not a bench, summary or steps CSV/,
  );
  const other = loadCsvText(benchCsv("cpu", [["dcgan-64", "gan", "generator", 1]]), "other.csv");
  assert.throws(
    () => matchRows([bench, other]),
    /no rows describe the same work \(matched on model, algorithm, step, batch\)/,
  );
  assert.throws(() => matchRows([bench]), /at least two CSV files/);
});

Deno.test({
  name: "bench:csv writes the documented schema with consistent numbers; compare reads it (subprocess, wasm, MLP only)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const out = `${dir}/bench.csv`;
    const exporter = new URL("../../bench/export.ts", import.meta.url).pathname;
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-sys",
        "--allow-run=git",
        exporter,
        "--backend",
        "wasm",
        "--models",
        "mlp-28",
        "--reps",
        "0.2",
        "--out",
        out,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(res.code, 0, new TextDecoder().decode(res.stderr));
    const text = await Deno.readTextFile(out);
    assert.equal(text.split("\n")[0], BENCH_COLUMNS.join(","));
    const rows = parseCsv(text);
    assert.equal(rows.length, 8); // 4 algorithms × critic/generator
    for (const r of rows) {
      const ms = Number(r.median_ms);
      assert.ok(
        ms > 0 && Number(r.p25_ms) <= ms && ms <= Number(r.p75_ms) && Number(r.min_ms) <= ms,
        JSON.stringify(r),
      );
      assert.ok(
        Math.abs(Number(r.gflop_per_s) - Number(r.est_gflop) / (ms / 1000)) < 0.02 * Number(r.gflop_per_s) + 0.01,
      );
      assert.equal(r.backend, "wasm");
      assert.ok(r.hardware_id.length > 0 && r.cpu.length > 0 && r.library === "tfjs 4.22.0");
    }
    // a GP critic step costs more than a clipped one
    const ms = (alg: string) => Number(rows.find((r) => r.algorithm === alg && r.step === "critic")!.median_ms);
    assert.ok(ms("wgan-gp") > ms("wgan"));
    const t = compareTable([loadCsvText(text, "a"), loadCsvText(text, "b")]);
    assert.equal(t.rows.length, 8);
    assert.ok(t.rows.every((r) => r[3] === "1.00"));
  },
});

Deno.test("bestOf() keeps each step's fastest round and every step seen in any round", () => {
  const round1 = parseCsv(benchCsv("native", [["mlp-28", "wgan", "critic", 20], ["mlp-28", "gan", "critic", 9]]));
  const round2 = parseCsv(benchCsv("native", [["mlp-28", "wgan", "critic", 17], ["mlp-28", "gan", "critic", 11]]));
  const round3 = parseCsv(benchCsv("native", [["dcgan-32", "wgan", "critic", 300]]));
  const best = bestOf([round1, round2, round3]);
  assert.deepEqual(best.map((r) => [r.model, r.algorithm, r.median_ms]), [
    ["mlp-28", "wgan", "17"],
    ["mlp-28", "gan", "9"],
    ["dcgan-32", "wgan", "300"],
  ]);
});

Deno.test("bench:loop: cases parse with their --set changes; the time per iteration comes from the logged clock", async () => {
  const { parseCase, msPerIteration, DEFAULT_CASES } = await import("../../bench/loop.ts");
  assert.deepEqual(parseCase("mnist-mlp:wgan@critic.kind=mlp+lr=1e-4"), {
    name: "mnist-mlp:wgan@critic.kind=mlp+lr=1e-4",
    experiment: "mnist-mlp",
    arm: "wgan",
    set: ["critic.kind=mlp", "lr=1e-4"],
  });
  assert.deepEqual(parseCase("toy-8gaussians:gan").set, []);
  assert.throws(() => parseCase("mnist-mlp"), /Cannot parse case "mnist-mlp": expected EXPERIMENT:ARM/);
  assert.equal(DEFAULT_CASES.length, 6);
  const rows = [0, 20, 40, 60, 80, 100].map((step) => ({ step: String(step), wall_time_s: String(step * 0.05 + 1) }));
  assert.ok(Math.abs(msPerIteration(rows, 20, 80) - 50) < 1e-9);
  assert.throws(() => msPerIteration(rows, 25, 80), /no row at iteration 25/);
});

const python = await torchPython();

Deno.test({
  name:
    "bench/rounds.sh times the scaling table's groups at 1 thread, ours and PyTorch's alike (rows match, FLOPs agree)",
  ignore: python === null || !BACKENDS.includes("native"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const root = new URL("../../", import.meta.url).pathname;
    const res = await new Deno.Command("bash", {
      args: [`${root}bench/rounds.sh`, dir, "1"],
      env: {
        WGAN_BENCH_WORK: "dcgan-32-w16:8,16 mlp-28:8",
        WGAN_BENCH_SETTINGS: "pytorch native-1t",
        PYTHON: python!,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(res.stderr);
    assert.equal(res.code, 0, err);
    assert.match(err, /round 1\/1: pytorch\nround 1\/1: native-1t\n/);
    const read = async (name: string) => parseCsv(await Deno.readTextFile(`${dir}/${name}.csv`));
    const [torch, ours] = [await read("pytorch"), await read("native-1t")];
    const key = (r: Record<string, string>) => `${r.model}/${r.batch}/${r.algorithm}/${r.step}`;
    assert.equal(torch.length, 24); // (2 batches of dcgan-32-w16 + 1 of mlp-28) × 4 algorithms × 2 steps
    assert.deepEqual(ours.map(key).sort(), torch.map(key).sort());
    const gflop = new Map(torch.map((r) => [key(r), r.est_gflop]));
    for (const r of ours) {
      assert.equal(r.est_gflop, gflop.get(key(r)), key(r)); // the two sides count the same work
      assert.equal(
        Number(r.est_gflop),
        Number((stepFlops(r.model, r.algorithm as "gan", r.step as "critic", Number(r.batch)) / 1e9).toFixed(4)),
      );
      assert.match(r.device, /\(1 threads?\)/); // OPENBLAS_NUM_THREADS=1 reached the native backend
      // images/s is batch / median time, both as rounded in the file (ms to 3 decimals, images/s to 1)
      const [ips, ms] = [Number(r.images_per_s), Number(r.median_ms)];
      assert.ok(
        Math.abs(Number(r.batch) * 1000 / ips - ms) <= 0.0005 + ms * 0.05 / ips + 1e-9,
        `${key(r)}: ${ips}, ${ms}`,
      );
    }
    assert.ok(torch.every((r) => r.device.startsWith("CPU, 1 thread(s)")));
    // the merged files come from the groups' round files
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "native-1t.csv",
      "pytorch.csv",
      "round-1-native-1t.g1.csv",
      "round-1-native-1t.g2.csv",
      "round-1-pytorch.g1.csv",
      "round-1-pytorch.g2.csv",
    ]);
  },
});

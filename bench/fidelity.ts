/**
 * `deno task fidelity <experiment> [options]`: does the library train like the
 * reference code on the same settings? Runs the experiment's arms through the
 * harness (ours) and through `bench/reference/fidelity.py` (a PyTorch port
 * written as the official code is, reading the same resolved configuration
 * and the same training images), scores the PyTorch samples with the
 * harness's own evaluator, and compares, at every evaluation step, the
 * quality and the critic's Wasserstein estimate over seeds.
 *
 * Band (stated in fidelity.md): at a step, ours is inside when
 * |mean_ours − mean_ref| ≤ 2·√(sd_ours²/n_ours + sd_ref²/n_ref) + 10% of
 * |mean_ref| (two standard errors of the difference of the seed means, plus a
 * relative floor for steps where every seed agrees); a curve is inside its
 * band when at least 80% of the evaluation steps are. Step 0 (shared
 * initialisation rule, different draws) is included.
 *
 * Writes `<out>/ours/` (a harness result folder), `<out>/pytorch/` (steps.csv, quality.csv
 * and samples), `<out>/fidelity.csv`, `<out>/fidelity.md` and
 * `<out>/fidelity.png`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseSeeds, PROFILES, resolveConfig } from "../repro/config/resolve.ts";
import type { ExperimentSpec, ProfileName } from "../repro/config/experiments.ts";
import { runExperiment } from "../repro/run/run.ts";
import { loadExperimentData } from "../repro/run/data.ts";
import { createEvaluator } from "../repro/run/evaluate.ts";
import { parseCsv, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { renderPng } from "../repro/analysis/figures.ts";
import { meanCi } from "../repro/analysis/stats.ts";
import { UsageError } from "../repro/errors.ts";
import { selectBackend } from "../mod.ts";
import { findExperiment } from "../repro/config/registry.ts";

const HELP = `wgan-bench fidelity: the library against a PyTorch port of the reference code, same settings

Usage:
  deno task fidelity <experiment> [options]

Options:
  --arms LIST      arms to compare (default: every arm that is not the standard GAN)
  --profile NAME   quick | default | paper (default: default)
  --seeds LIST     seeds (default 0-2)
  --set KEY=VALUE  as for repro (e.g. critic.kind=mlp, iterations=2000)
  --backend NAME   our backend (default auto)
  --jobs N         our worker processes (as for repro)
  --python PATH    Python with torch (default /usr/bin/python3)
  --out DIR        result folder (default out/fidelity-<experiment>)`;

/** Inside-the-band rule for one step. */
export function insideBand(
  ours: readonly number[],
  ref: readonly number[],
): { inside: boolean; difference: number; allowed: number } {
  const o = meanCi(ours), r = meanCi(ref);
  const sd = (xs: readonly number[], m: number) =>
    xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  const se = Math.sqrt(sd(ours, o.mean) ** 2 / ours.length + sd(ref, r.mean) ** 2 / ref.length);
  const allowed = 2 * se + 0.1 * Math.abs(r.mean);
  const difference = o.mean - r.mean;
  return { inside: Math.abs(difference) <= allowed, difference, allowed };
}

async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      arms: { type: "string" },
      profile: { type: "string" },
      seeds: { type: "string" },
      set: { type: "string", multiple: true },
      backend: { type: "string" },
      jobs: { type: "string" },
      python: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("Cannot compare: name one experiment (see --help)");
  const full = findExperiment(positionals[0]);
  const profile = (v.profile ?? "default") as ProfileName;
  if (!PROFILES.includes(profile)) throw new UsageError(`Cannot use profile "${profile}"`);
  const wanted = v.arms?.split(",") ?? full.arms.filter((a) => a.algorithm !== "gan").map((a) => a.id);
  for (const a of wanted) {
    if (!full.arms.some((x) => x.id === a)) {
      throw new UsageError(`Cannot compare arm "${a}": ${full.id} has no such arm`);
    }
  }
  const experiment: ExperimentSpec = { ...full, arms: full.arms.filter((a) => wanted.includes(a.id)) };
  const config = resolveConfig(experiment, profile, v.set ?? []);
  const seeds = parseSeeds(v.seeds ?? "0-2");
  const out = v.out ?? `out/fidelity-${full.id}`;
  const python = v.python ?? "/usr/bin/python3";
  const s = config.settings;

  // ours, through the harness (resumable like any result folder)
  await runExperiment({
    experiment,
    profile,
    config,
    seeds,
    backend: (v.backend ?? "auto") as never,
    outDir: `${out}/ours`,
    jobs: v.jobs ? Number(v.jobs) : undefined,
  });

  // the reference, on the same configuration and training images
  const backend = await selectBackend((v.backend ?? "auto") as never);
  const data = await loadExperimentData(experiment, s, undefined);
  const evaluator = await createEvaluator(experiment, s, data, ".cache/wgan-bench", () => {});
  const refDir = `${out}/pytorch`;
  await Deno.mkdir(refDir, { recursive: true });
  const job: Record<string, unknown> = {
    experiment: experiment.id,
    profile,
    arms: config.arms,
    settings: s,
    seeds,
    threads: 1,
    data: experiment.data.kind === "toy" ? { kind: "toy", toy: experiment.data.toy } : {
      kind: "image",
      sampleShape: data.sampleShape,
      trainImages: `${refDir}/train.f32`,
      // the batch of held-out digits the harness's dead-unit diagnostic uses (critic_inactive_real)
      probeImages: `${refDir}/probe.f32`,
    },
  };
  if (experiment.data.kind === "image") {
    const raw = (x: Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const images = (data.fit as unknown as { images: Float32Array }).images;
    await Deno.writeFile(`${refDir}/train.f32`, raw(images));
    const perImage = data.sampleShape.reduce((a, b) => a * b, 1);
    const heldOut = data.heldOut!.images;
    const probe = heldOut.subarray(0, Math.min(s.batchSize, heldOut.length / perImage) * perImage);
    await Deno.writeFile(`${refDir}/probe.f32`, raw(probe));
  }
  await writeAtomic(`${refDir}/job.json`, JSON.stringify(job, null, 2));
  if (!(await Deno.stat(`${refDir}/steps.csv`).then(() => true, () => false))) {
    // one process per seed (one thread each), `--jobs` of them at a time
    const lanes = Math.max(1, v.jobs ? Number(v.jobs) : 1);
    console.error(
      `PyTorch port: ${config.arms.length} arm(s) × ${seeds.length} seeds × ${s.iterations} iterations, ` +
        `${lanes} process(es)`,
    );
    // a seed whose process finished (its steps.csv is written last) is not run again: an interrupted
    // comparison resumes at the first unfinished seed
    const finished = async (seed: number) =>
      await Deno.stat(`${refDir}/tmp-${seed}/steps.csv`).then(() => true, () => false);
    const queue: number[] = [];
    for (const seed of seeds) if (!(await finished(seed))) queue.push(seed);
    if (queue.length < seeds.length) {
      console.error(`PyTorch port: ${seeds.length - queue.length} seed(s) already finished, ${queue.length} to run`);
    }
    const runSeed = async (seed: number) => {
      await Deno.writeTextFile(`${refDir}/job-${seed}.json`, JSON.stringify({ ...job, seeds: [seed] }));
      const status = await new Deno.Command(python, {
        args: [
          new URL("./reference/fidelity.py", import.meta.url).pathname,
          `${refDir}/job-${seed}.json`,
          `${refDir}/tmp-${seed}`,
        ],
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
      if (!status.success) throw new Error(`Cannot run the PyTorch port: ${python} exited with ${status.code}`);
    };
    await Promise.all(Array.from({ length: Math.min(lanes, seeds.length) }, async () => {
      while (queue.length) await runSeed(queue.shift()!);
    }));
    const merged: Record<string, string>[] = [];
    await Deno.remove(`${refDir}/samples`, { recursive: true }).catch(() => {});
    for (const seed of seeds) {
      merged.push(...parseCsv(await Deno.readTextFile(`${refDir}/tmp-${seed}/steps.csv`)));
      for (const arm of config.arms) {
        await Deno.mkdir(`${refDir}/samples/${arm.id}`, { recursive: true });
        await Deno.rename(
          `${refDir}/tmp-${seed}/samples/${arm.id}/seed-${seed}`,
          `${refDir}/samples/${arm.id}/seed-${seed}`,
        );
      }
      await Deno.remove(`${refDir}/tmp-${seed}`, { recursive: true });
      await Deno.remove(`${refDir}/job-${seed}.json`);
    }
    await writeAtomic(`${refDir}/steps.csv`, toCsv(merged, Object.keys(merged[0])));
  }
  await Deno.remove(`${refDir}/train.f32`).catch(() => {});
  await Deno.remove(`${refDir}/probe.f32`).catch(() => {});

  // score and compare
  const oursRows = parseCsv(await Deno.readTextFile(`${out}/ours/steps.csv`));
  const refRows = parseCsv(await Deno.readTextFile(`${refDir}/steps.csv`));
  const evalSteps = [0];
  for (let t = s.evalEvery; t < s.iterations; t += s.evalEvery) evalSteps.push(t);
  evalSteps.push(s.iterations);
  const primary = evaluator.primary;
  const rows: Record<string, string | number>[] = [];
  const refQuality: Record<string, string | number>[] = [];
  const lines: string[] = [];
  const curves: { arm: string; side: string; seed: number; step: number; value: number; panel: string }[] = [];
  for (const arm of config.arms) {
    let insideQ = 0, insideW = 0, countW = 0;
    for (const step of evalSteps) {
      const oursQ = seeds.map((k) =>
        oursRows.find((r) =>
          r.arm === arm.id && Number(r.seed) === k &&
          Number(r.step) === step && r[primary] !== ""
        )
      ).filter((r) => r).map((r) => Number(r![primary]));
      const refQ: number[] = [];
      for (const k of seeds) {
        const path = `${refDir}/samples/${arm.id}/seed-${k}/step-${String(step).padStart(6, "0")}.f32`;
        const bytes = await Deno.readFile(path);
        const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        const value = (await evaluator.measure(samples))[primary];
        refQ.push(value);
        refQuality.push({ arm: arm.id, seed: k, step, [primary]: value });
      }
      const q = insideBand(oursQ, refQ);
      if (q.inside) insideQ++;
      const w = (rs: Record<string, string>[]) =>
        seeds.map((k) => rs.find((r) => r.arm === arm.id && Number(r.seed) === k && Number(r.step) === step))
          .filter((r) => r).map((r) => Number(r!.wasserstein_estimate));
      const oursW = step > 0 ? w(oursRows) : [], refW = step > 0 ? w(refRows) : [];
      const wb = oursW.length && refW.length ? insideBand(oursW, refW) : null;
      if (wb) {
        countW++;
        if (wb.inside) insideW++;
      }
      const m = (xs: number[]) => meanCi(xs).mean;
      rows.push({
        arm: arm.id,
        step,
        [`ours_${primary}`]: m(oursQ),
        [`pytorch_${primary}`]: m(refQ),
        [`${primary}_inside`]: q.inside ? 1 : 0,
        ours_wasserstein: wb ? m(oursW) : "",
        pytorch_wasserstein: wb ? m(refW) : "",
        wasserstein_inside: wb ? (wb.inside ? 1 : 0) : "",
        seeds: seeds.length,
      });
      for (const [side, qs, ws] of [["ours", oursQ, oursW], ["pytorch", refQ, refW]] as const) {
        qs.forEach((value, i) => curves.push({ arm: arm.id, side, seed: i, step, value, panel: primary }));
        ws.forEach((value, i) =>
          curves.push({ arm: arm.id, side, seed: i, step, value, panel: "Wasserstein estimate" })
        );
      }
    }
    const share = (k: number, n: number) => `${k}/${n} steps (${n ? (100 * k / n).toFixed(0) : "–"}%)`;
    lines.push(
      `| ${arm.id} | ${share(insideQ, evalSteps.length)} | **${
        insideQ >= 0.8 * evalSteps.length ? "inside" : "outside"
      }** ` +
        `| ${share(insideW, countW)} | **${insideW >= 0.8 * countW ? "inside" : "outside"}** |`,
    );
  }
  await writeAtomic(`${out}/fidelity.csv`, toCsv(rows, Object.keys(rows[0])));
  // the port's per-seed quality, scored by the harness's evaluator (ours is in ours/steps.csv)
  await writeAtomic(`${refDir}/quality.csv`, toCsv(refQuality, Object.keys(refQuality[0])));
  const md = [
    `# Fidelity: ${experiment.id} (${profile} profile), wgan-bench vs a PyTorch port of the reference code`,
    "",
    `Same resolved configuration for both (\`${out}/ours/config.json\`), ${seeds.length} seeds each, ` +
    `${s.iterations} generator iterations, evaluation every ${s.evalEvery}; ours on ${backend.name}, the port on ` +
    "PyTorch's CPU backend (bench/reference/fidelity.py). Both sides' samples are scored by the harness's evaluator.",
    "",
    "Band: at an evaluation step ours is inside when |mean_ours − mean_ref| ≤ 2·√(sd_ours²/n + sd_ref²/n) + " +
    "10% of |mean_ref|; a curve is inside when ≥ 80% of its steps are.",
    "",
    `| arm | ${primary} steps inside | ${primary} | Wasserstein-estimate steps inside | estimate |`,
    "|---|---|---|---|---|",
    ...lines,
    "",
    "Per step: fidelity.csv; curves: fidelity.png.",
    "",
  ].join("\n");
  await writeAtomic(`${out}/fidelity.md`, md);
  await writeAtomic(
    `${out}/fidelity.png`,
    await renderPng({
      title: `${experiment.id}: wgan-bench vs PyTorch port (each seed)`,
      data: { values: curves },
      facet: { row: { field: "panel", type: "nominal", title: null }, column: { field: "arm", type: "nominal" } },
      spec: {
        width: 360,
        height: 180,
        mark: { type: "line", point: true, opacity: 0.7 },
        encoding: {
          x: { field: "step", type: "quantitative" },
          y: { field: "value", type: "quantitative", title: null },
          color: { field: "side", type: "nominal" },
          detail: { field: "seed", type: "nominal" },
        },
      },
      resolve: { scale: { y: "independent" } },
    }),
  );
  console.log(md);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`error: ${String((e as Error).message).split("\n")[0]}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}

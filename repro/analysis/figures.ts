/**
 * Figures next to the tables, as PNG: critic loss and loss difference
 * (D(real) − D(fake)) per arm, quality over iterations and over training
 * wall-clock (the WGAN-GP paper's Fig. 3 axes; log axis where values span
 * decades) — every seed thin, the mean thick — and the loss-vs-quality scatter
 * per arm (Vega-Lite rendered headlessly to SVG, rasterised with resvg).
 *
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import { writeAtomic } from "../folder/files.ts";
import { compactPng } from "./png.ts";
import { listCell } from "./run_analysis.ts";
import { median } from "./stats.ts";

/**
 * Renders a Vega-Lite spec to PNG bytes, at the spec's own size (about 1,000-1,650 pixels wide for these figures).
 * Until 97f6364 they were rendered at twice that size: about twice the bytes (9.4 MiB for the 78 committed then, 4.3
 * after), for detail that a README, shown about 900 pixels wide, scales away; results/ travels to the GPU machine
 * (tests/bench/travel_budget_test.ts).
 */
export async function renderPng(spec: TopLevelSpec): Promise<Uint8Array> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return compactPng(new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: 1 } }).render().asPng());
}

/** A figure that could not be written, and why (one line). */
export interface FigureFailure {
  name: string;
  why: string;
}

/**
 * Writes loss_curves.png, quality_curves.png, quality_vs_time.png and loss_vs_quality.png into `outDir` (each that
 * the rows have data for); a figure that fails does not stop the others. Returns the names written and the failures.
 */
export async function writeFigures(
  outDir: string,
  rows: readonly Record<string, string>[],
  ctx: {
    experiment: string;
    primary: string;
    pairs: { arm: string; seed: number; estimate: number; quality: number }[];
    /** The primary column's real-vs-real floor, drawn as a dashed rule (absent: none drawn). */
    floor?: number;
    /** Also draw layer_gradients.png and weight_histograms.png (the critic-structure claims' figures). */
    layers?: boolean;
  },
): Promise<{ written: string[]; failed: FigureFailure[] }> {
  const written: string[] = [];
  const failed: FigureFailure[] = [];
  if (rows.length === 0) return { written, failed };
  const curve = rows
    .filter((r) => r.critic_loss !== "" && Number(r.step) > 0)
    .flatMap((r) => [
      { arm: r.arm, seed: r.seed, step: Number(r.step), value: Number(r.critic_loss), panel: "critic loss" },
      {
        arm: r.arm,
        seed: r.seed,
        step: Number(r.step),
        value: Number(r.loss_difference),
        panel: "D(real) − D(fake)",
      },
    ])
    .filter((p) => Number.isFinite(p.value));
  const quality = rows
    .filter((r) => r[ctx.primary] !== "" && r[ctx.primary] !== undefined && Number.isFinite(Number(r[ctx.primary])))
    .map((r) => ({
      arm: r.arm,
      seed: r.seed,
      step: Number(r.step),
      seconds: Number(r.wall_time_s),
      value: Number(r[ctx.primary]),
    }));
  const save = async (name: string, spec: TopLevelSpec) => {
    try {
      await writeAtomic(`${outDir}/${name}`, await renderPng(spec));
      written.push(name);
    } catch (e) {
      failed.push({ name, why: String((e as Error).message).split("\n")[0] });
    }
  };
  // every seed as a thin line, the mean over seeds as a thick one
  const seedsAndMean = (x: string, xTitle: string, y: Record<string, unknown>) => [
    {
      mark: { type: "line", strokeWidth: 0.7, opacity: 0.35 },
      encoding: {
        x: { field: x, type: "quantitative", title: xTitle },
        y,
        color: { field: "arm", type: "nominal" },
        detail: { field: "seed", type: "nominal" },
      },
    },
    {
      mark: { type: "line", strokeWidth: 2.2 },
      encoding: {
        x: { field: x, type: "quantitative", title: xTitle },
        y: { ...y, aggregate: "mean" },
        color: { field: "arm", type: "nominal" },
      },
    },
  ];
  if (curve.length) {
    await save("loss_curves.png", {
      title: `${ctx.experiment}: critic loss and loss difference, every seed (thin) and their mean (thick)`,
      data: { values: curve },
      // one column per arm with its own scale: a GAN's logit gap must not flatten a WGAN's estimate
      facet: { row: { field: "panel", type: "nominal", title: null }, column: { field: "arm", title: null } },
      spec: {
        width: 300,
        height: 160,
        layer: seedsAndMean("step", "generator iteration", {
          field: "value",
          type: "quantitative",
          title: null,
          scale: { zero: false },
        }),
      },
      resolve: { scale: { y: "independent" } },
    } as TopLevelSpec);
  }
  // quality against iterations and against training wall-clock (the WGAN-GP paper's Fig. 3 axes); a log axis
  // where the values span decades (FID from ~600 to ~30, or a blown-up GAN's millions)
  const positive = quality.filter((q) => q.value > 0).map((q) => q.value);
  const logScale = positive.length === quality.length && positive.length > 0 &&
    Math.max(...positive) / Math.min(...positive) > 10;
  const floor = ctx.floor !== undefined && Number.isFinite(ctx.floor) && (!logScale || ctx.floor > 0)
    ? ctx.floor
    : undefined;
  const qualityOver = (x: "step" | "seconds", axis: string, what: string): TopLevelSpec =>
    ({
      title: `${ctx.experiment}: ${ctx.primary} over ${what} (lower is better), every seed and the mean` +
        (floor === undefined ? "" : `; dashed: real-vs-real floor ${floor.toPrecision(3)}`),
      data: { values: quality.filter((q) => Number.isFinite(q[x])) },
      width: 520,
      height: 260,
      layer: [
        ...seedsAndMean(x, axis, {
          field: "value",
          type: "quantitative",
          title: `${ctx.primary}${logScale ? " (log scale)" : ""}`,
          scale: logScale ? { type: "log" } : { zero: false },
        }),
        ...(floor === undefined ? [] : [{
          data: { values: [{ floor }] },
          mark: { type: "rule", strokeDash: [6, 4], color: "black" },
          encoding: { y: { field: "floor", type: "quantitative" } },
        }]),
      ],
    }) as TopLevelSpec;
  if (quality.length) {
    await save("quality_curves.png", qualityOver("step", "generator iteration", "generator iterations"));
    await save("quality_vs_time.png", qualityOver("seconds", "training seconds", "training wall-clock"));
  }
  if (ctx.pairs.length) {
    // one panel per arm with its own scales: a GAN's range must not squash a WGAN's points into one dot
    await save("loss_vs_quality.png", {
      title: `${ctx.experiment}: median-filtered estimate vs ${ctx.primary} at each evaluation, every seed`,
      data: { values: ctx.pairs },
      facet: { column: { field: "arm", type: "nominal", title: null } },
      spec: {
        width: 220,
        height: 220,
        mark: { type: "point", filled: true, opacity: 0.7, size: 20 },
        encoding: {
          x: { field: "estimate", type: "quantitative", title: "estimate (median-filtered)", scale: { zero: false } },
          y: { field: "quality", type: "quantitative", title: ctx.primary, scale: { zero: false } },
          color: { field: "seed", type: "nominal" },
        },
      },
      resolve: { scale: { x: "independent", y: "independent" } },
    } as TopLevelSpec);
  }
  if (ctx.layers) await writeLayerFigures(rows, ctx.experiment, save);
  return { written, failed };
}

/**
 * WGAN-GP Fig. 1b as data: each run's activation-gradient norms per layer at its last evaluation (log scale; layers
 * whose gradient underflowed to 0 are not drawn), and the pooled weight histogram per arm (the median share of each
 * bin over seeds) at the last evaluation.
 */
async function writeLayerFigures(
  rows: readonly Record<string, string>[],
  experiment: string,
  save: (name: string, spec: TopLevelSpec) => Promise<void>,
): Promise<void> {
  const last = new Map<string, Record<string, string>>();
  for (const r of rows) {
    if (listCell(r.critic_grad_norm).length === 0) continue;
    const key = `${r.arm}\u0000${r.seed}`;
    const seen = last.get(key);
    if (!seen || Number(r.step) > Number(seen.step)) last.set(key, r);
  }
  if (!last.size) return;
  const gradients = [...last.values()].flatMap((r) =>
    listCell(r.critic_grad_norm).flatMap((g, layer) =>
      g > 0 && Number.isFinite(g) ? [{ arm: r.arm, seed: r.seed, layer, norm: g }] : []
    )
  );
  const step = Math.max(...[...last.values()].map((r) => Number(r.step)));
  await save("layer_gradients.png", {
    title: `${experiment}: ‖∂L/∂a‖ per critic layer (0 = input) at iteration ${step}, every seed; ` +
      "layers whose gradient underflowed to 0 are not drawn",
    data: { values: gradients },
    width: 520,
    height: 300,
    mark: { type: "line", point: true, strokeWidth: 1, opacity: 0.7 },
    encoding: {
      x: { field: "layer", type: "quantitative", title: "critic layer (0 = input)", axis: { tickMinStep: 1 } },
      y: { field: "norm", type: "quantitative", title: "gradient norm (log scale)", scale: { type: "log" } },
      color: { field: "arm", type: "nominal" },
      detail: { field: "seed", type: "nominal" },
    },
  } as TopLevelSpec);
  const byArm = new Map<string, number[][]>();
  for (const r of last.values()) {
    const h = listCell(r.critic_weight_histogram);
    if (h.length) byArm.set(r.arm, [...(byArm.get(r.arm) ?? []), h]);
  }
  const bars = [...byArm].flatMap(([arm, hs]) =>
    hs[0].map((_, b) => ({ arm, bin: -1 + (2 * b + 1) / hs[0].length, share: median(hs.map((h) => h[b])) }))
  );
  if (!bars.length) return;
  await save("weight_histograms.png", {
    title: `${experiment}: the critic's weights over their largest |w| at iteration ${step} (median share over seeds)`,
    data: { values: bars },
    facet: { column: { field: "arm", type: "nominal", title: null } },
    spec: {
      width: 180,
      height: 160,
      mark: { type: "bar" },
      encoding: {
        x: { field: "bin", type: "quantitative", title: "w / max |w|", scale: { domain: [-1, 1] }, bin: false },
        y: { field: "share", type: "quantitative", title: "share of weights" },
      },
    },
  } as TopLevelSpec);
}

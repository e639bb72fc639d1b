/**
 * Figures next to the tables, as PNG: the first seed's loss and
 * loss-difference curves per arm, quality over iterations and over training
 * wall-clock (the WGAN-GP paper's Fig. 3 axes), and the loss-vs-quality scatter
 * over all seeds (Vega-Lite rendered headlessly to SVG,
 * rasterised with resvg).
 *
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import { writeAtomic } from "./files.ts";

/** Renders a Vega-Lite spec to PNG bytes. */
export async function renderPng(spec: TopLevelSpec): Promise<Uint8Array> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: 2 } }).render().asPng();
}

/** Writes loss_curves.png, quality_curves.png, quality_vs_time.png and loss_vs_quality.png into `outDir`. */
export async function writeFigures(
  outDir: string,
  rows: readonly Record<string, string>[],
  ctx: {
    experiment: string;
    primary: string;
    pairs: { arm: string; seed: number; estimate: number; quality: number }[];
  },
): Promise<string[]> {
  if (rows.length === 0) return [];
  const firstSeed = Math.min(...rows.map((r) => Number(r.seed)));
  const curve = rows
    .filter((r) => Number(r.seed) === firstSeed && r.critic_loss !== "" && Number(r.step) > 0)
    .flatMap((r) => [
      { arm: r.arm, step: Number(r.step), value: Number(r.critic_loss), panel: "critic loss" },
      { arm: r.arm, step: Number(r.step), value: Number(r.loss_difference), panel: "D(real) − D(fake)" },
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
  const written: string[] = [];
  const save = async (name: string, spec: TopLevelSpec) => {
    await writeAtomic(`${outDir}/${name}`, await renderPng(spec));
    written.push(name);
  };
  if (curve.length) {
    await save("loss_curves.png", {
      title: `${ctx.experiment}, seed ${firstSeed}: critic loss and loss difference`,
      data: { values: curve },
      facet: { row: { field: "panel", type: "nominal", title: null } },
      spec: {
        width: 480,
        height: 160,
        mark: { type: "line", strokeWidth: 1 },
        encoding: {
          x: { field: "step", type: "quantitative", title: "generator iteration" },
          y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
          color: { field: "arm", type: "nominal" },
        },
      },
      resolve: { scale: { y: "independent" } },
    } as TopLevelSpec);
  }
  // quality per seed against iterations and against training wall-clock (the WGAN-GP paper's Fig. 3 axes)
  const qualityOver = (x: "step" | "seconds", axis: string, what: string): TopLevelSpec =>
    ({
      title: `${ctx.experiment}: ${ctx.primary} over ${what} (lower is better), every seed`,
      data: { values: quality.filter((q) => Number.isFinite(q[x])) },
      width: 480,
      height: 240,
      mark: { type: "line", point: true, strokeWidth: 1, opacity: 0.8 },
      encoding: {
        x: { field: x, type: "quantitative", title: axis },
        y: { field: "value", type: "quantitative", title: ctx.primary },
        color: { field: "arm", type: "nominal" },
        detail: { field: "seed", type: "nominal" },
      },
    }) as TopLevelSpec;
  if (quality.length) {
    await save("quality_curves.png", qualityOver("step", "generator iteration", "generator iterations"));
    await save("quality_vs_time.png", qualityOver("seconds", "training seconds", "training wall-clock"));
  }
  if (ctx.pairs.length) {
    await save("loss_vs_quality.png", {
      title: `${ctx.experiment}: median-filtered estimate vs ${ctx.primary} at each evaluation`,
      data: { values: ctx.pairs },
      width: 480,
      height: 300,
      mark: { type: "point", filled: true, opacity: 0.7 },
      encoding: {
        x: {
          field: "estimate",
          type: "quantitative",
          title: "estimate: −(critic loss without penalty), median-filtered",
          scale: { zero: false },
        },
        y: { field: "quality", type: "quantitative", title: ctx.primary, scale: { zero: false } },
        color: { field: "arm", type: "nominal" },
      },
    } as TopLevelSpec);
  }
  return written;
}

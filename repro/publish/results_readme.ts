/**
 * `deno task results-readme`: the per-experiment sections of results/README.md,
 * assembled from the committed result folders — each folder's harness-written
 * verdict.md (claims, rules, per-arm table, outcomes) with its figures and its
 * start/middle/end sample grids — between a hand-written head and tail
 * (`results/_head.md`, `results/_tail.md`). Nothing in a section is typed by
 * hand, so a verdict cannot drift from the tables.
 *
 * @module
 */
import { holdsGeneratorFixed } from "../config/experiments.ts";
import { writeAtomic } from "../folder/files.ts";
import { experimentIds, experiments } from "../config/registry.ts";

const FIGURES: [string, string][] = [
  ["quality_curves.png", "quality over generator iterations (every seed thin, mean thick)"],
  ["quality_vs_time.png", "quality over training wall-clock"],
  ["loss_curves.png", "critic loss and D(real) − D(fake) per arm"],
  ["loss_vs_quality.png", "the critic's estimate against quality at each evaluation"],
  ["layer_gradients.png", "the critic's gradient norm per layer at the last evaluation (WGAN-GP Fig. 1b, left)"],
  ["weight_histograms.png", "the critic's weights over their largest |w| (WGAN-GP Fig. 1b, right)"],
];

/** The sections for every `<dir>/<experiment>-<profile>/verdict.md`, in experiment order. */
export async function resultSections(dir: string): Promise<string> {
  const folders = (await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.isDirectory).map((e) => e.name);
  // the longest id that prefixes the folder: "mnist-dcgan-nobn-default" is mnist-dcgan-nobn's, not mnist-dcgan's
  const order = (name: string) => {
    const ids = experimentIds().filter((id) => name.startsWith(`${id}-`));
    return ids.length ? experimentIds().indexOf(ids.reduce((a, b) => b.length > a.length ? b : a)) : -1;
  };
  // within an experiment: the folder judged under the protocol first, then the one published before it, then others
  const generation = (name: string) => /-protocol-v\d+$/.test(name) ? 0 : name.endsWith("-default") ? 1 : 2;
  const parts: string[] = [];
  for (
    const name of folders.filter((n) => order(n) >= 0).sort((a, b) =>
      order(a) - order(b) || generation(a) - generation(b) || (a < b ? -1 : 1)
    )
  ) {
    const verdict = await Deno.readTextFile(`${dir}/${name}/verdict.md`).catch(() => null);
    if (!verdict) continue;
    const files = (await Array.fromAsync(Deno.readDir(`${dir}/${name}`))).map((e) => e.name);
    const body = verdict.split("\n").slice(1).join("\n").trim();
    parts.push(`## ${name}`, "", body, "");
    for (const [file, caption] of FIGURES) if (files.includes(file)) parts.push(`![${caption}](${name}/${file})`, "");
    const grids = files.filter((f) => /^samples-.*-step\d+\.png$/.test(f)).sort((a, b) => {
      const [armA, stepA] = [a.replace(/-seed.*/, ""), Number(/step(\d+)/.exec(a)![1])];
      const [armB, stepB] = [b.replace(/-seed.*/, ""), Number(/step(\d+)/.exec(b)![1])];
      return armA === armB ? stepA - stepB : armA < armB ? -1 : 1;
    });
    if (grids.length) {
      const experiment = experiments()[order(name)];
      parts.push(
        holdsGeneratorFixed(experiment)
          ? "Each critic's value surface at the end of training, first seed (blue low, yellow high; the real points on it):"
          : "Samples from the run's fixed evaluation noise, first seed, at the start, middle and end of training:",
        "",
      );
      const byArm = new Map<string, string[]>();
      for (const g of grids) {
        const arm = g.replace(/^samples-/, "").replace(/-seed\d+-step\d+\.png$/, "");
        byArm.set(arm, [...(byArm.get(arm) ?? []), g]);
      }
      for (const [arm, gs] of byArm) {
        parts.push(
          `${arm}: ` + gs.map((g) => `![${arm} at ${/step(\d+)/.exec(g)![1]}](${name}/${g})`).join(" "),
          "",
        );
      }
    }
  }
  return parts.join("\n");
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "results";
  const head = await Deno.readTextFile(`${dir}/_head.md`).catch(() => "# Reference results\n");
  const tail = await Deno.readTextFile(`${dir}/_tail.md`).catch(() => "");
  await writeAtomic(`${dir}/README.md`, `${head.trim()}\n\n${await resultSections(dir)}\n${tail.trim()}\n`);
  console.log(`wrote ${dir}/README.md`);
}

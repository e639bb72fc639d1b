/**
 * `deno task publish <result-folder> <dest>`: copies what a finished result
 * folder shows into `dest` (the committed `results/<experiment>-<profile>/`):
 * the tables (steps.csv, summary.csv, verdict.md, claims.json, config.json, and records.json: each run's outcome
 * and exact training time, so the tables can be rebuilt from the folder alone), the figures,
 * and the first seed's sample grids of every arm at the start, middle and end
 * of training. Checkpoints and per-run folders stay behind. Sample grids in
 * `dest` that this publication did not write (a previous run's, at other
 * steps) are removed, so the folder shows one run's grids only.
 *
 * @module
 */
const TABLES = ["steps.csv", "summary.csv", "verdict.md", "claims.json", "config.json", "records.json"];

/** Copies the tables, figures and start/middle/end sample grids of `from` into `to`; returns the files written. */
export async function publish(from: string, to: string): Promise<string[]> {
  const written: string[] = [];
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isFile && (TABLES.includes(e.name) || e.name.endsWith(".png"))) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      written.push(e.name);
    }
  }
  for await (const arm of Deno.readDir(`${from}/runs`)) {
    const seeds = (await Array.fromAsync(Deno.readDir(`${from}/runs/${arm.name}`)))
      .map((s) => s.name).filter((n) => /^seed-\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    if (!seeds.length) continue;
    const dir = `${from}/runs/${arm.name}/${seeds[0]}`;
    const grids = (await Array.fromAsync(Deno.readDir(dir)))
      .map((f) => f.name).filter((n) => /^samples-\d+\.png$/.test(n)).sort();
    if (!grids.length) continue;
    const picks = [...new Set([grids[0], grids[Math.floor((grids.length - 1) / 2)], grids[grids.length - 1]])];
    for (const g of picks) {
      const step = Number(g.slice(8, -4));
      const name = `samples-${arm.name}-${seeds[0].replace("-", "")}-step${step}.png`;
      await Deno.copyFile(`${dir}/${g}`, `${to}/${name}`);
      written.push(name);
    }
  }
  for await (const e of Deno.readDir(to)) {
    if (e.isFile && /^samples-.+\.png$/.test(e.name) && !written.includes(e.name)) await Deno.remove(`${to}/${e.name}`);
  }
  return written;
}

if (import.meta.main) {
  const [from, to] = Deno.args;
  if (!from || !to || Deno.args.length !== 2) {
    console.error("usage: deno task publish <result-folder> <dest>");
    Deno.exit(2);
  }
  try {
    const files = await publish(from, to);
    console.log(`${files.length} files into ${to}`);
  } catch (e) {
    console.error(`error: Cannot publish "${from}": ${String((e as Error).message).split("\n")[0]}`);
    Deno.exit(1);
  }
}

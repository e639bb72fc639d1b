/**
 * `deno task results-table [results]`: the README's results table, made from
 * the committed result folders' `claims.json` (the harness's own verdicts):
 * one row per claim, never typed by hand.
 *
 * @module
 */

interface Claims {
  experiment: string;
  profile: string;
  seeds: number;
  /** Generator iterations per run (older folders: read from their config.json). */
  iterations?: number;
  claims: { claim: string; ours: string; verdict: string; why?: string }[];
}

/** Markdown rows for every `<dir>/*\/claims.json`, in the order of `order` (experiment ids). */
export async function resultsTable(dir: string, order: readonly string[]): Promise<string> {
  const found: Claims[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isDirectory) continue;
    const path = `${dir}/${e.name}/claims.json`;
    const text = await Deno.readTextFile(path).catch(() => null);
    if (!text) continue;
    const claims: Claims = JSON.parse(text);
    if (claims.iterations === undefined) {
      const config = await Deno.readTextFile(`${dir}/${e.name}/config.json`).catch(() => null);
      claims.iterations = config ? JSON.parse(config).tables?.iterations : undefined;
    }
    found.push(claims);
  }
  // experiment order, then the longer runs of one experiment after the shorter
  found.sort((a, b) =>
    order.indexOf(a.experiment) - order.indexOf(b.experiment) || (a.iterations ?? 0) - (b.iterations ?? 0)
  );
  const lines = [
    "| experiment | claim | ours (mean, 95% CI) | verdict | why undecided |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const c of found) {
    c.claims.forEach((k, i) => {
      const runs = c.iterations ? `${c.seeds} seeds × ${c.iterations.toLocaleString("en-US")} it.` : `${c.seeds} seeds`;
      const name = i === 0 ? `${c.experiment} (${c.profile}, ${runs})` : "";
      const cell = (t: string) => t.replaceAll("|", "\\|");
      lines.push(`| ${name} | ${cell(k.claim)} | ${cell(k.ours)} | **${k.verdict}** | ${cell(k.why ?? "")} |`);
    });
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { EXPERIMENT_IDS } = await import("../config/experiments.ts");
  console.log(await resultsTable(Deno.args[0] ?? "results", EXPERIMENT_IDS));
}

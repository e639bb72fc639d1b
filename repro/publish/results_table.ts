/**
 * `deno task results-table [results] [--v2 | --v1]`: the README's results tables, made from the committed result
 * folders' `claims.json` (the harness's own verdicts): one row per claim, never typed by hand; `--v2` the folders
 * judged under the protocol's rules, `--v1` those published before it.
 *
 * @module
 */

interface Claims {
  experiment: string;
  profile: string;
  seeds: number;
  /** Generator iterations per run (older folders: read from their config.json). */
  iterations?: number;
  /** "v2" for folders judged under the protocol's rules; absent in the folders published before it (rules v1). */
  rules?: string;
  protocol?: { kind: string; version: number; differences: string[] };
  claims: { claim: string; ours: string; verdict: string; why?: string; stability?: string }[];
}

/**
 * Markdown rows for every `<dir>/*\/claims.json`, in the order of `order` (experiment ids); with `rules`, only the
 * folders judged by those rules ("v1": the folders published before the protocol). Rules v2 rows add the
 * leave-one-seed-out stability and say when a folder is not under the protocol.
 */
export async function resultsTable(
  dir: string,
  order: readonly string[],
  opts: { rules?: "v1" | "v2" } = {},
): Promise<string> {
  const found: Claims[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isDirectory) continue;
    const path = `${dir}/${e.name}/claims.json`;
    const text = await Deno.readTextFile(path).catch(() => null);
    if (!text) continue;
    const claims: Claims = JSON.parse(text);
    if (opts.rules && (claims.rules ?? "v1") !== opts.rules) continue;
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
  const v2 = opts.rules === "v2";
  const lines = v2
    ? [
      "| experiment | claim | ours (per-seed statistics) | verdict | one seed left out | why not decided |",
      "| --- | --- | --- | --- | --- | --- |",
    ]
    : [
      "| experiment | claim | ours (mean, 95% CI) | verdict | why undecided |",
      "| --- | --- | --- | --- | --- |",
    ];
  for (const c of found) {
    c.claims.forEach((k, i) => {
      const runs = c.iterations ? `${c.seeds} seeds × ${c.iterations.toLocaleString("en-US")} it.` : `${c.seeds} seeds`;
      const standing = c.protocol && c.protocol.kind !== "protocol"
        ? `, ${c.protocol.kind}: ${c.protocol.differences.join("; ")}`
        : c.protocol
        ? `, protocol v${c.protocol.version}`
        : "";
      const name = i === 0 ? `${c.experiment} (${c.profile}, ${runs}${standing})` : "";
      const cell = (t: string) => t.replaceAll("|", "\\|");
      lines.push(
        `| ${name} | ${cell(k.claim)} | ${cell(k.ours)} | **${k.verdict}** | ${
          v2 ? `${cell(k.stability ?? "")} | ` : ""
        }${cell(k.why ?? "")} |`,
      );
    });
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { experimentIds } = await import("../config/registry.ts");
  const rules = Deno.args.includes("--v1") ? "v1" : Deno.args.includes("--v2") ? "v2" : undefined;
  const dir = Deno.args.find((a) => !a.startsWith("--")) ?? "results";
  console.log(await resultsTable(dir, experimentIds(), { rules }));
}

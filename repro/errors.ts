/**
 * Errors a user can fix: shown as one line, exit status 2.
 *
 * @module
 */

/** A bad command line, unknown name or conflicting output folder. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest of `options` to `input`, when it is plausibly a typo. */
export function closest(input: string, options: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const o of options) {
    const d = editDistance(input.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return bestD <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or "". */
export function suggestion(input: string, options: readonly string[]): string {
  const c = closest(input, options);
  return c ? ` (did you mean "${c}"?)` : "";
}

/** Runs a command-line entry point: any error becomes one line on stderr and exit status 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${String((e as Error).message).split("\n")[0]}`);
    Deno.exit(1);
  }
}

/**
 * Progress with ETA: a bar on a terminal (cli-progress), plain lines
 * otherwise (CI logs, files).
 *
 * @module
 */
import process from "node:process";
import cliProgress from "cli-progress";

/** Reports progress over a known number of generator iterations. */
export interface Progress {
  update(done: number, label: string): void;
  log(line: string): void;
  stop(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}min`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** A progress reporter for `total` units of work. */
export function createProgress(total: number, quiet = false): Progress {
  const start = performance.now();
  if (Deno.stderr.isTerminal() && !quiet) {
    const bar = new cliProgress.SingleBar({
      format: "{bar} {percentage}% | {value}/{total} iterations | ETA {eta_formatted} | {label}",
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let current = 0, currentLabel = "";
    bar.start(total, 0, { label: "" });
    return {
      update: (done, label) => {
        [current, currentLabel] = [done, label];
        bar.update(done, { label });
      },
      log: (line) => {
        bar.stop();
        console.error(line);
        bar.start(total, current, { label: currentLabel });
      },
      stop: () => bar.stop(),
    };
  }
  let lastPrinted = -1;
  return {
    update(done, label) {
      const decile = Math.floor((10 * done) / Math.max(total, 1));
      if (decile === lastPrinted || quiet) return;
      lastPrinted = decile;
      const elapsed = (performance.now() - start) / 1000;
      const eta = done >= total / 100 ? elapsed * (total - done) / done : NaN;
      console.error(
        `[${(100 * done / total).toFixed(0).padStart(3)}%] ${done}/${total} iterations, ${label}, ETA ${
          formatSeconds(eta)
        }`,
      );
    },
    log: (line) => console.error(line),
    stop: () => {},
  };
}

export { formatSeconds };

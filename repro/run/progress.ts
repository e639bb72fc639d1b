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

/**
 * A progress reporter for `total` units of work (the harness counts estimated seconds, so that a clipped-WGAN
 * iteration weighs ~5 GAN iterations and the Diters warm-up its 100 critic steps): the bar's ETA is elapsed time
 * scaled by the weighted fraction done, which also counts evaluation time. Without a terminal it prints a line at
 * every 10% and at least once a minute.
 */
export function createProgress(total: number, quiet = false): Progress {
  const start = performance.now();
  const eta = (done: number) => {
    const elapsed = (performance.now() - start) / 1000;
    return done >= total / 200 ? elapsed * (total - done) / done : NaN;
  };
  if (Deno.stderr.isTerminal() && !quiet) {
    const bar = new cliProgress.SingleBar({
      format: "{bar} {percentage}% | ETA {eta_text} | {label}",
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let current = 0, currentLabel = "";
    bar.start(Math.max(total, 1e-9), 0, { label: "", eta_text: "?" });
    return {
      update: (done, label) => {
        [current, currentLabel] = [done, label];
        bar.update(done, { label, eta_text: formatSeconds(eta(done)) });
      },
      log: (line) => {
        bar.stop();
        console.error(line);
        bar.start(Math.max(total, 1e-9), current, { label: currentLabel, eta_text: formatSeconds(eta(current)) });
      },
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1, lastTime = performance.now();
  return {
    update(done, label) {
      if (quiet) return;
      const decile = Math.floor((10 * done) / Math.max(total, 1e-9));
      const now = performance.now();
      if (decile === lastDecile && now - lastTime < 60_000) return;
      [lastDecile, lastTime] = [decile, now];
      console.error(
        `[${(100 * done / Math.max(total, 1e-9)).toFixed(0).padStart(3)}%] ${label}, ETA ${formatSeconds(eta(done))}`,
      );
    },
    log: (line) => console.error(line),
    stop: () => {},
  };
}

export { formatSeconds };

/**
 * The GPU kit's program (bundled into one self-contained JavaScript file by `bench/gpu_kit/build.sh`): what
 * `run.sh` needs from the library on a machine with no repository, `node_modules` or Deno install.
 *
 *   deno run -A kit.js adapter            the webgpu backend's adapter, limits and device, as JSON; exit 3 on a
 *                                         software adapter unless GPU_CHECK_ALLOW_SOFTWARE=1
 *   deno run -A kit.js bench FLAGS        `deno task bench:csv`'s command (--backend, --models, --reps, --out)
 *   deno run -A kit.js profile FLAGS      `deno task bench:profile`'s command
 *
 * @module
 */
import { selectBackend } from "../../mod.ts";
import { benchCsv } from "../export.ts";
import { profileStep } from "../profile.ts";
import { runMain, UsageError } from "../../repro/errors.ts";

async function adapter(): Promise<void> {
  const b = await selectBackend("webgpu");
  console.log(
    JSON.stringify({ device: b.device, isFallbackAdapter: b.isFallbackAdapter, adapter: b.adapter }, null, 2),
  );
  if (b.isFallbackAdapter && Deno.env.get("GPU_CHECK_ALLOW_SOFTWARE") !== "1") {
    console.error(`error: ${b.device} is a software adapter, not a GPU (GPU_CHECK_ALLOW_SOFTWARE=1 to go on)`);
    Deno.exit(3);
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  adapter: () => adapter(),
  bench: benchCsv,
  profile: profileStep,
};

if (import.meta.main) {
  await runMain(async () => {
    const [command, ...args] = Deno.args;
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`Cannot run "${command ?? ""}": choose ${Object.keys(COMMANDS).join(", ")}`);
    await run(args);
  });
}

import { selectBackend } from "../../mod.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { describeEnvironment } from "../../repro/folder/environment.ts";
import type { RunPlan } from "../../repro/run/plan.ts";
import { findExperiment } from "../../repro/config/registry.ts";
import { tempDir } from "../temp.ts";

/** A two-iteration toy-8gaussians plan on the cpu backend, in a fresh temporary folder. */
export async function toyPlan(): Promise<RunPlan> {
  const experiment = findExperiment("toy-8gaussians");
  const dir = await tempDir();
  return {
    experimentId: experiment.id,
    profile: "quick",
    config: resolveConfig(experiment, "quick", ["iterations=2", "evalEvery=2", "logEvery=1"]),
    backend: "cpu",
    threads: 1,
    outDir: `${dir}/out`,
    cacheDir: `${dir}/cache`,
    allowMixed: false,
    environment: await describeEnvironment(await selectBackend("cpu")),
  };
}

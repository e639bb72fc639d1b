/**
 * What a result row says about where it was produced: hardware fingerprint
 * and id, backend and device, Deno/tfjs versions, and the code's commit.
 *
 * @module
 */
import { fnv1a } from "../../lib/hash.ts";
import os from "node:os";
import type { BackendInfo } from "../../mod.ts";
import { tf } from "../../mod.ts";

/** Provenance columns shared by every row of a run. */
export interface Environment {
  backend: string;
  device: string;
  hardware_id: string;
  cpu: string;
  cores: number;
  memory_gb: number;
  deno: string;
  tfjs: string;
  commit: string;
}

function cpuModel(): string {
  // node:os needs only --allow-sys; Deno reads /proc/cpuinfo only with --allow-all
  try {
    return os.cpus()[0]?.model?.trim() || Deno.build.arch;
  } catch {
    return Deno.build.arch;
  }
}

/** The code's commit: `WGAN_BENCH_COMMIT` when set (the GPU kit runs a bundle outside any checkout), else git's. */
async function commit(): Promise<string> {
  const given = Deno.env.get("WGAN_BENCH_COMMIT");
  if (given) return given;
  try {
    const here = new URL("../..", import.meta.url).pathname;
    const run = (args: string[]) =>
      new Deno.Command("git", { args, cwd: here, stdout: "piped", stderr: "null" }).output();
    const head = await run(["rev-parse", "--short=12", "HEAD"]);
    if (!head.success) return "unknown";
    const dirty = await run(["status", "--porcelain", "--untracked-files=no"]);
    const id = new TextDecoder().decode(head.stdout).trim();
    return dirty.success && new TextDecoder().decode(dirty.stdout).trim() ? `${id}-dirty` : id;
  } catch {
    return "unknown";
  }
}

/** FNV-1a of a string, as 8 hex digits. */
export function shortHash(text: string): string {
  return fnv1a(text).toString(16).padStart(8, "0");
}

/** Describes this machine and the selected backend. */
export async function describeEnvironment(backend: BackendInfo): Promise<Environment> {
  const cpu = cpuModel();
  const cores = navigator.hardwareConcurrency;
  let memoryGb = 0;
  try {
    memoryGb = Math.round(os.totalmem() / 2 ** 30);
  } catch { /* no --allow-sys: leave 0 */ }
  const gpu = backend.name === "webgpu" ? backend.device : "";
  const slug = `${cpu.replace(/\(R\)|\(TM\)|CPU|Processor|@.*$/g, "").trim().replace(/[^A-Za-z0-9]+/g, "-")}`
    .replace(/^-|-$/g, "").toLowerCase().slice(0, 32);
  return {
    backend: backend.name,
    device: backend.device,
    hardware_id: `${slug}-${cores}c-${shortHash(`${cpu}|${cores}|${memoryGb}|${gpu}`)}`,
    cpu,
    cores,
    memory_gb: memoryGb,
    deno: Deno.version.deno,
    tfjs: tf.version.tfjs,
    commit: await commit(),
  };
}

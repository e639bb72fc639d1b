import assert from "node:assert/strict";
import { runCli } from "./cli_helpers.ts";
import { tempDir } from "../temp.ts";

Deno.test("a run on a slower backend because native is missing says, before it starts, what native would cost and why it is not here", async () => {
  const out = `${await tempDir()}/toy`;
  const r = await runCli(
    ["toy-8gaussians", "--profile", "quick", "--set", "iterations=2", "--seeds", "0", "--jobs", "1", "--out", out],
    { env: { WGAN_BENCH_BLAS: "/nonexistent/libopenblas.so.0" } },
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n");
  const estimate = lines.findIndex((l) => l.startsWith("estimated training time"));
  const native = lines.findIndex((l) => l.startsWith("the native backend would take"));
  assert.ok(estimate >= 0 && native === estimate + 1, r.stderr);
  assert.match(
    lines[native],
    /^the native backend would take ~\S+ \(--jobs \d\); it is not available here: WGAN_BENCH_BLAS=\/nonexistent\/libopenblas\.so\.0 does not exist$/,
  );
  assert.doesNotMatch(lines[estimate], /with native/);
});

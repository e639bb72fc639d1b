/**
 * The working tree travels to the GPU machine with the GPU kit, 64 MiB in all (bench/gpu_kit/build.sh checks the
 * total when it builds the kit, in CI's last step). Each publication adds to results/; this test says so in seconds,
 * before the kit is built: the tracked and untracked-not-ignored files must leave room for a kit of the size last
 * measured (28.5 MiB at Deno 2.9.6: deno.xz 27.5 with the x86 branch filter, bundles 0.6, Vulkan loader packages
 * 0.4) and 1 MiB to spare.
 */
import assert from "node:assert/strict";

const LIMIT_MIB = 64, KIT_MIB = 28.5, SPARE_MIB = 1;

Deno.test("the working tree leaves room for the GPU kit in the 64 MiB that travel to the GPU machine", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const git = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output().catch(() => null);
  if (!git || !git.success) {
    console.warn("not a git checkout here: the travel budget is checked where git is (CI's clone)");
    return;
  }
  const files = new TextDecoder().decode(git.stdout).split("\0").filter((f) => f !== "");
  const sizes = new Map<string, number>();
  for (const f of files) {
    const size = await Deno.stat(`${root}${f}`).then((s) => s.size, () => 0); // deleted, not yet staged: 0
    const top = f.includes("/") ? f.slice(0, f.indexOf("/")) : ".";
    sizes.set(top, (sizes.get(top) ?? 0) + size);
  }
  const mib = (n: number) => n / 2 ** 20;
  const tree = mib([...sizes.values()].reduce((a, b) => a + b, 0));
  const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 4)
    .map(([d, n]) => `${d} ${mib(n).toFixed(1)}`).join(", ");
  assert.ok(
    tree + KIT_MIB + SPARE_MIB <= LIMIT_MIB,
    `the working tree is ${tree.toFixed(1)} MiB (${largest}): with the ${KIT_MIB} MiB GPU kit it passes the ` +
      `${LIMIT_MIB} MiB that travel (keep ${SPARE_MIB} MiB spare). Publish compactly (deno task publish --compact) ` +
      "or move large files out of the tree",
  );
});

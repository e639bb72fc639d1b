/**
 * Issue #25's first "done when": every folder judged under the protocol was run after the protocol it names was
 * committed. Git is the witness: at every commit a folder's rows were produced at, repro/protocol.toml must be the very
 * file the folder names (its fingerprint), so that file was committed at or before the run — and a folder named
 * `-protocol-vN` must name version N.
 */
import assert from "node:assert/strict";
import { parseCsv, readTextFile, stepsTablePath } from "../../repro/folder/files.ts";
import { fnv1a } from "../../lib/hash.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function git(...args: string[]): { ok: boolean; out: string } {
  const r = new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "piped" }).outputSync();
  return { ok: r.success, out: new TextDecoder().decode(r.stdout) };
}

const inGit = git("rev-parse", "--is-inside-work-tree").ok;
const shallow = inGit && git("rev-parse", "--is-shallow-repository").out.trim() === "true";

Deno.test({
  name: "every protocol folder's runs were made at commits whose repro/protocol.toml is the one the folder names",
  // A shallow clone has not the history to witness it; a full clone (CI's) has.
  ignore: !inGit || shallow,
  fn: async () => {
    const folders = [...Deno.readDirSync(`${ROOT}results`)]
      .filter((e) => e.isDirectory && /-protocol-v\d+$/.test(e.name))
      .map((e) => e.name)
      .sort();
    assert.ok(folders.length >= 14, `only ${folders.length} protocol folders found`);
    for (const name of folders) {
      const dir = `${ROOT}results/${name}`;
      const claims = JSON.parse(await Deno.readTextFile(`${dir}/claims.json`));
      const p = claims.protocol as { kind: string; version: number; fingerprint: string };
      assert.equal(p.kind, "protocol", name);
      assert.equal(`v${p.version}`, name.match(/-protocol-(v\d+)$/)![1], `${name} names protocol v${p.version}`);
      const steps = await stepsTablePath(dir);
      assert.ok(steps, `${name} has no steps table`);
      const commits = new Set(parseCsv(await readTextFile(steps)).map((r) => r.commit));
      assert.ok(commits.size >= 1, name);
      for (const recorded of commits) {
        // a row's commit: 12 hex digits, "-dirty" when the tree had edits (the file read is the one fingerprinted)
        const commit = recorded.replace(/-dirty$/, "");
        assert.match(commit, /^[0-9a-f]{7,40}$/, `${name}: row commit ${recorded}`);
        const file = git("show", `${commit}:repro/protocol.toml`);
        assert.ok(file.ok, `${name}: commit ${commit} (or its repro/protocol.toml) is not in this repository`);
        const fingerprint = fnv1a(file.out).toString(16).padStart(8, "0");
        assert.equal(
          fingerprint,
          p.fingerprint,
          `${name}: at ${commit}, where its rows were made, repro/protocol.toml is not the v${p.version} it names`,
        );
      }
    }
  },
});

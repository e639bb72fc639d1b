/**
 * The Python that runs the PyTorch reference code (bench/reference): /usr/bin/python3 when it imports torch (Debian's
 * python3-torch, optional), else null, and the tests that need it are skipped.
 */
export async function torchPython(): Promise<string | null> {
  try {
    const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", "import torch"], stderr: "null" }).output();
    return out.success ? "/usr/bin/python3" : null;
  } catch {
    return null;
  }
}

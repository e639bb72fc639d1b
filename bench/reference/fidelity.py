#!/usr/bin/python3
"""PyTorch port of a wgan-bench experiment arm, for the fidelity check (`deno task fidelity`).

Trains the SAME settings as the harness — architecture, init rule, data, optimizer, schedule, loss and
Lipschitz term, all read from the arm's resolved configuration (what `--print-config` shows) — written
the way the official code writes them (martinarjovsky/WassersteinGAN main.py and models/, igul222's
gan_toy.py for the toys), and writes:

  <out>/steps.csv                               rows in the harness's steps.csv columns (statistics only)
  <out>/samples/<arm>/seed-<k>/step-<n>.f32     float32 samples at each evaluation step, for the harness's
                                                own evaluator to score (so both sides use one metric)

steps.csv appears only when every run of the job has finished (it is written as steps.csv.partial first), so a
driver can tell a finished job from an interrupted one. At evaluation steps an MLP critic's rows also carry, per
hidden layer, the share of ReLU units inactive on a whole batch of real (the job's probe images) and of generated
samples (the first batch of the evaluation samples), as the harness's critic_inactive_real/_fake columns.

It is driven by `deno task fidelity`, which writes the job file (configuration and, for images, the
training split as raw float32) and scores and compares the results. Run by hand:

    /usr/bin/python3 bench/reference/fidelity.py JOB.json OUT_DIR
"""
import csv
import json
import math
import os
import sys
import time

_job_path = sys.argv[1] if len(sys.argv) > 1 else None
if _job_path is None or len(sys.argv) != 3:
    sys.exit("usage: fidelity.py JOB.json OUT_DIR")
# OpenBLAS's own thread pool ignores torch.set_num_threads and busy-waits: pin it before torch loads.
with open(_job_path) as f:
    JOB = json.load(f)
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(JOB.get("threads", 1)))
os.environ.setdefault("OMP_NUM_THREADS", str(JOB.get("threads", 1)))
from steady_heap import keep_heap  # noqa: E402

keep_heap()  # the steady state PyTorch reaches with a tuned allocator (steady_heap.py)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(JOB.get("threads", 1))
OUT = sys.argv[2]

STAT_COLUMNS = ["experiment", "profile", "arm", "seed", "step", "critic_iterations", "critic_loss",
                "wasserstein_estimate", "d_real", "d_fake", "loss_difference", "generator_loss", "penalty",
                "critic_inactive_real", "critic_inactive_fake", "wall_time_s", "backend"]


# ---------------------------------------------------------------------------------------------- init rules
def init_weights(module, rule):
    """The harness's init rules (lib/models/model.ts), applied as the reference code applies them."""
    layers = [m for m in module.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    for i, m in enumerate(layers):
        is_linear = isinstance(m, nn.Linear) and not getattr(m, "stands_for_conv", False)
        r = rule
        if rule == "dcgan":  # official weights_init: Conv* N(0, 0.02); Linear keeps PyTorch's default
            r = "torch-default" if is_linear else 0.02
        if r == "torch-default":
            continue  # what the constructor drew
        if r == "gan-toy":  # tflib: He-uniform before ReLUs, Glorot-uniform at the output, zero bias
            fan_in, fan_out = m.weight.shape[1], m.weight.shape[0]
            bound = math.sqrt(6 / (fan_in + fan_out)) if i == len(layers) - 1 else math.sqrt(6 / fan_in)
            nn.init.uniform_(m.weight, -bound, bound)
        elif r == "he":
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        else:
            nn.init.normal_(m.weight, 0.0, float(r))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) and rule != "torch-default":
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


# ---------------------------------------------------------------------------------------------- models
def mlp(in_dim, out_dim, cfg):
    act = {"relu": nn.ReLU, "leaky-relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh}[cfg["activation"]]
    layers, d = [], in_dim
    for _ in range(cfg["hiddenLayers"]):
        layers += [nn.Linear(d, cfg["hidden"]), act()]
        d = cfg["hidden"]
    layers.append(nn.Linear(d, out_dim))
    return nn.Sequential(*layers)


class MlpG(nn.Module):  # official MLP_G: no output activation
    def __init__(self, cfg, shape):
        super().__init__()
        self.shape = shape
        self.main = mlp(cfg["noiseDim"], int(np.prod(shape)), cfg)

    def forward(self, z):
        return self.main(z).view(z.shape[0], *self.shape)


class MlpD(nn.Module):
    def __init__(self, cfg, shape):
        super().__init__()
        self.main = mlp(int(np.prod(shape)), 1, cfg)

    def forward(self, x):
        return self.main(x.reshape(x.shape[0], -1)).view(-1)


def inactive_shares(critic, x):
    """Per hidden layer of an MLP critic, the share of units whose pre-activation is <= 0 on every sample of x
    (the harness's inactiveUnitShares); None for critics whose hidden layers are not a plain Linear stack."""
    if not isinstance(critic, MlpD):
        return None
    shares = []
    with torch.no_grad():
        h = x.reshape(x.shape[0], -1)
        layers = list(critic.main)
        for i, layer in enumerate(layers):
            h = layer(h)
            if isinstance(layer, nn.Linear) and i < len(layers) - 1:
                shares.append(float((h.max(dim=0).values <= 0).float().mean()))
    return " ".join(f"{v:.3f}" for v in shares)


def start_size(size):
    return 7 if size == 28 else 4


class DcganG(nn.Module):  # official DCGAN_G / DCGAN_G_nobn (filters halving or, optionally, constant)
    def __init__(self, cfg, shape):
        super().__init__()
        size, ch = shape[1], shape[0]
        s0 = start_size(size)
        ups = round(math.log2(size / s0))
        filters = (lambda i: cfg["width"]) if cfg["filters"] == "constant" else (
            lambda i: cfg["width"] * 2 ** (ups - 1 - i))
        layers = [nn.ConvTranspose2d(cfg["noiseDim"], filters(0), s0, 1, 0, bias=False)]
        if cfg["batchNorm"]:
            layers.append(nn.BatchNorm2d(filters(0)))
        layers.append(nn.ReLU(True))
        for i in range(ups):
            last = i == ups - 1
            layers.append(nn.ConvTranspose2d(filters(i), ch if last else filters(i + 1), 4, 2, 1, bias=False))
            if not last:
                if cfg["batchNorm"]:
                    layers.append(nn.BatchNorm2d(filters(i + 1)))
                layers.append(nn.ReLU(True))
        layers.append(nn.Tanh())
        self.main = nn.Sequential(*layers)
        self.nz = cfg["noiseDim"]

    def forward(self, z):
        return self.main(z.view(z.shape[0], self.nz, 1, 1))


class DcganD(nn.Module):  # official DCGAN_D; "layer" norm as the WGAN-GP code's critic (per-sample)
    def __init__(self, cfg, shape):
        super().__init__()
        size, ch = shape[1], shape[0]
        s0 = start_size(size)
        ups = round(math.log2(size / s0))
        norm, w = cfg["norm"], cfg["width"]
        layers, cin = [], ch
        for i in range(ups):
            cout = w * 2 ** i
            layers.append(nn.Conv2d(cin, cout, 4, 2, 1, bias=norm == "none"))
            if i > 0 and norm == "batch":
                layers.append(nn.BatchNorm2d(cout))
            if i > 0 and norm == "layer":
                layers.append(nn.GroupNorm(1, cout))  # normalises over C, H, W per sample; per-channel affine
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            cin = cout
        layers.append(nn.Conv2d(cin, 1, s0, 1, 0, bias=norm == "none"))
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1)


def build(cfg, role, shape, noise_dim):
    cfg = dict(cfg, noiseDim=noise_dim)
    if cfg["kind"] == "mlp":
        return MlpG(cfg, shape) if role == "generator" else MlpD(cfg, shape)
    return DcganG(cfg, shape) if role == "generator" else DcganD(cfg, shape)


# ---------------------------------------------------------------------------------------------- data
def toy_sampler(name, rng):
    if name == "8gaussians":  # gan_toy.py
        r = 1 / math.sqrt(2)
        centres = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (r, r), (r, -r), (-r, r), (-r, -r)]) * 2

        def draw(n):
            pts = rng.standard_normal((n, 2)) * 0.02 + centres[rng.integers(0, 8, n)]
            return (pts / 1.414).astype(np.float32)
        return draw
    if name == "25gaussians":
        centres = np.array([(x, y) for x in range(-2, 3) for y in range(-2, 3)]) * 2

        def draw(n):
            pts = rng.standard_normal((n, 2)) * 0.05 + centres[rng.integers(0, 25, n)]
            return (pts / 2.828).astype(np.float32)
        return draw

    def draw(n):  # sklearn make_swiss_roll(noise=0.25), columns (0, 2), / 7.5
        t = 1.5 * np.pi * (1 + 2 * rng.random(n))
        x = t * np.cos(t) + 0.25 * rng.standard_normal(n)
        y = t * np.sin(t) + 0.25 * rng.standard_normal(n)
        return (np.stack([x, y], 1) / 7.5).astype(np.float32)
    return draw


def image_sampler(images, rng):
    """Shuffled passes over the training images, as a DataLoader with shuffle=True."""
    state = {"order": rng.permutation(len(images)), "pos": 0}

    def draw(n):
        out = []
        while n > 0:
            if state["pos"] >= len(images):
                state["order"], state["pos"] = rng.permutation(len(images)), 0
            take = state["order"][state["pos"]:state["pos"] + n]
            state["pos"] += len(take)
            n -= len(take)
            out.append(images[take])
        return np.concatenate(out)
    # images left in this pass (0: the next draw starts a new one), for bursts that stop at an epoch's end
    draw.remaining = lambda: len(images) - state["pos"]
    return draw


# ---------------------------------------------------------------------------------------------- training
def optimizer(params, spec):
    if spec["kind"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=spec["lr"], alpha=spec["alpha"], eps=spec["eps"])
    if spec["kind"] == "adam":
        return torch.optim.Adam(params, lr=spec["lr"], betas=(spec["beta1"], spec["beta2"]), eps=spec["eps"])
    raise SystemExit(f"fidelity.py: optimizer {spec['kind']} not ported")


def critic_iters(alg, it):
    if alg.get("dItersSchedule") and (it < 25 or it % 500 == 0):
        return 100
    return alg["nCritic"]


def losses(kind):
    sp = nn.functional.softplus
    if kind == "wasserstein":
        return (lambda r, f: f.mean() - r.mean()), (lambda f: -f.mean())
    return (lambda r, f: sp(-r).mean() + sp(f).mean()), (lambda f: sp(-f).mean())


def penalty(spec, critic, real, fake, d_real, d_fake):
    """The Lipschitz term; WGAN-div's input gradients come from the loss's own scores (`real` and `fake` then
    require grad: `div_inputs`)."""
    if spec["kind"] not in ("gp", "div"):
        return None
    n = real.shape[0]
    if spec["kind"] == "gp" or spec.get("points") == "interpolates":
        # x̂ = ε x + (1 − ε) G(z), one ε per sample: WGAN-GP's λ E[(‖∇D(x̂)‖ − 1)²], or WGAN-div's k E[‖∇D(x̂)‖^p] as
        # the authors' code (musikisomorphie/wgan-div) places it
        eps = torch.rand(n, *([1] * (real.dim() - 1)))
        x = (eps * real + (1 - eps) * fake).requires_grad_(True)
        g, = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
        sq = g.reshape(n, -1).pow(2).sum(1)
        if spec["kind"] == "div":
            return spec["k"] * sq.pow(spec["p"] / 2).mean()
        return spec["lambda"] * ((sq + 1e-12).sqrt() - 1).pow(2).mean()
    # WGAN-div: k E[‖∇D(x)‖^p] on real and fake samples, as PyTorch-GAN's wgan_div.py: the gradients of the loss's
    # own critic outputs (one forward pass serves the loss and the term)
    total = 0
    for x, d in ((real, d_real), (fake, d_fake)):
        g, = torch.autograd.grad(d.sum(), x, create_graph=True)
        total = total + g.reshape(x.shape[0], -1).pow(2).sum(1).pow(spec["p"] / 2).mean()
    return spec["k"] * total / 2


def div_inputs(spec, real, fake):
    """WGAN-div at real and fake points differentiates the critic's scores with respect to the batches themselves."""
    if spec["kind"] == "div" and spec.get("points", "real-fake") == "real-fake":
        return real.detach().requires_grad_(True), fake.detach().requires_grad_(True)
    return real, fake


def train_one(arm, seed, settings, experiment, data_draw, shape, writer, samples_dir, probe):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    draw = data_draw(rng)
    alg = arm["algorithm"]
    nz = arm["generator"]["noiseDim"]
    G = build(arm["generator"], "generator", shape, nz)
    D = build(arm["critic"], "critic", shape, nz)
    init_weights(G, arm["generator"]["init"])
    init_weights(D, arm["critic"]["init"])
    opt_d, opt_g = optimizer(D.parameters(), alg["optimizer"]), optimizer(G.parameters(), alg["optimizer"])
    critic_loss_fn, generator_loss_fn = losses(alg["loss"])
    lip = alg["lipschitz"]
    clip = lip["c"] if lip["kind"] == "clip" else None
    n = alg["batchSize"]
    eval_noise = torch.randn(settings["evalSamples"], nz, generator=torch.Generator().manual_seed(10_000 + seed))

    def clip_critic():
        if clip is not None:
            for p in D.parameters():
                p.data.clamp_(-clip, clip)

    def save_samples(step):
        """Writes the evaluation samples; returns the critic's inactive shares on real and generated batches."""
        with torch.no_grad():
            x = torch.cat([G(eval_noise[i:i + n]) for i in range(0, len(eval_noise), n)])
        real_share = inactive_shares(D, probe) if probe is not None else None
        fake_share = inactive_shares(D, x[:n])
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)  # NCHW → NHWC, the harness's layout
        x.contiguous().numpy().astype("<f4").tofile(f"{samples_dir}/step-{step:06d}.f32")
        return real_share or "", fake_share or ""

    clip_critic()  # as the harness (Algorithm 1): inside the constraint set from the start
    os.makedirs(samples_dir, exist_ok=True)
    save_samples(0)
    start = time.perf_counter()
    before = alg.get("constrainBeforeUpdate", False)
    epochs = alg.get("epochBursts", False)
    remaining = getattr(draw, "remaining", lambda: float("inf"))
    for it in range(settings["iterations"]):
        iters = critic_iters(alg, it)
        j = 0
        # the official loop: `while j < Diters and i < len(dataloader)`: a burst ends with the epoch, whose last
        # batch is partial (the fake batch stays full, as its `noise.resize_(opt.batchSize, ...)`)
        while j < iters and not (epochs and j > 0 and remaining() == 0):
            j += 1
            left = remaining()
            m = left if epochs and 0 < left < n else n
            if before:
                clip_critic()  # the official code clamps at the top of each critic iteration
            real = torch.from_numpy(draw(m))
            if real.dim() == 4:
                real = real.permute(0, 3, 1, 2)
            with torch.no_grad():
                fake = G(torch.randn(n, nz))
            real, fake = div_inputs(lip, real, fake)
            d_real, d_fake = D(real), D(fake)
            adv = critic_loss_fn(d_real, d_fake)
            pen = penalty(lip, D, real, fake, d_real, d_fake)
            total = adv + pen if pen is not None else adv
            opt_d.zero_grad()
            total.backward()
            opt_d.step()
            if not before:
                clip_critic()  # after each update: Algorithm 1 (constrainBeforeUpdate: the official code's order)
        for p in D.parameters():
            p.requires_grad_(False)
        g_loss = generator_loss_fn(D(G(torch.randn(n, nz))))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        for p in D.parameters():
            p.requires_grad_(True)
        step = it + 1
        evaluating = step % settings["evalEvery"] == 0 or step == settings["iterations"]
        shares = save_samples(step) if evaluating else ("", "")
        if step % settings["logEvery"] == 0 or evaluating or step == 1:
            dr, df = d_real.mean().item(), d_fake.mean().item()
            writer.writerow({
                "experiment": experiment, "profile": JOB["profile"], "arm": arm["id"], "seed": seed, "step": step,
                "critic_iterations": j, "critic_loss": total.item(), "wasserstein_estimate": -adv.item(),
                "d_real": dr, "d_fake": df, "loss_difference": dr - df, "generator_loss": g_loss.item(),
                "penalty": pen.item() if pen is not None else 0,
                "critic_inactive_real": shares[0], "critic_inactive_fake": shares[1],
                "wall_time_s": round(time.perf_counter() - start, 3), "backend": "pytorch-cpu",
            })
        if evaluating:
            print(f"{arm['id']} seed {seed}: {step}/{settings['iterations']}", file=sys.stderr, flush=True)


def main():
    settings = JOB["settings"]
    probe = None
    if JOB["data"]["kind"] == "toy":
        shape = [2]
        def data_draw(rng): return toy_sampler(JOB["data"]["toy"], rng)
    else:
        h, w, c = JOB["data"]["sampleShape"]
        images = np.fromfile(JOB["data"]["trainImages"], dtype="<f4").reshape(-1, h, w, c)
        shape = [c, h, w]
        if JOB["data"].get("probeImages"):
            probe = np.fromfile(JOB["data"]["probeImages"], dtype="<f4").reshape(-1, h, w, c)
            probe = torch.from_numpy(probe).permute(0, 3, 1, 2).contiguous()
        def data_draw(rng): return image_sampler(images, rng)
    os.makedirs(OUT, exist_ok=True)
    with open(f"{OUT}/steps.csv.partial", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=STAT_COLUMNS)
        writer.writeheader()
        for arm in JOB["arms"]:
            for seed in JOB["seeds"]:
                train_one(arm, seed, settings, JOB["experiment"], data_draw, shape, writer,
                          f"{OUT}/samples/{arm['id']}/seed-{seed}", probe)
                f.flush()
    os.replace(f"{OUT}/steps.csv.partial", f"{OUT}/steps.csv")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Training speed: the Trainer against a bare PyTorch loop and against the machine's matmul peak, measured in one run.

Two recipes, each on a feature cache made here in a temporary folder (or under --dir, kept and reused):
  demo   `training.demo_config()` (the demo checkpoint's recipe: envelope features, hidden 192, a code per frame from 512,
         F0 input, jitter; batch 16 x 128 frames) on the bundled demo corpus
  vctk   the VCTK recipe of the training chapter (linear features, hidden 384, 3 + 2 blocks, batch 64 x 128 frames,
         balanced sampling) on a synthetic VCTK-layout tree (default 8 speakers x 6 utterances of 3 s; the speed of a
         step does not depend on the corpus size); data workers: --workers (the recipe's 6 would only compete for
         the cores of a small machine)

For each recipe, after --warmup steps of each:
  trainer    `Trainer.fit` as `s2s train` runs it (logging every run.log_every steps; validation and checkpoints are
             not timed: they happen every 500 or 5000 steps in the recipes, not per step), timed over --steps steps
  bare loop  the same model trained by the obvious script: a plain DataLoader over the same crops (random order,
             collated by `data.collate`), AdamW, gradient clipping, forward / backward / step; nothing else
  data       the share of each loop's wall time spent waiting for the next batch
  FLOPs      of one training step (forward and backward of one batch), counted by torch.utils.flop_counter.FlopCounterMode
  mm shape   torch.mm of the model's shape (M = crops x frames at code rate and at frame rate, K = kernel x hidden,
             N = hidden: its convolutions as matrix products), timed in the same run, the better of the two
  mm peak    the best of that and a 2048 x 2048 x 2048 torch.mm: the machine's measured matmul peak
  of peak    GFLOP/s reached by training (FLOPs per step x steps/s) over that peak
The first steps of a loop are slow (allocations), hence the warm-up. Each loop is timed --repeats times, alternating trainer and bare loop (on a shared machine the two see the same
conditions), and the best time of each is kept. `trainer / bare` is the Trainer's step rate over the bare loop's
(goal: at least 0.9, i.e. the Trainer within 10 %). On CUDA the Trainer uses AMP bf16 (optim.amp=auto), the bare loop
and the matmul too. The last line is the headline.
Run on an idle machine:  python bench/train.py   (smoke run: --quick; on a GPU: --device cuda)
"""
import argparse, copy, os, shutil, tempfile, time
from pathlib import Path


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='smoke run: few steps, one repeat')
    p.add_argument('--recipes', default='demo,vctk', help='comma-separated: demo, vctk')
    p.add_argument('--steps', default='100,6', help='timed steps per loop, per recipe (demo,vctk)')
    p.add_argument('--warmup', default='5,2', help='untimed steps before timing each loop, per recipe (demo,vctk)')
    p.add_argument('--repeats', type=int, default=2, help='timings of each loop (the best is kept)')
    p.add_argument('--threads', type=int, default=None, help='torch threads (default: the CPUs available)')
    p.add_argument('--workers', type=int, default=0, help='DataLoader workers of both loops (data.num_workers)')
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--dir', default=None, help='work folder for the caches (default: a temporary folder, deleted afterwards)')
    a = p.parse_args()
    a.recipes = [r.strip() for r in a.recipes.split(',') if r.strip()]
    a.steps = dict(zip(('demo', 'vctk'), (int(s) for s in a.steps.split(','))))
    a.warmup = dict(zip(('demo', 'vctk'), (int(s) for s in a.warmup.split(','))))
    if a.quick: a.steps, a.warmup, a.repeats = dict(demo=10, vctk=1), dict(demo=3, vctk=1), 1
    return a


VCTK = ['data.batch_size=64', 'data.crop_frames=128', 'data.balanced=true', 'model.hidden=384', 'model.res_blocks=3',
        'model.up_blocks=2', 'model.n_codes=512', 'model.code_dim=64', 'model.speaker_dim=64', 'optim.lr=5e-4',
        'optim.amp=bf16', 'schedule.steps=200000', 'schedule.warmup=2000', 'run.log_every=100', 'run.val_every=5000',
        'run.ckpt_every=5000']


def caches(a, work: Path) -> dict:
    "Feature caches of the recipes (prepared once; reused under --dir)."
    from speech2speech.data import prepare, make_vctk_tree, DataConfig
    from speech2speech.features import FeatureConfig
    from speech2speech.training import demo_config
    out = {}
    if 'demo' in a.recipes:
        out['demo'] = work/'demo-envelope'
        if not (out['demo']/'manifest.jsonl').exists():
            prepare('demo', out['demo'], FeatureConfig(kind='envelope'), demo_config().data, n_workers=2, progress=False)
    if 'vctk' in a.recipes:
        out['vctk'] = work/'vctk-linear'
        if not (out['vctk']/'manifest.jsonl').exists():
            tree = make_vctk_tree(work/'vctk', '0.92', n_speakers=8, n_utts=6, secs=3.0, mics=('mic1',), seed=0)
            prepare(tree, out['vctk'], FeatureConfig(kind='linear'), DataConfig(), n_workers=2, progress=False)
    return out


def sync(device):
    import torch
    if device.type == 'cuda': torch.cuda.synchronize()


def trainer_loop(cfg, cache, run_dir, device, warmup, steps, repeats):
    "The Trainer, validation and checkpoints left out of the timing: yields (seconds, data seconds) per repeat."
    from speech2speech.training import Trainer
    t = Trainer(cfg, cache, run_dir, device=device)
    t.validate, t.save = (lambda: {}), (lambda: None)          # timed: the training steps and their logging only
    orig, data = t._batches, [0.0]
    def timed_batches(start):                                   # the Trainer's own batches, with the wait for each timed
        g = orig(start)
        try:
            while True:
                t0 = time.perf_counter(); b = next(g); data[0] += time.perf_counter() - t0
                yield b
        finally: g.close()
    t._batches = timed_batches
    t.fit(stop_at=t.step + warmup); sync(t.device)
    for _ in range(repeats):
        data[0] = 0.0
        t0 = time.perf_counter(); t.fit(stop_at=t.step + steps); sync(t.device)
        yield time.perf_counter() - t0, data[0]


def bare_loop(cfg, cache, device, warmup, steps, repeats):
    "The obvious training script: plain DataLoader, AdamW, clipping; yields (seconds, data seconds) per repeat."
    import torch
    from speech2speech.data import CropDataset, FeatureCache, collate
    from speech2speech.model import VQVAE
    fc = FeatureCache(cache)
    mcfg = copy.deepcopy(cfg.model); mcfg.n_bins, mcfg.n_speakers = fc.cfg.n_bins, len(fc.speakers)
    torch.manual_seed(0)
    model = VQVAE(mcfg).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)
    ds = CropDataset(fc, 'train', crop_frames=cfg.data.crop_frames, seed=0)
    sampler = torch.utils.data.RandomSampler(ds, replacement=True, num_samples=10**8)   # full batches, even from a small split
    dl = torch.utils.data.DataLoader(ds, batch_size=cfg.data.batch_size, sampler=sampler, drop_last=True, collate_fn=collate,
                                     num_workers=cfg.data.num_workers, persistent_workers=cfg.data.num_workers > 0)
    batches = iter(dl)
    amp = dict(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda')
    def step(b):
        f0 = b['f0'].to(device) if mcfg.f0_input else None
        with torch.autocast(**amp):
            out = model(b['feats'].to(device), b['speaker'].to(device), b['mask'].to(device), f0)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
        opt.step()
    for _ in range(warmup): step(next(batches))
    sync(device)
    for _ in range(repeats):
        data = 0.0
        t0 = time.perf_counter()
        for _ in range(steps):
            t1 = time.perf_counter(); b = next(batches); data += time.perf_counter() - t1
            step(b)
        sync(device)
        yield time.perf_counter() - t0, data


def flops_per_step(cfg, cache, device) -> float:
    "FLOPs of one forward + backward pass of a training batch."
    from torch.utils.flop_counter import FlopCounterMode
    from speech2speech.data import CropDataset, FeatureCache, collate
    from speech2speech.model import VQVAE
    fc = FeatureCache(cache)
    mcfg = copy.deepcopy(cfg.model); mcfg.n_bins, mcfg.n_speakers = fc.cfg.n_bins, len(fc.speakers)
    model = VQVAE(mcfg).to(device).train()
    ds = CropDataset(fc, 'train', crop_frames=cfg.data.crop_frames, seed=0)
    b = collate([ds[i % len(ds)] for i in range(cfg.data.batch_size)])
    with FlopCounterMode(display=False) as fcm:
        model(b['feats'].to(device), b['speaker'].to(device), b['mask'].to(device),
              b['f0'].to(device) if mcfg.f0_input else None).loss.backward()
    return float(fcm.get_total_flops())


def matmul_gflops(M, K, N, device, repeats=5) -> float:
    "Best GFLOP/s of torch.mm (M x K) @ (K x N) (bf16 on CUDA, float32 on CPU)."
    import torch
    dt = torch.bfloat16 if device.type == 'cuda' else torch.float32
    x, w = torch.randn(M, K, device=device, dtype=dt), torch.randn(K, N, device=device, dtype=dt)
    n = max(1, int(2e9 // (2*M*K*N)) if device.type == 'cpu' else int(2e11 // (2*M*K*N)))   # ~1 s of work per timing
    torch.mm(x, w); sync(device)
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n): torch.mm(x, w)
        sync(device); best = min(best, (time.perf_counter() - t0) / n)
    return 2*M*K*N / best / 1e9


def main():
    a = parse()
    import torch
    from speech2speech.config import Config
    from speech2speech.training import demo_config
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    torch.set_num_threads(a.threads or ncpu)
    device = torch.device(a.device)
    work = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix='s2s_bench_train_'))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter(); cs = caches(a, work)
        load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
        print(f"train: {device.type}, {torch.get_num_threads()} torch threads on {ncpu} CPUs, torch {torch.__version__}, "
              f"data workers {a.workers}; caches ready in {time.perf_counter() - t:.0f} s; load average {load:.2f} before timing")
        rows = []
        for name in a.recipes:
            base = demo_config() if name == 'demo' else Config().override(VCTK)
            cfg = base.override([f'data.num_workers={a.workers}', 'run.progress=false', 'run.plots=false'])
            fl = flops_per_step(cfg, cs[name], device)
            B, T, ds = cfg.data.batch_size, cfg.data.crop_frames, cfg.model.downsample
            h, k = cfg.model.hidden, cfg.model.kernel_size
            shaped = max(matmul_gflops(B*T//ds, k*h, h, device), matmul_gflops(B*T, k*h, h, device))   # code rate, frame rate
            peak = max(shaped, matmul_gflops(2048, 2048, 2048, device))
            n = a.steps[name]
            shutil.rmtree(work/f'run-{name}', ignore_errors=True)
            tl = trainer_loop(cfg, cs[name], work/f'run-{name}', device, a.warmup[name], n, a.repeats)
            bl = bare_loop(cfg, cs[name], device, a.warmup[name], n, a.repeats)
            tr, br = [], []
            for _ in range(a.repeats): tr.append(next(tl)); br.append(next(bl))   # alternating
            (tt, td), (bt, bd) = min(tr), min(br)
            rows.append(dict(name=name, B=B, T=T, hidden=cfg.model.hidden, steps=n, gflop=fl/1e9, shaped=shaped, peak=peak,
                             tr_sps=n/tt, tr_data=td/tt, bare_sps=n/bt, bare_data=bd/bt))
        print(f"\n{'recipe':6s} {'batch':>9s} {'hidden':>6s} {'GFLOP/step':>10s} {'loop':>8s} {'steps/s':>8s} {'frames/s':>9s} "
              f"{'data %':>6s} {'GFLOP/s':>8s} {'mm shape':>8s} {'mm peak':>8s} {'of peak':>7s} {'trainer/bare':>12s}")
        for r in rows:
            for loop, sps, data in (('trainer', r['tr_sps'], r['tr_data']), ('bare', r['bare_sps'], r['bare_data'])):
                gfs = r['gflop'] * sps
                ratio = f"{r['tr_sps']/r['bare_sps']:12.2f}" if loop == 'trainer' else ''
                print(f"{r['name']:6s} {str(r['B'])+'x'+str(r['T']):>9s} {r['hidden']:6d} {r['gflop']:10.1f} {loop:>8s} {sps:8.2f} "
                      f"{sps*r['B']*r['T']:9.0f} {100*data:6.1f} {gfs:8.1f} {r['shaped']:8.1f} {r['peak']:8.1f} {gfs/r['peak']:7.0%} {ratio}")
        load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
        print(f"(load average {load:.2f} after timing; GFLOP/s of torch.mm, {'bf16' if device.type == 'cuda' else 'float32'}: "
              f"'mm shape' at the model's shapes, 'mm peak' the best of those and 2048 x 2048 x 2048)")
        head = '; '.join(f"{r['name']}: {r['tr_sps']:.2f} steps/s ({r['tr_sps']*r['B']*r['T']:.0f} frames/s), "
                         f"trainer/bare {r['tr_sps']/r['bare_sps']:.2f}, {r['gflop']*r['tr_sps']/r['peak']:.0%} of the matmul peak, "
                         f"data {100*r['tr_data']:.0f} %" for r in rows)
        print(f"\ntrain ({device.type}): {head}")
    finally:
        if not a.dir: shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__': main()

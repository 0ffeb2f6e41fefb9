"""Where does a model lose the words? Two probes on the demo checkpoint, judged by the recogniser's CER on the ARCTIC
readers' sentences (15 test sentences, and every third training sentence: 22).

1. Hybrids: the vocoder renders the true envelope of each recording with one part of it (some frames, or one band)
   replaced by the model's reconstruction. The part whose replacement raises the CER is where the words are lost.
   Also the envelope's error in dB per frequency bin over voiced frames, for the plot in the evaluation chapter.
2. Decoder probes: the encoder and codebooks frozen, the decoder (and speaker table) fine-tuned for 2000 steps under a
   changed objective: more of the same (control), no code jitter, equal bin weights, a loss on the envelope's slope
   across frequency, and the encoder's continuous output instead of the codes. Each is screened as `bench/quality.py`
   screens a variant (reconstruction and conversion CER, similarity to the target's recording). No post-filter anywhere.

    python bench/words.py [--only hybrid,control,...] [--results nbs/results/words.json]
    python bench/words.py --full 'continuous codes,control'   # those fine-tunes on the full 82-pair evaluation

3. With --full, the named decoder probes are judged as the demo checkpoint is (82 real held-out pairs, DNSMOS), with
   the checkpoint's cepstral post-filter, into the results file's 'full' entry (about 11 minutes each here).

Resumable: a probe already in the results file is not redone. About 30 minutes on 2 idle CPU cores.
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from speech2speech.checkpoints import load_checkpoint, model_from_checkpoint
from speech2speech.conversion import Converter
from speech2speech.data import FeatureCache
from speech2speech.evaluation import transcribe, error_rates, evaluate
from speech2speech.features import atomic_write, denormalize_features
from speech2speech.model import band_weights, masked_recon_loss, _jitter
from quality import caches, screen, screen_files, Unquantized, EVAL, by_source, load_shared, save_shared

DECODER_PROBES = {   # name: (fine-tuning options, what it tests)
    'control': (dict(), 'the same objective, 2000 more steps'),
    'no jitter': (dict(jitter=0.), 'the decoder may trust every code\'s timing (no code jitter)'),
    'equal bin weights': (dict(band='flat'), 'L1 with equal bin weights instead of the mel-weighted one'),
    'slope loss': (dict(fdelta=1.), '+ L1 on the envelope\'s slope across frequency (formant edges), weight 1'),
    'continuous codes': (dict(unquantized=True), 'the encoder\'s output before the codebook'),
}

class Hybrid(nn.Module):
    "A stand-in model: the true envelope, with the model's reconstruction where `rule(x, recon, f0)` is True."
    def __init__(self, model, rule): super().__init__(); self.model, self.rule = model, rule
    def encode(self, feats): return feats
    def decode(self, x, speaker, length=None, f0=None):
        r = self.model.decode(self.model.encode(x), speaker, length, f0)
        return torch.where(self.rule(x, r, f0), r, x)

def hybrid_rules(cfg) -> dict:
    "Which part of the envelope each hybrid takes from the reconstruction."
    hz = torch.arange(cfg.n_bins) * cfg.sr / cfg.n_fft
    band = lambda lo, hi: lambda x, r, f0: ((hz >= lo) & (hz < hi))[None, :, None].expand_as(x)
    level = lambda x: denormalize_features(x.float(), cfg).amax(1, keepdim=True)          # dB of each frame's peak
    loud = lambda x: level(x) > level(x).amax(-1, keepdim=True) - 30                       # within 30 dB of the loudest
    return {'none (true envelope)': lambda x, r, f0: torch.zeros_like(x, dtype=torch.bool),
            'all (reconstruction)': lambda x, r, f0: torch.ones_like(x, dtype=torch.bool),
            'voiced frames': lambda x, r, f0: (f0 > 0)[:, None].expand_as(x),
            'unvoiced frames': lambda x, r, f0: (f0 <= 0)[:, None].expand_as(x),
            'loud frames': lambda x, r, f0: loud(x).expand_as(x),
            'quiet frames': lambda x, r, f0: (~loud(x)).expand_as(x),
            'below 1 kHz': band(0, 1000), '1-3 kHz': band(1000, 3000), 'above 3 kHz': band(3000, 1e9)}

def sentences(cache_dir: Path) -> dict:
    "The screen's sentences (`screen_files`), test first: split -> [(speaker, recording, text)]."
    files = screen_files(cache_dir)
    return {split: [(spk, src, src.with_suffix('.txt').read_text()) for spk, src, *_ in files[split]] for split in ('test', 'train')}

def hybrids(conv, cache_dir: Path) -> dict:
    "CER of every hybrid (`hybrid_rules`) on the test and training sentences."
    sets, res = sentences(cache_dir), {}
    for name, rule in hybrid_rules(conv.features).items():
        c = Converter(Hybrid(conv.model, rule), conv.cfg, conv.speakers, f0_stats=conv.f0_stats)
        res[name] = {split: error_rates([t for *_, t in s], [transcribe(c.reconstruct(src, spk), c.sr) for spk, src, _ in s])['cer']
                     for split, s in sets.items()}
        print(f"hybrid {name:22s} test CER {res[name]['test']:.3f}  train {res[name]['train']:.3f}", flush=True)
    return res

@torch.no_grad()
def envelope_error(model, cache: FeatureCache) -> dict:
    "Mean |reconstruction - true envelope| in dB per bin over the voiced frames of the ARCTIC readers' utterances, by split."
    out = {}
    for split in ('train', 'test'):
        tot, n = torch.zeros(cache.cfg.n_bins), 0
        for u in [u for u in cache.split(split) if u.speaker.startswith('arctic_')]:
            x, f0 = torch.as_tensor(cache.features(u.id))[None].float(), torch.as_tensor(cache.f0(u.id))[None].float()
            r = model.decode(model.encode(x), torch.tensor([cache.speaker_id(u.speaker)]), x.shape[-1], f0).float()
            err = (denormalize_features(r, cache.cfg) - denormalize_features(x, cache.cfg)).abs()[0][:, f0[0] > 0]
            tot += err.sum(-1); n += err.shape[-1]
        out[split] = (tot / max(n, 1)).tolist()
    return out

def finetune_decoder(ckpt, cache: FeatureCache, steps: int = 2000, lr: float = 3e-4, jitter: float = 0.1,
                     band: str = 'mel', fdelta: float = 0., unquantized: bool = False, seed: int = 0) -> nn.Module:
    "The checkpoint's model with its decoder and speaker table fine-tuned on the training split's frozen codes."
    torch.manual_seed(seed); rng = np.random.default_rng(seed)
    ck = load_checkpoint(ckpt); model, _ = model_from_checkpoint(ck, ckpt); model.float().eval()
    data = []
    with torch.no_grad():
        for u in cache.split('train'):
            x, f0 = torch.as_tensor(cache.features(u.id)).float(), torch.as_tensor(cache.f0(u.id)).float()
            q = model.encoder(x[None])[0] if unquantized else model.quantizer.lookup(model.encode(x[None]))[0]
            data.append((q, x, f0, cache.speaker_id(u.speaker)))
    params = list(model.decoder.parameters()) + list(model.speakers.parameters())
    opt = torch.optim.AdamW(params, lr, betas=(0.9, 0.99), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + np.cos(np.pi * min(s, steps) / steps)))
    bw = band_weights(cache.cfg.n_bins, cache.cfg.sr / cache.cfg.n_fft if band == 'mel' else 0.)     # 0: equal weights
    model.decoder.train()
    for step in range(steps):
        qs, xs, fs, ss, ms, L = [], [], [], [], [], 128
        for i in rng.integers(len(data), size=16):                  # 16 random crops of 128 frames, as training does
            q, x, f, s = data[i]; T = x.shape[-1]; st = int(rng.integers(max(1, T - L + 1))); n = min(L, T - st)
            pad = lambda z: F.pad(z[..., st:st + n], (0, L - n))
            qs.append(pad(q)); xs.append(pad(x)); fs.append(pad(f)); ss.append(s); ms.append(torch.arange(L) < n)
        q, x, f, m = torch.stack(qs), torch.stack(xs), torch.stack(fs), torch.stack(ms); w = m[:, None].float()
        if jitter > 0: q = _jitter(q, jitter)
        y = model.decoder(q, model.speakers(torch.tensor(ss)), L, f)
        loss = masked_recon_loss(y, x, m, 'l1', bw)
        if fdelta: loss = loss + fdelta * ((y.diff(dim=1) - x.diff(dim=1)).abs() * w).sum() / (w.sum() * (x.shape[1] - 1))
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); sched.step()
    model.eval()
    return Unquantized(model) if unquantized else model     # (Unquantized is a plain wrapper: set eval first)

def full_evaluation(ckpt, cache: FeatureCache, name: str, out: Path, shared: dict) -> dict:
    """Decoder probe `name` judged as the demo checkpoint is: the 82 real held-out pairs with DNSMOS, through the
    checkpoint's post-filter. Codebook usage is counted on the unchanged encoder's codes."""
    t0 = time.time()
    conv = Converter.from_checkpoint(ckpt)
    conv.model = finetune_decoder(ckpt, cache, **DECODER_PROBES[name][0])
    conv.encode = Converter.from_checkpoint(ckpt).encode
    t1 = time.time()
    r = evaluate(conv, 'demo', out/f"full-{name.replace(' ', '-')}", progress=False, shared=shared, **EVAL)
    return dict(what=DECODER_PROBES[name][1], vocoder='source-filter', summary=r['summary'], finetune_seconds=t1 - t0,
                eval_seconds=time.time() - t1, by_source=by_source(r['rows']))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ckpt', default=None, help='checkpoint (default: the bundled demo)')
    ap.add_argument('--out', default='runs/words', help='where the feature cache goes')
    ap.add_argument('--only', default=None, help="comma-separated probes: 'hybrid' and/or names of DECODER_PROBES")
    ap.add_argument('--results', default='nbs/results/words.json')
    ap.add_argument('--full', default='', help='comma-separated DECODER_PROBES to judge on the full evaluation (82 pairs)')
    a = ap.parse_args()
    warnings.filterwarnings('ignore'); torch.set_num_threads(2)
    from speech2speech.conversion import demo_checkpoint
    ckpt = a.ckpt or str(demo_checkpoint())
    cache_dir = Path(caches(Path(a.out), ['envelope'])['envelope']); cache = FeatureCache(cache_dir)
    results = json.loads(Path(a.results).read_text()) if Path(a.results).exists() else {}
    save = lambda: atomic_write(a.results, json.dumps(results, indent=1))
    todo = a.only.split(',') if a.only else ['hybrid', *DECODER_PROBES]
    if a.full:
        shared = load_shared(Path(a.out))                               # the references' measurements, kept between runs
        for name in [n for n in a.full.split(',') if n not in results.get('full', {})]:
            results.setdefault('full', {})[name] = full_evaluation(ckpt, cache, name, Path(a.out), shared); save()
            save_shared(Path(a.out), shared)
            c = results['full'][name]['summary']['conversion']
            print(f"full {name}: CER {c['cer']:.3f} similarity {c['sim_target']:.3f} accept {c['accept']:.2f}", flush=True)
        return
    conv = Converter.from_checkpoint(ckpt, postfilter=None)
    if 'hybrid' in todo and 'hybrid' not in results:
        results['hybrid'] = dict(cer=hybrids(conv, cache_dir), envelope_error_db=envelope_error(conv.model, cache),
                                 bin_hz=cache.cfg.sr / cache.cfg.n_fft); save()
    if 'baseline' not in results.get('decoder', {}):
        results.setdefault('decoder', {})['baseline'] = dict(what='the checkpoint as it is', **screen(conv, cache_dir)); save()
    for name in [t for t in todo if t in DECODER_PROBES and t not in results['decoder']]:
        opts, what = DECODER_PROBES[name]; t0 = time.time()
        c = Converter.from_checkpoint(ckpt, postfilter=None); c.model = finetune_decoder(ckpt, cache, **opts)
        results['decoder'][name] = dict(what=what, options=opts, minutes=(time.time() - t0) / 60, **screen(c, cache_dir)); save()
        r = results['decoder'][name]
        print(f"decoder {name:18s} recon CER train {r['train_recon_cer']:.3f} test {r['test_recon_cer']:.3f}  "
              f"conversion CER {r['test_conv_cer']:.3f}  similarity {r['test_sim']:.3f}", flush=True)

if __name__ == '__main__': main()

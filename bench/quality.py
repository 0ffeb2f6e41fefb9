"""The quality ablation: which model, objective and vocoder make conversions of real speech intelligible and close to
the target? Every variant is trained on the bundled demo corpus with the same data, steps and seed, and judged on real
recordings it never saw: the test sentences of the real training voices (CMU ARCTIC readers, with transcripts and
parallel recordings; LibriSpeech readers) and the two real voices held out of training altogether.

    python bench/quality.py [--steps 3000] [--out runs/quality] [--only A,B] [--results nbs/results/quality.json]
    python bench/quality.py --screen --only F,K,L     # the quick screen (see `screen`), into nbs/results/screen.json
    python bench/quality.py --only F,K,P --figure nbs/images/bottleneck.jpg  # one test sentence converted by each
    python bench/quality.py --screen --only CTC,CTC0,CPC,CPC1   # objectives on the codes; the screen adds the reader's CER
    python bench/quality.py --only speech2speech/assets/demo.pt,runs/instnorm.pt --figure nbs/images/instnorm.jpg  # or by checkpoints
    python bench/quality.py --only P,S --bands speech2speech/assets/demo.pt   # band levels against the target's, into nbs/results/bands.json

Resumable: a finished training run or evaluation is not redone. Writes one JSON file of results (read by the
evaluation chapter) and prints a Markdown table. Run on an idle machine: about two hours on 2 CPU cores.
"""
import argparse, io, json, pickle, time, warnings
from pathlib import Path
import numpy as np, torch, scipy.signal, librosa
from speech2speech.features import FeatureConfig, atomic_write
from speech2speech.data import prepare, demo_corpus
from speech2speech.training import train, DEMO_RECIPE
from speech2speech.config import Config
from speech2speech.checkpoints import load_checkpoint, latest_checkpoint
from speech2speech.conversion import Converter
from speech2speech.evaluation import (evaluate, summarize, ablation_table, code_probe, transcribe, error_rates, cosine,
                                      speaker_embedding, screen_table, bands_table)
from speech2speech.features import load_audio, trim_silence

SMALL = ['model.n_codes=128', 'model.downsample=2']                  # the earlier demo recipe's bottleneck
LARGE = ['model.n_codes=512', 'model.downsample=1']                  # a code per frame, a bigger codebook
WINNER_F = LARGE + ['model.f0_input=true', 'model.jitter=0.1']      # variant F, the recipe of the shipped demo checkpoint
MEL_2VQ = WINNER_F + ['model.band_weight=mel', 'model.vq_stages=2']  # variant P: F + the mel-weighted loss + two codebooks
VARIANTS = {   # name: (feature kind, overrides, vocoder, what it tests; '~X' reuses X's checkpoint)
    'A': ('linear', SMALL + ['model.f0_input=false'], 'griffin-lim', 'spectrogram, no F0 (the earlier recipe)'),
    'B': ('linear', SMALL + ['model.f0_input=true'], 'griffin-lim', 'A + F0 to the decoder'),
    'B/sf': ('~B', None, 'source-filter', 'B heard through the source-filter vocoder'),
    'C': ('envelope', SMALL + ['model.f0_input=true'], 'source-filter', 'envelope features + F0, source-filter vocoder'),
    'D': ('envelope', LARGE + ['model.f0_input=true'], 'source-filter', 'C with a code per frame and 512 codes'),
    'D/gl': ('~D', None, 'griffin-lim', 'D heard through Griffin-Lim alone'),
    'E': ('envelope', LARGE + ['model.f0_input=true', 'data.warp=0.1'], 'source-filter', 'D + frequency-warp augmentation'),
    'F': ('envelope', WINNER_F, 'source-filter', 'D + code jitter'),
    'G': ('envelope', LARGE + ['model.f0_input=false'], 'source-filter', 'D without F0 to the decoder'),
    'H': ('envelope', ['model.n_codes=128', 'model.downsample=1', 'model.f0_input=true'], 'source-filter', 'C with a code per frame (128 codes)'),
    'I': ('envelope', ['model.n_codes=512', 'model.downsample=2', 'model.f0_input=true'], 'source-filter', 'C with 512 codes (a code per 2 frames)'),
    'J': ('envelope', WINNER_F + ['model.delta_weight=1.0'], 'source-filter', 'F + a loss on frame-to-frame changes (delta_weight 1)'),
    'L': ('envelope', WINNER_F + ['model.hidden=256', 'model.res_blocks=3', 'model.dilations=[1,3,9]'],
          'source-filter', 'F with a wider, deeper model (256 channels, 3 blocks, dilations 1, 3, 9)'),
    'K': ('envelope', WINNER_F + ['model.band_weight=mel'], 'source-filter',
          'F with the loss weighted by the mel scale (formants count more than the top octave)'),
    'M': ('envelope', WINNER_F + ['model.code_dim=16'], 'source-filter',
          'F with codes of 16 dimensions instead of 64 (a smaller space the codebook covers more evenly)'),
    'N': ('envelope', WINNER_F + ['model.vq_stages=2'], 'source-filter',
          'F with two codebooks in sequence (residual quantisation: 512 x 512 code vectors)'),
    'P': ('envelope', MEL_2VQ,
          'source-filter', 'K and N together: the mel-weighted loss and two codebooks'),
    'R': ('envelope', WINNER_F + ['model.band_weight=mel', 'model.vq_stages=3'],
          'source-filter', 'P with three codebooks'),
    'S': ('envelope', MEL_2VQ + ['model.adversary=0.1'],
          'source-filter', 'P with a speaker adversary on the codes (weight 0.1)'),
    'T': ('envelope', MEL_2VQ + ['model.adversary=1.0'],
          'source-filter', 'P with a speaker adversary on the codes (weight 1)'),
    'U': ('envelope', MEL_2VQ + ['model.adversary=0.03'],
          'source-filter', 'P with a speaker adversary on the codes (weight 0.03)'),
    'V': ('envelope', MEL_2VQ + ['model.adversary=0.3'],
          'source-filter', 'P with a speaker adversary on the codes (weight 0.3)'),
    'W': ('envelope', WINNER_F + ['model.band_weight=mel', 'model.vq_stages=3', 'model.adversary=0.1'],
          'source-filter', 'R (three codebooks) with the speaker adversary (weight 0.1)'),
    'X': ('envelope', MEL_2VQ + ['model.adversary=0.1', 'model.instance_norm=true'],
          'source-filter', 'S with an instance-normalised encoder (what is constant over an utterance cannot reach the codes)'),
    'Q': ('envelope', MEL_2VQ + ['model.adversary=0.03', 'model.instance_norm=true'],
          'source-filter', 'U with an instance-normalised encoder'),
    'Y': ('envelope', MEL_2VQ + ['model.instance_norm=true'],
          'source-filter', 'P with an instance-normalised encoder (instead of the adversary)'),
    'Z': ('envelope', WINNER_F + ['model.band_weight=mel', 'model.vq_stages=3', 'model.adversary=0.03', 'model.instance_norm=true'],
          'source-filter', 'R (three codebooks) with the light adversary (0.03) and an instance-normalised encoder'),
    'CTC': ('envelope', MEL_2VQ + ['model.adversary=0.1', 'model.ctc=0.1'],
            'source-filter', 'S (the demo recipe) with a character reader on the codes (CTC on transcribed utterances, weight 0.1)'),
    'CTC0': ('envelope', MEL_2VQ + ['model.adversary=0.1', 'model.ctc=0.1', 'model.reader_context=0'],
             'source-filter', 'CTC with a reader that reads every code alone (no context to memorise sentences with)'),
    'CPC': ('envelope', MEL_2VQ + ['model.adversary=0.1', 'model.cpc=0.1'],
            'source-filter', 'S (the demo recipe) with a contrastive loss on the codes (predict the next 1 to 6, weight 0.1)'),
    'CPC1': ('envelope', MEL_2VQ + ['model.adversary=0.1', 'model.cpc=0.01'], 'source-filter', 'CPC with a tenth of the weight (0.01)'),
}
POST = {}   # name: (variant whose checkpoint and vocoder it reuses, wrapper, what it tests); filled in below
class BandPass:
    "A converter whose conversions and reconstructions go through a band-pass post-filter (the original project's)."
    def __init__(self, conv, lo=80., hi=7000., order=4):
        self.conv, self.sos = conv, scipy.signal.butter(order, [lo, hi], 'bandpass', fs=conv.sr, output='sos')
    def __getattr__(self, k): return getattr(self.conv, k)
    def _f(self, w):
        return scipy.signal.sosfiltfilt(self.sos, w).astype(np.float32)
    def convert(self, *a, **kw): return self._f(self.conv.convert(*a, **kw))
    def reconstruct(self, *a, **kw): return self._f(self.conv.reconstruct(*a, **kw))

POST['F+bp'] = ('F', BandPass, 'F through the band-pass post-filter (80 Hz to 7 kHz)')

EVAL = dict(dnsmos=True, split='test+heldout', voices='real', per_source=2, sources_per_speaker=5, n_examples=2)

def recipe(overrides=()) -> Config:
    "The demo recipe's data, schedule and model size (without the winner's model settings), with `overrides` on top."
    return Config().override(DEMO_RECIPE + list(overrides))

def caches(out: Path, kinds) -> dict:
    "One feature cache of the demo corpus per feature kind, with the demo recipe's splits."
    cfg = recipe()
    return {k: prepare(demo_corpus(), out/f'cache-{k}', FeatureConfig(kind=k), cfg.data, n_workers=2, progress=False).out_dir
            for k in kinds}

def subset(rows, which):
    "Rows of one kind of source: 'arctic' (parallel, transcribed), 'libri' (test sentences), 'unseen' (held-out voices)."
    held = set(recipe().data.heldout_speakers)
    keep = {'arctic': lambda r: r['source_speaker'].startswith('arctic_'), 'unseen': lambda r: r['source_speaker'] in held,
            'libri': lambda r: r['source_speaker'].startswith('libri_') and r['source_speaker'] not in held}[which]
    return [r for r in rows if keep(r)]

def by_source(rows) -> dict:
    "`summarize` of each kind of source (see `subset`)."
    return {w: summarize(subset(rows, w)) for w in ('arctic', 'libri', 'unseen')}

def load_shared(out: Path) -> dict:
    "The references' measurements that `evaluate` keeps in `shared`, from earlier runs into `out` (empty if none)."
    f = out/'shared.pkl'
    return pickle.loads(f.read_bytes()) if f.exists() else {}

def save_shared(out: Path, shared: dict): (out/'shared.pkl').write_bytes(pickle.dumps(shared))

ARCTIC = ['arctic_clb', 'arctic_kathleen', 'arctic_slt']
def next_reader(speaker: str) -> str: return ARCTIC[(ARCTIC.index(speaker) + 1) % len(ARCTIC)]   # each ARCTIC voice's target

def arctic_ids(splits: dict, split: str) -> list[str]: return [u for u in splits[split] if u.rsplit('_', 1)[0] in ARCTIC]

def arctic_files(root: Path, u: str) -> tuple:
    "(reader, recording, next reader, the next reader's recording of the same sentence) of an ARCTIC utterance id."
    spk, n = u.rsplit('_', 1); tgt = next_reader(spk)
    return spk, root/spk/f'{u}.flac', tgt, root/tgt/f'{tgt}_{n}.flac'

class Unquantized:
    "A model whose decoder gets the encoder's continuous output: what the words would be without the codebook."
    def __init__(self, model): self.model = model
    def __getattr__(self, k): return getattr(self.model, k)
    def encode(self, feats): return self.model.encoder(feats)
    def decode(self, z, speaker, length=None, f0=None): return self.model.decoder(z, self.model.speakers(speaker), length, f0)

def run_dir(out: Path, name: str) -> Path:
    "Where variant `name` is trained (a '~X' variant reuses X's run)."
    kind = VARIANTS[name][0]
    return out/(kind[1:] if kind.startswith('~') else name)

def variant_converter(out: Path, name: str) -> Converter:
    """The converter of a trained variant (its vocoder), without the cepstral post-filter that newer checkpoints carry:
    the ablation compares models, and every row was measured without it (`bench/postfilter.py` ablates the post-filter)."""
    return Converter.from_checkpoint(latest_checkpoint(run_dir(out, name)), vocoder=VARIANTS[name][2], postfilter=None)

def screen_files(cache_dir: Path) -> dict:
    "The screen's sentences: split -> `arctic_files` of the ARCTIC readers' test sentences and of every third training one."
    root, splits = demo_corpus().root, json.loads((cache_dir/'splits.json').read_text())
    return {split: [arctic_files(root, u) for u in arctic_ids(splits, split)[::3 if split == 'train' else 1]] for split in ('train', 'test')}

def screen(conv, cache_dir: Path) -> dict:
    """A quick screen of a trained variant (about 2 minutes instead of 15): the CER of its reconstructions of the ARCTIC
    readers' test sentences (15) and of every third training sentence (about 22), and the CER and similarity to the
    target's parallel recording of each test sentence converted into the next ARCTIC reader."""
    res = {}
    for split, files in screen_files(cache_dir).items():
        refs, rec, cvt, sims = [], [], [], []
        for spk, src, tgt, tgt_rec in files:
            refs.append(src.with_suffix('.txt').read_text())
            rec.append(transcribe(conv.reconstruct(src, spk), conv.sr))
            if split == 'test':
                w = conv.convert(src, tgt, source_speaker=spk)
                cvt.append(transcribe(w, conv.sr))
                sims.append(cosine(speaker_embedding(w, conv.sr), speaker_embedding(load_audio(tgt_rec, conv.sr), conv.sr)))
        res[f'{split}_recon_cer'] = error_rates(refs, rec)['cer']
        if split == 'test':                                          # the same reconstructions without quantisation
            model, conv.model = conv.model, Unquantized(conv.model)
            try: res['test_recon_cer_unquantized'] = error_rates(refs, [transcribe(conv.reconstruct(src, spk), conv.sr) for spk, src, _, _ in files])['cer']
            finally: conv.model = model
        if cvt: res.update(test_conv_cer=error_rates(refs, cvt)['cer'], test_sim=float(np.mean(sims)), n_test=len(files))
    return res

def reader_cer(model, cache_dir: Path) -> dict:
    """How well a model's character reader (`ModelConfig.ctc`) reads the codes of the transcribed utterances (ARCTIC
    readers and synthetic voices) of the training and the test split: greedy CTC decoding against the transcript."""
    from speech2speech.data import FeatureCache, transcript_words
    from speech2speech.model import read_text
    cache, res = FeatureCache(cache_dir), {}
    for split in ('train', 'test'):
        utts = [u for u in cache.split(split) if transcript_words(u.text)]
        with torch.no_grad():
            hyps = [read_text(model.read(torch.as_tensor(cache.features(u.id))[None].float())[0]) for u in utts]
        res[f'reader_cer_{split}'] = error_rates([transcript_words(u.text) for u in utts], hyps)['cer']
    return res

BANDS = [(0, 1000), (1000, 2000), (2000, 4000), (4000, 6000), (6000, 8000)]   # Hz

def band_levels(wave: np.ndarray, sr: int = 16000) -> np.ndarray:
    "Mean power in each of `BANDS`, in dB relative to the whole spectrum's, over the frames of the trimmed wave."
    S = np.abs(librosa.stft(trim_silence(wave, sr, top_db=40), n_fft=1024, hop_length=256))**2
    f = np.arange(S.shape[0]) * sr / 1024
    return np.array([10*np.log10(S[(f >= a) & (f < b)].mean() / S.mean()) for a, b in BANDS])

def band_errors(conv, cache_dir: Path) -> dict:
    """Where a converter puts its energy: for each ARCTIC test sentence converted into the next reader, the band levels
    (`band_levels`) of the conversion and of the source minus those of the target's own recording of the sentence."""
    root, splits = demo_corpus().root, json.loads((cache_dir/'splits.json').read_text())
    d = {'source': [], 'conversion': []}
    for spk, src, tgt, tgt_rec in [arctic_files(root, u) for u in arctic_ids(splits, 'test')]:
        target = band_levels(load_audio(tgt_rec, conv.sr), conv.sr)
        d['source'].append(band_levels(load_audio(src, conv.sr), conv.sr) - target)
        d['conversion'].append(band_levels(conv.convert(src, tgt, source_speaker=spk), conv.sr) - target)
    return {k: dict(mean=np.mean(v, 0).tolist(), abs=np.abs(v).mean(0).tolist()) for k, v in d.items()} | {'n': len(d['source']), 'bands': BANDS}

def save_jpeg(fig, path: Path):
    "A figure as a JPEG, written atomically."
    buf = io.BytesIO(); fig.savefig(buf, format='jpeg', dpi=90, pil_kwargs=dict(quality=85)); atomic_write(path, buf.getvalue())

def figure(names: list[str], out: Path, path: Path, utt: str = 'arctic_kathleen_a0029'):
    """One test sentence converted by each variant in `names`, beside its source and the target's recording (PNG). A name
    that is not a variant is a checkpoint file, rendered as the `Converter` renders it (with its post-filter)."""
    import matplotlib; matplotlib.use('Agg')
    from speech2speech.conversion import plot_spectrograms
    from speech2speech.features import save_figure
    spk, src, tgt, tgt_rec = arctic_files(demo_corpus().root, utt)
    waves = {f'source ({spk})': load_audio(src)}
    for name in names:
        conv = variant_converter(out, name) if name in VARIANTS else Converter.from_checkpoint(name)
        waves[f'{name if name in VARIANTS else Path(name).stem} -> {tgt}'] = conv.convert(src, tgt, source_speaker=spk)
    waves[f'target ({tgt})'] = load_audio(tgt_rec)
    import matplotlib.pyplot as plt
    cols = (len(waves) + 1) // 2
    fig, axes = plt.subplots(2, cols, figsize=(3.3*cols, 5.4), sharey=True, squeeze=False)
    plot_spectrograms(waves, axes=axes)
    for ax in axes[:, 0]: ax.set_ylabel('kHz')
    fig.tight_layout()
    if path.suffix.lower() in ('.jpg', '.jpeg'): save_jpeg(fig, path)    # spectrograms: a tenth of the PNG's size
    else: save_figure(fig, path)
    print(f"wrote {path}")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--steps', type=int, default=3000); ap.add_argument('--out', default='runs/quality')
    ap.add_argument('--only', default=''); ap.add_argument('--results', default='', help='the JSON file of results (default nbs/results/quality.json; screen.json with --screen)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--quick', action='store_true', help='a smoke test: one source per voice, one target, no DNSMOS')
    ap.add_argument('--light', action='store_true', help='fewer pairs: one target per source, three sources per voice, no DNSMOS')
    ap.add_argument('--train-only', action='store_true', help='train the variants, evaluate none')
    ap.add_argument('--screen', action='store_true', help='train the variants and judge them by the quick `screen` only')
    ap.add_argument('--bands', default='', help='checkpoints (comma-separated, beside the --only variants) whose band levels to compare (default results file nbs/results/bands.json)')
    ap.add_argument('--figure', default='', help='draw one test sentence converted by the --only variants into this PNG')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out, res_file = Path(a.out), Path(a.results or f"nbs/results/{'screen' if a.screen else 'bands' if a.bands else 'quality'}.json")
    names = [n for n in VARIANTS if not a.only or n in a.only.split(',')]
    if a.bands:
        cache, res = caches(out, ['envelope'])['envelope'], {}
        for name in [n for n in a.only.split(',') if n in VARIANTS]: res[name] = band_errors(variant_converter(out, name), cache)
        for ck in a.bands.split(','): res[ck] = band_errors(Converter.from_checkpoint(ck), cache)
        atomic_write(res_file, json.dumps(res, indent=1))
        return print(bands_table(res))
    if a.figure: return figure(a.only.split(','), out, Path(a.figure))
    results = json.loads(res_file.read_text()) if res_file.exists() else {}
    shared = load_shared(out)
    cache = caches(out, sorted({VARIANTS[n][0] for n in names if not VARIANTS[n][0].startswith('~')}))
    def judge(name, conv, run, what, vocoder, sets):
        "Evaluate one converter on the real held-out speech and store its results."
        ck = load_checkpoint(latest_checkpoint(run))
        t0 = time.time()
        ev = (dict(EVAL, dnsmos=False, per_source=1, sources_per_speaker=1) if a.quick else
              dict(EVAL, dnsmos=False, per_source=1, sources_per_speaker=3) if a.light else EVAL)
        r = evaluate(conv, 'demo', out/name.replace('/', '-')/'eval', progress=False, shared=shared, **ev)
        save_shared(out, shared)
        rows = r['rows']
        results[name] = dict(what=what, kind=conv.cfg.features.kind, vocoder=vocoder, steps=int(ck['step']),
                             train_minutes=ck['train_seconds']/60, eval_seconds=time.time() - t0,
                             overrides=[] if sets is None else sets, summary=r['summary'],
                             by_source=by_source(rows),
                             val_loss=ck['metrics']['val'].get('recon_loss'))
        atomic_write(res_file, json.dumps(results, indent=1, default=float))
        print(f"{name}: evaluated in {time.time() - t0:.0f} s", flush=True)
    for name in names:
        kind, sets, vocoder, what = VARIANTS[name]
        run = run_dir(out, name)
        if not kind.startswith('~'):
            cfg = recipe(sets + ['run.progress=false'])
            t0 = time.time()
            ck = latest_checkpoint(run)
            if ck is None or load_checkpoint(ck)['step'] < a.steps:
                train(cfg, cache_dir=cache[kind], run_dir=run, steps=a.steps, resume=ck is not None)
            print(f"{name}: trained ({time.time() - t0:.0f} s this call)", flush=True)
        if a.train_only: continue
        if a.screen:
            done = name in results and results[name].get('steps') == a.steps
            reads = bool(sets) and recipe(sets).model.ctc > 0                  # a character reader: its CER is screened too
            if done and (not reads or 'reader_cer_test' in results[name]): continue
            conv = variant_converter(out, name)
            if not done:
                ck = load_checkpoint(latest_checkpoint(run))
                results[name] = dict(what=what, overrides=sets, steps=int(ck['step']), train_minutes=ck['train_seconds']/60,
                                     **screen(conv, cache[kind]))
            if reads: results[name].update(reader_cer(conv.model, cache[kind]))
            atomic_write(res_file, json.dumps(results, indent=1, default=float))
            print(name, results[name], flush=True)
            continue
        if name in results and results[name].get('steps') == a.steps: continue
        judge(name, variant_converter(out, name), run, what, vocoder, sets)
    if a.train_only: return
    if a.screen: return print(screen_table(results))
    for name, (base, wrap, what) in POST.items():                 # post-filters on a trained variant's conversions
        if (a.only and name not in a.only.split(',')) or (name in results and results[name].get('steps') == a.steps): continue
        judge(name, wrap(variant_converter(out, base)), out/base, what,
              VARIANTS[base][2], VARIANTS[base][1])
    for name in names:                                        # what the codes hold, for every trained variant
        kind = VARIANTS[name][0]
        if kind.startswith('~') or name not in results or 'probe' in results[name]: continue
        conv = Converter.from_checkpoint(latest_checkpoint(out/name))
        results[name]['probe'] = code_probe(conv.model, cache[kind])
        atomic_write(res_file, json.dumps(results, indent=1, default=float))
        print(f"{name}: codes probed {results[name]['probe']}", flush=True)
    print(ablation_table(results))

if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    main()

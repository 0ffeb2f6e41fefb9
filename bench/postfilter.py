"""The cepstral post-filter, ablated: the demo checkpoint's conversions of real held-out speech with its post-filter off,
at the gain stored in the checkpoint, and at half and one and a half times that gain (in the log domain: the gain raised
to the power 0.5 and 1.5). Judged as the evaluation chapter judges the demo checkpoint: the test sentences of the real
training voices and the two real voices held out of training, each source into two other real voices, every system
scored, with DNSMOS. The model-free systems (source, Griffin-Lim, target) are analysed once and shared.

    python bench/postfilter.py [--ckpt FILE] [--only off,shipped] [--results nbs/results/postfilter.json]
    python bench/postfilter.py --figure nbs/images/postfilter.jpg   # one test sentence converted with and without it

Resumable: a variant already in the results file is not redone. About 15 minutes a variant on 2 idle CPU cores.
"""
import argparse, json, tempfile, time, warnings
from pathlib import Path
import torch
from speech2speech.conversion import Converter
from speech2speech.evaluation import evaluate, summarize, ablation_table
from speech2speech.features import atomic_write
from quality import EVAL, subset, arctic_files, save_jpeg

POWERS = {'off': (None, 'no post-filter (the decoder\'s envelope as it comes)'),
          'shipped': (1.0, 'the gain stored in the checkpoint (real speech\'s formant contrast)'),
          'half': (0.5, 'half the gain (its square root)'),
          'one and a half': (1.5, 'one and a half times the gain (its power 1.5)')}

def converter(ckpt, power):
    "The checkpoint's converter with its post-filter's gain raised to `power` (None: no post-filter)."
    conv = Converter.from_checkpoint(ckpt)
    if conv.postfilter is None: raise SystemExit(f"{ckpt or 'the demo checkpoint'} has no post-filter: run training.add_postfilter on it first")
    conv.postfilter = None if power is None else conv.postfilter ** power
    return conv

def figure(ckpt, path: Path, utt: str = 'arctic_kathleen_a0029'):
    "One ARCTIC test sentence converted into the next reader with and without the post-filter, beside source and target."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    from speech2speech.conversion import plot_spectrograms
    from speech2speech.data import demo_corpus
    from speech2speech.features import load_audio
    spk, src, tgt, tgt_rec = arctic_files(demo_corpus().root, utt)
    waves = {f'source ({spk})': load_audio(src)}
    for name in ('off', 'shipped'): waves[f'-> {tgt}, post-filter {name}'] = converter(ckpt, POWERS[name][0]).convert(src, tgt, source_speaker=spk)
    waves[f'target ({tgt})'] = load_audio(tgt_rec)
    fig, axes = plt.subplots(2, 4, figsize=(14, 6), squeeze=False)
    for row in axes: plot_spectrograms(waves, axes=row)
    for ax in axes[1]: ax.set(xlim=(0.4, 1.4), ylim=(0, 4)); ax.set_title(ax.get_title() + ', detail', fontsize=9)   # where formants live
    for ax in axes[:, 0]: ax.set_ylabel('kHz')
    fig.tight_layout()
    save_jpeg(fig, path); print(f"wrote {path}")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--ckpt', default=None, help='checkpoint (default: the bundled demo)')
    ap.add_argument('--only', default='', help='comma-separated variants (default: all of ' + ', '.join(POWERS) + ')')
    ap.add_argument('--results', default='nbs/results/postfilter.json', help='the JSON file of results')
    ap.add_argument('--figure', default='', help='draw one test sentence converted with and without the post-filter into this JPEG')
    a = ap.parse_args()
    warnings.filterwarnings('ignore'); torch.set_num_threads(2)
    if a.figure: raise SystemExit(figure(a.ckpt, Path(a.figure)))
    res_file = Path(a.results)
    results = json.loads(res_file.read_text()) if res_file.exists() else {}
    shared = {}
    for name in [n for n in POWERS if not a.only or n in a.only.split(',')]:
        if name in results: continue
        power, what = POWERS[name]
        t0 = time.time()
        r = evaluate(converter(a.ckpt, power), 'demo', Path(tempfile.mkdtemp())/'eval', progress=False, shared=shared, **EVAL)
        results[name] = dict(what=what, power=power, vocoder='source-filter', summary=r['summary'], eval_seconds=time.time() - t0,
                             by_source={w: summarize(subset(r['rows'], w)) for w in ('arctic', 'libri', 'unseen')})
        atomic_write(res_file, json.dumps(results, indent=1, default=float))
        print(f"{name}: evaluated in {time.time() - t0:.0f} s", flush=True)
    print(ablation_table(results))

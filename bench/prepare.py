#!/usr/bin/env python
"""Corpus preparation throughput: speech2speech.data.prepare against a plain librosa loop, measured in one run.

Writes a VCTK-layout tree of synthetic speech-like audio in a temporary folder (default: 109 speakers x 10 utterances
of 3 s at 48 kHz, release-0.92 layout = 16-bit FLAC, mic1 only), then times the whole preparation of it:

  librosa loop     one process: librosa.load(sr=16000, res_type='soxr_hq') -> librosa.effects.trim(top_db=40)
                   -> librosa.stft -> amplitude_to_db -> np.save, per file (the obvious script; no stats, no manifest,
                   no splits, no checks), timed on the first --baseline-files files
  prepare (N)      speech2speech.data.prepare(tree, out, n_workers=N): listing the corpus, reading, resampling,
                   trimming, features, per-bin statistics, atomic writes, manifest, speaker index, splits

Throughput is seconds of audio (file durations) per second of wall time ("x real time"); "per core" divides by the
number of processes doing the work (min(workers, CPUs); 1 for the librosa loop). The wall time of prepare includes
everything it does in the main process (listing the corpus, the pool, merging, metadata), not only the workers.
"x per CPU s" divides by the CPU time instead (user + system, main process plus its workers), which other programs on
a shared machine disturb much less than wall time. `ratio` is a method's per-core throughput over the librosa loop's.
Each prepare runs into a fresh folder, after one small warm-up run (imports and librosa's lazy initialisation are not
counted). The last line is the headline: the best per-core figure of the worker counts run, labelled with its count.
Run on an idle machine:  python bench/prepare.py   (smoke run: --quick; other layouts: --layout 0.80 for 48 kHz WAV)
"""
import argparse, os, resource, shutil, tempfile, time
from pathlib import Path
import numpy as np

def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='smoke run: 4 speakers x 5 utterances')
    p.add_argument('--speakers', type=int, default=109)
    p.add_argument('--utts', type=int, default=10, help='utterances per speaker')
    p.add_argument('--secs', type=float, default=3.0, help='seconds per utterance (mean; lengths vary +-20%%)')
    p.add_argument('--sr', type=int, default=48000, help='sample rate of the generated files')
    p.add_argument('--layout', default='0.92', choices=['0.80', '0.92'], help="VCTK layout ('0.92': FLAC, '0.80': WAV)")
    p.add_argument('--workers', default='1,2', help='comma-separated worker counts')
    p.add_argument('--baseline-files', type=int, default=150, help='files timed for the librosa loop (0: skip it)')
    p.add_argument('--dir', default=None, help='work folder (default: a temporary folder, deleted afterwards)')
    a = p.parse_args()
    if a.quick: a.speakers, a.utts, a.baseline_files = 4, 5, 20
    a.workers = [int(w) for w in a.workers.split(',')]
    return a

def librosa_loop(paths, out):
    "The obvious single-process script, for reference."
    import librosa
    out.mkdir(parents=True, exist_ok=True)
    for i, p in enumerate(paths):
        y, _ = librosa.load(p, sr=16000, res_type='soxr_hq')
        y, _ = librosa.effects.trim(y, top_db=40, frame_length=1024, hop_length=256)
        S = librosa.amplitude_to_db(np.abs(librosa.stft(y, n_fft=1024, hop_length=256)), ref=1.0, amin=1e-5, top_db=None)
        np.save(out/f'{i}.npy', S.astype(np.float32))

def cpu_seconds() -> float:
    "User + system CPU seconds of this process and its finished children."
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

def main():
    a = parse()
    import torch
    from speech2speech.data import make_vctk_tree, load_corpus, prepare
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    work = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix='s2s_bench_prepare_'))
    try:
        t = time.perf_counter()
        tree = make_vctk_tree(work/'vctk', a.layout, a.speakers, a.utts, a.secs, a.sr, mics=('mic1',), seed=0)
        corpus = load_corpus(tree)
        audio = corpus.seconds
        desc = f'{a.speakers} spk x {a.utts} utt x {a.secs:g} s'
        print(f'corpus: VCTK {a.layout} layout, {desc} at {a.sr} Hz = {len(corpus)} files, {audio/60:.1f} min '
              f'(generated in {time.perf_counter() - t:.1f} s); {ncpu} CPUs, torch {torch.__version__}')
        # warm-up (imports, librosa's lazy resampler set-up) on a tiny tree
        small = make_vctk_tree(work/'small', a.layout, 2, 2, 1., a.sr, mics=('mic1',), seed=1)
        prepare(small, work/'small_out', n_workers=max(a.workers), progress=False)
        rows = []
        if a.baseline_files:
            paths = [u.path for u in corpus.utterances[:a.baseline_files]]
            secs = sum(u.duration for u in corpus.utterances[:a.baseline_files])
            librosa_loop(paths[:2], work/'lib_warm')
            c, t = cpu_seconds(), time.perf_counter(); librosa_loop(paths, work/'lib')
            wall, cpu = time.perf_counter() - t, cpu_seconds() - c
            rows.append(('librosa loop', 1, len(paths), wall, secs/wall, secs/wall, secs/cpu))
        for w in a.workers:
            out = work/f'out{w}'
            shutil.rmtree(out, ignore_errors=True)
            c, t = cpu_seconds(), time.perf_counter(); r = prepare(tree, out, n_workers=w, progress=False)
            wall, cpu = time.perf_counter() - t, cpu_seconds() - c   # the pool's workers have exited: counted
            assert r.n_ok == len(corpus) and r.n_bad == 0, r
            rows.append(('prepare', w, len(corpus), wall, audio/wall, audio/wall/max(1, min(w, ncpu)), audio/cpu))
        base = rows[0][5] if a.baseline_files else None
        print(f"\n{'method':14s} {'workers':>7s} {'files':>6s} {'wall s':>8s} {'x real time':>12s} {'x per core':>11s} "
              f"{'x per CPU s':>12s} {'ratio':>6s}")
        for name, w, n, wall, x, xc, xcpu in rows:
            print(f"{name:14s} {w:7d} {n:6d} {wall:8.2f} {x:12.0f} {xc:11.0f} {xcpu:12.0f} {(xc/base if base else float('nan')):6.2f}")
        prep = [r for r in rows if r[0] == 'prepare']
        name, w, n, wall, x, xc, xcpu = max(prep, key=lambda r: r[5])
        others = '; '.join(f'{r[1]} worker{"s" if r[1] != 1 else ""}: {r[5]:.0f}x per core, {r[4]:.0f}x in total' for r in prep if r[1] != w)
        print(f'\nprepare: {xc:.0f}x real time per core (best of {len(prep)}: {w} worker{"s" if w != 1 else ""}, {x:.0f}x in total'
              f'{"; " + others if others else ""}; {desc}; {xcpu:.0f}x per CPU second)')
    finally:
        if not a.dir: shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()

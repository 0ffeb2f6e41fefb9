#!/usr/bin/env python
"""Griffin-Lim: speech2speech.griffinlim (torch) against librosa.griffinlim, measured side by side in one run.

Batches of 1 and 16 utterances of 3 s at 16 kHz (demo-corpus speech, consecutive sentences of one voice joined and
cut to 3 s; synthetic vowels if the corpus is missing), n_fft=1024, hop=256, Hann window, fast Griffin-Lim with
momentum 0.99, torch limited to 2 threads (librosa's NumPy FFT is single-threaded). Methods:

  librosa       librosa.griffinlim on the (B, F, T) batch (its multichannel path), random initial phase
  ours          speech2speech.griffinlim.griffin_lim on the batch, default initial phase (PGHI, included in the time)
  ours random   the same from random phase (the per-round cost without the PGHI head start)
  FFT floor     one torch.fft.rfft and one torch.fft.irfft of every frame per round, nothing else

Times are the best of the repeats, taken round-robin after a warm-up (the best is the least disturbed by other
processes on a shared machine). SC is the spectral convergence in dB (mean over the batch; lower is better).
"Equal SC" rows: the fewest rounds of ours (from PGHI) whose SC is at least as good as librosa's with 32 / 100
rounds, timed, against librosa's time for its 32 / 100 rounds.
The last line is the headline: the speed-up over librosa-32 at equal spectral convergence for the largest batch.
Run on an idle machine:  python bench/griffinlim.py   (smoke run: --quick)
On a busy shared machine torch's OpenMP threads spin-wait at every parallel op and lose their time slices to other
processes, which can make any multi-threaded torch timing erratic (seconds instead of milliseconds); there, compare
with --threads 1, or run with OMP_WAIT_POLICY=PASSIVE.
"""
import argparse, glob, os, time
import numpy as np

def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='smoke run: batches of 1 and 4, 32 rounds only, one repeat')
    p.add_argument('--batches', type=int, nargs='+', default=[1, 16], help='batch sizes')
    p.add_argument('--iters', type=int, nargs='+', default=[32, 100], help='librosa round counts')
    p.add_argument('--secs', type=float, default=3.0, help='seconds per utterance')
    p.add_argument('--threads', type=int, default=2, help='torch intra-op threads')
    p.add_argument('--repeats', type=int, default=3, help='timed repeats per method')
    a = p.parse_args()
    if a.quick: a.batches, a.iters, a.repeats = [1, 4], [32], 1
    return a

def load_utterances(n, secs, sr=16000):
    "n waveforms of exactly `secs` seconds: demo-corpus sentences of one voice joined, else synthetic vowels."
    import speech2speech
    from speech2speech.features import load_audio
    from speech2speech.griffinlim import synthetic_vowel
    L = int(secs * sr)
    root = os.path.join(os.path.dirname(speech2speech.__file__), 'demo_corpus')
    voices = sorted(d for d in glob.glob(os.path.join(root, '*')) if os.path.isdir(d))
    out = []
    for i in range(n):
        if voices:
            files = sorted(glob.glob(os.path.join(voices[i % len(voices)], '*.flac')))
            k, parts, got = i // len(voices), [], 0
            while got < L:
                w = load_audio(files[k % len(files)], sr=sr); parts.append(w); got += len(w); k += 1
            out.append(np.concatenate(parts)[:L])
        else: out.append(synthetic_vowel(sr, secs, f0=100 + 12*i, seed=i))
    return np.stack(out).astype(np.float32), ('demo corpus' if voices else 'synthetic vowels')

def timeit(fns, repeats):
    "Best-of-`repeats` seconds and the last result per function, timed round-robin."
    res = {k: f() for k, f in fns.items()}                      # warm-up
    ts = {k: [] for k in fns}
    for _ in range(repeats):
        for k, f in fns.items():
            t = time.perf_counter(); res[k] = f(); ts[k].append(time.perf_counter() - t)
    return {k: float(np.min(v)) for k, v in ts.items()}, res

def main():
    a = parse()
    import torch, librosa
    from speech2speech.features import FeatureConfig, stft_magnitude
    from speech2speech.griffinlim import griffin_lim, spectral_convergence
    torch.set_num_threads(a.threads)
    cfg = FeatureConfig()
    waves, source = load_utterances(max(a.batches), a.secs)
    n = waves.shape[1]
    print(f"{source}, {a.secs:g} s at {cfg.sr} Hz, n_fft={cfg.n_fft} hop={cfg.hop}, torch {torch.__version__} "
          f"({a.threads} threads), librosa {librosa.__version__}, best of {a.repeats}")

    def sc(S, y): return float(spectral_convergence(S, torch.as_tensor(y), cfg).mean())
    def lib(S, it): return librosa.griffinlim(S.numpy(), n_iter=it, hop_length=cfg.hop, n_fft=cfg.n_fft, window=cfg.window,
                                              center=True, pad_mode='constant', length=n, random_state=0, momentum=0.99)
    def floor(frames, it):
        for _ in range(it): torch.fft.irfft(torch.fft.rfft(frames, dim=-1), n=cfg.n_fft, dim=-1)

    hdr = f"{'batch':>5} {'rounds':>6}  {'method':<20} {'time s':>8} {'SC dB':>7} {'vs librosa':>10} {'/ floor':>8}"
    print(hdr); print('-' * len(hdr))
    equal = {}                                                     # (batch, librosa rounds) -> (speed-up, our rounds)
    for B in a.batches:
        S = stft_magnitude(torch.from_numpy(waves[:B]), cfg)
        frames = torch.randn(B, S.shape[-1], cfg.n_fft)
        L = [n] * B
        _, hist = griffin_lim(S, cfg, max(a.iters), lengths=L, history=True)   # SC after every round, from PGHI
        curve = hist.mean(1).numpy()
        for it in a.iters:
            t, r = timeit({'librosa': lambda: lib(S, it),
                           'ours': lambda: griffin_lim(S, cfg, it, lengths=L),
                           'ours random': lambda: griffin_lim(S, cfg, it, init='random', lengths=L),
                           'floor': lambda: floor(frames, it)}, a.repeats)
            sc_lib = sc(S, r['librosa'])
            rows = [('librosa', it, t['librosa'], sc_lib, None),
                    ('ours (PGHI start)', it, t['ours'], sc(S, r['ours']), t['floor']),
                    ('ours (random start)', it, t['ours random'], sc(S, r['ours random']), t['floor']),
                    ('FFT floor', it, t['floor'], None, t['floor'])]
            need = next((k for k, v in enumerate(curve) if v <= sc_lib), None)   # fewest rounds reaching librosa's SC
            if need is not None:
                e, _ = timeit({'ours': lambda: griffin_lim(S, cfg, need, lengths=L), 'floor': lambda: floor(frames, need)}, a.repeats)
                rows.append(('ours, equal SC', need, e['ours'], float(curve[need]), e['floor']))
                equal[B, it] = (t['librosa'] / e['ours'], need)
            for name, k, tt, s, fl in rows:
                print(f"{B:>5} {k:>6}  {name:<20} {tt:>8.3f} {'' if s is None else f'{s:.2f}':>7} "
                      f"{t['librosa']/tt:>9.1f}x {'' if fl is None else f'{tt/fl:.1f}x':>8}")
            if need is None: print(f"{B:>5} {'':>6}  ours did not reach librosa-{it}'s SC within {max(a.iters)} rounds")
        print('-' * len(hdr))
    B, it = max(a.batches), (32 if 32 in a.iters else a.iters[0])
    if (B, it) not in equal:
        print(f"griffin-lim: no equal-SC comparison (ours did not reach librosa-{it}'s SC)"); return
    ratio, need = equal[B, it]
    print(f"equal SC: {need} rounds of ours from PGHI match librosa's {it} rounds from random phase")
    print(f"griffin-lim: {ratio:.1f}x librosa at equal spectral convergence ({B} x {a.secs:g} s, {a.threads} threads)")

if __name__ == '__main__': main()

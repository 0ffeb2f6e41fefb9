#!/usr/bin/env python
"""Batch feature extraction: speech2speech (torch) against librosa, measured side by side in one run.

16 utterances of 3 s at 16 kHz (noise-like speech stand-ins, seeded), n_fft=1024, hop=256, dB compression, for
linear-magnitude and 80-band mel features. Methods, timed round-robin (best of the repeats, after a warm-up; the best
is the least disturbed by other processes on a shared machine):

  librosa loop    librosa.stft (+ melspectrogram) + amplitude/power_to_db, one call per utterance
  librosa batch   the same, one call on the (16, T) array (librosa's multichannel path); for mel the filterbank
                  is built once outside the timing and applied as a matmul (melspectrogram rebuilds it per call)
  torch.stft      plain torch: torch.stft -> complex abs -> (mel matmul) -> 20/10*log10, the obvious port
  speech2speech   speech2speech.features.compute_features on the padded (16, T) batch

The ratio column is the time of the faster librosa variant divided by the method's time (higher = faster).
`max|diff|` is the largest absolute difference in dB from the librosa loop's features.
The last line is the headline: the linear-feature speed-up of compute_features over librosa.
Run on an idle machine:  python bench/features.py   (smoke run: --quick)
"""
import argparse, time
import numpy as np

def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='smoke run: 2 utterances of 1 s, few repeats')
    p.add_argument('--n', type=int, default=16, help='utterances in the batch')
    p.add_argument('--secs', type=float, default=3.0, help='seconds per utterance')
    p.add_argument('--threads', type=int, default=2, help='torch intra-op threads (librosa/numpy FFT is single-threaded)')
    p.add_argument('--repeats', type=int, default=15, help='timed repeats per method')
    p.add_argument('--cuda', action='store_true', help='also time compute_features on the GPU (if one is present)')
    a = p.parse_args()
    if a.quick: a.n, a.secs, a.repeats = 2, 1.0, 3
    return a

def make_batch(n, secs, sr=16000, seed=0):
    "Speech-like stand-ins: harmonic tones with vibrato and a noise burst, different per utterance."
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr*secs))/sr
    out = []
    for i in range(n):
        f0 = rng.uniform(90, 250) * (1 + 0.05*np.sin(2*np.pi*rng.uniform(2, 6)*t))
        ph = 2*np.pi*np.cumsum(f0)/sr
        x = sum(np.sin(k*ph)/k for k in range(1, 12)) * (0.5 + 0.5*np.sin(2*np.pi*rng.uniform(1, 3)*t))**2
        x += 0.05*rng.standard_normal(len(t))
        out.append(0.3*x/np.abs(x).max())
    return np.stack(out).astype(np.float32)

def as_np(r):
    "A method's result as one NumPy array (lists of per-utterance arrays are stacked)."
    if isinstance(r, list): r = np.stack(r)
    return r.detach().cpu().numpy() if hasattr(r, 'detach') else np.asarray(r)

def timeit(fns, repeats, sync=lambda: None):
    "Best-of-`repeats` seconds per function, timed round-robin so that machine noise hits all methods alike."
    for f in fns.values(): f(); sync()
    ts = {k: [] for k in fns}
    for _ in range(repeats):
        for k, f in fns.items():
            t = time.perf_counter(); f(); sync(); ts[k].append(time.perf_counter() - t)
    return {k: float(np.min(v)) for k, v in ts.items()}

def main():
    a = parse()
    import torch, librosa
    from speech2speech.features import FeatureConfig, compute_features
    torch.set_num_threads(a.threads)
    Y = make_batch(a.n, a.secs)
    X = torch.from_numpy(Y)
    win = torch.hann_window(1024)
    rows, headline = [], None
    for kind in ['linear', 'mel']:
        cfg = FeatureConfig(kind=kind)
        mel = librosa.filters.mel(sr=16000, n_fft=1024, n_mels=80)
        tmel = torch.from_numpy(mel)
        def lib(y):
            if kind == 'linear':
                S = np.abs(librosa.stft(y, n_fft=1024, hop_length=256, pad_mode='constant'))
                return librosa.amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=None)
            P = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=1024, hop_length=256, n_mels=80, pad_mode='constant')
            return librosa.power_to_db(P, ref=1.0, amin=1e-10, top_db=None)
        def lib_batch(Y):
            "One librosa call on the whole batch; for mel, the filterbank is built once and applied with a matmul."
            if kind == 'linear': return lib(Y)
            P = np.abs(librosa.stft(Y, n_fft=1024, hop_length=256, pad_mode='constant'))**2
            return librosa.power_to_db(mel @ P, ref=1.0, amin=1e-10, top_db=None)
        def plain_torch(x):
            m = torch.stft(x, 1024, 256, window=win, center=True, pad_mode='constant', return_complex=True).abs()
            if kind == 'linear': return 20*torch.log10(m.clamp_min(1e-5))
            return 10*torch.log10((tmel @ m**2).clamp_min(1e-10))
        fns = {'librosa loop': lambda: [lib(y) for y in Y],
               'librosa batch': lambda: lib_batch(Y),
               'torch.stft': lambda: plain_torch(X),
               'speech2speech': lambda: compute_features(X, cfg)}
        ts = timeit(fns, a.repeats)
        ref = np.stack(fns['librosa loop']())
        outs = {k: as_np(f()) for k, f in fns.items()}
        if a.cuda and torch.cuda.is_available():
            Xc = X.cuda()
            tc = timeit({'speech2speech cuda': lambda: compute_features(Xc, cfg)}, a.repeats, torch.cuda.synchronize)
            ts.update(tc); outs['speech2speech cuda'] = compute_features(Xc, cfg).cpu().numpy()
        best_lib = min(ts['librosa loop'], ts['librosa batch'])
        for k, t in ts.items():
            rows.append((kind, k, t*1000, best_lib/t, float(np.abs(outs[k] - ref).max())))
        if kind == 'linear': headline = best_lib/ts['speech2speech']
    print(f"features bench: {a.n} utterances x {a.secs:g} s at 16 kHz, n_fft=1024, hop=256, dB; "
          f"torch.set_num_threads({a.threads}), torch {torch.__version__}, librosa {librosa.__version__}, "
          f"best of {a.repeats} round-robin repeats")
    print(f"{'features':8} {'method':20} {'time ms':>9} {'vs librosa':>11} {'max|diff| dB':>13}")
    for kind, k, ms, r, d in rows: print(f"{kind:8} {k:20} {ms:9.2f} {r:10.2f}x {d:13.2e}")
    print(f"features: torch batch {headline:.1f}x librosa (linear, {a.n} x {a.secs:g} s, {a.threads} threads)")

if __name__ == '__main__': main()

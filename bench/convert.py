"""Real-time factor of voice conversion on CPU: processing time / audio duration, and where the time goes.

    python bench/convert.py [--threads 2] [--repeats 3] [--quick] [--ckpt PATH] [--vocoder source-filter|griffin-lim]

Inputs are held-out demo sentences (3 s) and a 60 s recording made of demo sentences back to back, converted with the
bundled demo checkpoint through `Converter.convert` itself, which times its own stages (`Converter.timings`): F0
tracking, features + model (encode, map the F0, decode), the source's aperiodicity and the vocoder. The references are
measured in the same run: the same model followed by
librosa.griffinlim (32 rounds, the plain approach) and by WORLD's synthesis (`pyworld.synthesize`, the classic
source-filter vocoder) of the same envelope and F0. Run on an idle machine.
"""
import argparse, time
import numpy as np, torch, librosa
from speech2speech.conversion import Converter, demo_sentences, chunk_spans, map_f0, _pad_stack
from speech2speech.features import (load_audio, compute_features, features_to_magnitude, n_frames, f0_track, log_f0_stats,
                                    denormalize_features, decompress_features, sharpen, _pyworld)

def best_of(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--quick', action='store_true'); ap.add_argument('--ckpt', default=None)
    ap.add_argument('--vocoder', default=None); ap.add_argument('--n-iter', type=int, default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    conv = Converter.from_checkpoint(a.ckpt, vocoder=a.vocoder, n_iter=a.n_iter)
    utts = demo_sentences(conv, per_speaker=3)
    waves = [load_audio(u.path) for u in utts]
    three = np.concatenate(waves)[:3*conv.sr]
    sixty = np.resize(np.concatenate(waves), (20 if a.quick else 60)*conv.sr).astype(np.float32)
    target = conv.speakers[-1]
    conv.convert(three, target, sr=conv.sr)   # warm-up
    fc, rows = conv.features, []
    for name, w in [('3 s', three), (f'{len(sixty)//conv.sr} s', sixty)]:
        dur = len(w)/conv.sr
        runs = []
        for _ in range(a.repeats):                 # the real method, its stages timed by the Converter itself
            conv.timings = {}
            t0 = time.perf_counter(); conv.convert(w, target, sr=conv.sr); runs.append((time.perf_counter() - t0, conv.timings))
        conv.timings = None
        total, st = min(runs, key=lambda r: r[0])
        t_f0, t_model, t_ap, t_voc = (st.get(k, 0.) for k in ('f0', 'model', 'aperiodicity', 'vocoder'))
        spans = chunk_spans(len(w), conv.chunk, conv.overlap)
        chunks = [w[s:e] for s, e in spans]; lengths = [len(c) for c in chunks]
        f0s = [f0_track(c, fc) for c in chunks]
        batch = _pad_stack(chunks, max(lengths)); f0 = _pad_stack(f0s, n_frames(max(lengths), fc))
        spk = torch.full((len(chunks),), conv.speaker_id(target))
        with torch.no_grad():                      # the model's output, as input to the other vocoders compared below
            f = compute_features(batch, fc, f0=f0)
            g = map_f0(f0, log_f0_stats(f0s), conv.f0_stats.get(target))
            feats = conv.model.decode(conv.model.encode(f), spk, length=f.shape[-1], f0=g)
            mag = (features_to_magnitude(feats, fc) if fc.kind != 'envelope' else
                   decompress_features(denormalize_features(feats, fc), fc).sqrt()).numpy()
        t_pf = best_of(lambda: sharpen(feats, conv.postfilter, fc), a.repeats) if conv.postfilter is not None else 0.   # inside `model s`
        t_gl = best_of(lambda: [librosa.griffinlim(m[:, :n_frames(len(c), fc)], n_iter=32, hop_length=fc.hop, n_fft=fc.n_fft,
                                                   window=fc.window, length=len(c), momentum=0.99, init='random', random_state=0)
                                for m, c in zip(mag, chunks)], 1 if a.quick else a.repeats)
        pw = _pyworld()
        def world():
            for m, c, f in zip(mag, chunks, g.numpy()):
                k = n_frames(len(c), fc)
                sp = np.ascontiguousarray((m[:, :k]**2).T, dtype=np.float64)
                ap = np.where(f[:k, None] > 0, 0.05, 1.0) * np.ones_like(sp)
                pw.synthesize(np.ascontiguousarray(f[:k], dtype=np.float64), sp, ap, fc.sr, 1000*fc.hop/fc.sr)
        t_world = best_of(world, 1 if a.quick else a.repeats)
        rows.append((name, dur, total, t_f0, t_model, t_ap, t_voc, t_gl, t_world, t_pf))
    print(f"convert: CPU, {a.threads} threads, {conv.vocoder} vocoder, {conv.n_iter or 'default'} Griffin-Lim rounds, "
          f"{fc.kind} features, F0 by {fc.f0_method}, checkpoint with {len(conv.speakers)} voices")
    print(f"{'input':>6} | {'total s':>8} | {'x real time':>11} | {'F0 s':>6} | {'model s':>8} | {'aperiodicity s':>14} | {'vocoder s':>9} | "
          f"{'model + librosa GL32: x RT':>26} | {'model + WORLD synthesis: x RT':>29}")
    for name, dur, total, tf, tm, ta, tv, tg, tw, _ in rows:
        print(f"{name:>6} | {total:8.3f} | {dur/total:10.1f}x | {tf:6.3f} | {tm:8.3f} | {ta:14.3f} | {tv:9.3f} | "
              f"{dur/(tf + tm + tg):25.1f}x | {dur/(tf + tm + tw):28.1f}x")
    name, dur, total, tf, tm, ta, tv, tg, tw, tp = rows[-1]
    print(f"convert: {dur/total:.1f}x faster than real time ({name} input, {a.threads} threads); vocoder {dur/tv:.0f}x real time "
          f"vs librosa Griffin-Lim {dur/tg:.0f}x ({tg/tv:.1f}x) and WORLD synthesis {dur/tw:.0f}x ({tw/tv:.1f}x); F0 tracking {100*tf/total:.0f}%, aperiodicity {100*ta/total:.0f}% and the post-filter {100*tp/total:.1f}% of the time")

if __name__ == '__main__':
    main()

"""Real-time factor of voice conversion on CPU: processing time / audio duration, split into model and Griffin-Lim.

    python bench/convert.py [--threads 2] [--n-iter 32] [--repeats 3] [--quick]

Inputs are held-out demo sentences (3 s) and a 60 s recording made of demo sentences back to back, converted with the
bundled demo checkpoint. The reference is the plain approach measured in the same run: the same model, then
librosa.griffinlim with the same iteration count on the whole recording. Run on an idle machine.
"""
import argparse, time
import numpy as np, torch, librosa
from speech2speech.conversion import Converter, demo_sentences, chunk_spans
from speech2speech.features import load_audio, compute_features, features_to_magnitude, n_frames
from speech2speech.griffinlim import magnitude_to_wave

def best_of(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--n-iter', type=int, default=32)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--quick', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    conv = Converter.from_checkpoint(n_iter=a.n_iter)
    utts = demo_sentences(conv, per_speaker=3)
    waves = [load_audio(u.path) for u in utts]
    three = np.concatenate(waves)[:3*conv.sr]
    sixty = np.resize(np.concatenate(waves), (20 if a.quick else 60)*conv.sr).astype(np.float32)
    target = conv.speakers[-1]
    conv.convert(three, target, sr=conv.sr)   # warm-up
    rows = []
    for name, w in [('3 s', three), (f'{len(sixty)//conv.sr} s', sixty)]:
        dur = len(w)/conv.sr
        total = best_of(lambda: conv.convert(w, target, sr=conv.sr), a.repeats)
        # the same work, stage by stage, on the same chunks
        spans = chunk_spans(len(w), conv.chunk, conv.overlap)
        chunks = [w[s:e] for s, e in spans]
        batch = torch.zeros(len(chunks), max(map(len, chunks)))
        for i, c in enumerate(chunks): batch[i, :len(c)] = torch.from_numpy(c)
        spk = torch.full((len(chunks),), conv.speaker_id(target))
        with torch.no_grad():
            def model_stage():   # features -> codes -> target-voice features, as Converter.render does
                f = compute_features(batch, conv.features)
                return conv.model.decode(conv.model.encode(f), spk, length=f.shape[-1])
            t_model = best_of(model_stage, a.repeats)
            feats = model_stage()
            t_gl = best_of(lambda: magnitude_to_wave(feats, conv.features, n_iter=a.n_iter, lengths=[len(c) for c in chunks]), a.repeats)
            mag = features_to_magnitude(feats, conv.features).numpy()
        fc = conv.features
        t_ref = best_of(lambda: [librosa.griffinlim(m[:, :n_frames(len(c), fc)], n_iter=a.n_iter, hop_length=fc.hop, n_fft=fc.n_fft, window=fc.window,
                                                    length=len(c), momentum=0.99, init='random', random_state=0)
                                 for m, c in zip(mag, chunks)], 1 if a.quick else a.repeats)
        rows.append((name, dur, total, t_model, t_gl, t_model + t_ref))
    print(f"convert: CPU, {a.threads} threads, {a.n_iter} Griffin-Lim iterations, demo checkpoint ({len(conv.speakers)} voices)")
    print(f"{'input':>6} | {'total s':>8} | {'RTF':>7} | {'x real time':>11} | {'model s':>8} | {'griffin-lim s':>13} | {'plain (model + librosa GL) RTF':>30}")
    for name, dur, total, tm, tg, tref in rows:
        print(f"{name:>6} | {total:8.3f} | {total/dur:7.4f} | {dur/total:10.1f}x | {tm:8.3f} | {tg:13.3f} | {tref/dur:30.4f}")
    name, dur, total, tm, tg, tref = rows[-1]
    print(f"convert: {dur/total:.1f}x faster than real time (RTF {total/dur:.4f}, {name} input, {a.n_iter} GL iterations, "
          f"{a.threads} threads; plain model + librosa GL: {dur/tref:.1f}x)")

if __name__ == '__main__':
    main()

"""Choosing the vocoder and the F0 tracker, by measurement on real recordings of the demo corpus.

    python bench/vocoder.py [--every 2] [--results nbs/results/vocoder.json] [--threads 2]

Every variant renders the same real recordings from their own spectral envelope and F0 (no model: this measures the
vocoder alone), and is scored by the recogniser's character error rate (the CMU ARCTIC readers, which have
transcripts), DNSMOS naturalness, harmonicity (cepstral peak prominence) and speed (x real time, on this machine).
The references are the recording itself, Griffin-Lim of its sharp spectrogram, and WORLD's own analysis and synthesis
(CheapTrick envelope, D4C aperiodicity). Run on an idle machine: about 20 minutes on 2 CPU cores.
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np, torch
from speech2speech.features import FeatureConfig, load_audio, trim_silence, f0_track, stft_magnitude, stft_power, spectral_envelope, _pyworld, atomic_write
from speech2speech.data import demo_corpus
from speech2speech.griffinlim import griffin_lim
from speech2speech.vocoder import source_filter, default_aperiodicity, measured_aperiodicity
from speech2speech.evaluation import transcribe, error_rates, dnsmos, harmonicity, vocoder_table

def world_resynthesis(w: np.ndarray, f0: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    "WORLD analysis-synthesis of `w` (CheapTrick envelope, D4C aperiodicity) driven by its F0 per feature frame."
    pw, t = _pyworld(), np.arange(len(f0))*cfg.hop/cfg.sr
    x, f = w.astype(np.float64), f0.astype(np.float64)
    return pw.synthesize(f, pw.cheaptrick(x, f, t, cfg.sr), pw.d4c(x, f, t, cfg.sr), cfg.sr, 1000*cfg.hop/cfg.sr)[:len(w)]

def variants(cfg):
    "name -> (F0 tracker, render(wave, f0, envelope) -> wave)"
    lin = FeatureConfig()
    world = lambda w, f0, env: world_resynthesis(w, f0, cfg)
    sf = lambda **kw: (lambda w, f0, env: source_filter(env, torch.from_numpy(f0)[None], cfg, [len(w)], **kw).numpy())
    return {
        'recording': ('dio', lambda w, f0, env: w),
        'griffin-lim (sharp spectrogram, 32 rounds)': ('dio', lambda w, f0, env: griffin_lim(stft_magnitude(w, lin), lin, n_iter=32, lengths=[len(w)]).numpy()),
        'WORLD analysis-synthesis (CheapTrick, D4C)': ('dio', world),
        'source-filter, minimum phase, 0 rounds': ('dio', sf(n_iter=0)),
        'source-filter, minimum phase, 8 rounds': ('dio', sf(n_iter=8)),
        'source-filter, 8 rounds, D4C aperiodicity': ('dio', lambda w, f0, env: source_filter(env, torch.from_numpy(f0)[None], cfg, [len(w)], n_iter=8,
                                                     aperiodicity=measured_aperiodicity(w, f0, cfg, step=1)[None]).numpy()),
        'source-filter, 8 rounds, noisier aperiodicity': ('dio', lambda w, f0, env: source_filter(env, torch.from_numpy(f0)[None], cfg, [len(w)], n_iter=8,
                                                     aperiodicity=default_aperiodicity(torch.from_numpy(f0)[None], cfg, floor=0.1, rise_hz=(1500., 6000.), top=0.8)).numpy()),
        'source-filter, 8 rounds, F0 by autocorr': ('autocorr', sf(n_iter=8)),
        'source-filter, 8 rounds, F0 by harvest': ('harvest', sf(n_iter=8)),
    }

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--every', type=int, default=2, help='take every n-th real recording')
    ap.add_argument('--results', default='nbs/results/vocoder.json'); ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = FeatureConfig(kind='envelope')
    demo = demo_corpus()
    utts = [u for u in demo.utterances if not demo.speaker_info[u.speaker]['synthetic']][::a.every]
    waves = {u.id: trim_silence(load_audio(u.path)) for u in utts}
    secs = sum(len(w) for w in waves.values())/cfg.sr
    f0s, t_track = {}, {}
    for m in ('dio', 'autocorr', 'harvest'):
        c = FeatureConfig(kind='envelope', f0_method=m); t0 = time.perf_counter()
        f0s[m] = {k: f0_track(w, c) for k, w in waves.items()}; t_track[m] = secs/(time.perf_counter() - t0)
    env = {m: {k: spectral_envelope(stft_power(w, cfg), f0s[m][k], cfg).T for k, w in waves.items()} for m in f0s}
    res = json.loads(Path(a.results).read_text()) if Path(a.results).exists() else {}   # resumable: finished variants stay
    for name, (m, render) in variants(cfg).items():
        if name in res: continue
        refs, hyps, mos, cpp, t = [], [], [], [], 0.
        for u in utts:
            w = waves[u.id]; t0 = time.perf_counter()
            y = np.asarray(render(w, f0s[m][u.id], env[m][u.id]), np.float32); t += time.perf_counter() - t0
            if u.text: refs.append(u.text); hyps.append(transcribe(y))
            mos.append(dnsmos(y)['ovrl']); cpp.append(harmonicity(y, reference=w))
        res[name] = dict(tracker=m, cer=error_rates(refs, hyps)['cer'], dnsmos=float(np.mean(mos)), cpp=float(np.nanmean(cpp)),
                         x_real_time=secs/max(t, 1e-9), tracker_x_real_time=t_track[m], n=len(utts), n_transcribed=len(refs))
        print(name, res[name], flush=True)
        atomic_write(a.results, json.dumps(res, indent=1))
    print(vocoder_table(res))

if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    main()

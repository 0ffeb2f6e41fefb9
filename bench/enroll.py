"""Enrolment of new voices (`Converter.enroll`, `s2s enroll`): how close does a voice learnt from 15, 30, 60 or 120 s of
a real speaker come, how long does it take, and what does the cheapest alternative (fine-tuning the whole model on the
same clips for the same time) give?

    python bench/enroll.py [--threads 2] [--results nbs/results/enroll.json] [--quick]

The enrolled speakers are the two real LibriSpeech readers held out of the demo checkpoint's training
(`libri_1998`, `libri_2414`, ten utterances each in the bundled demo corpus). Each one's last two utterances are kept
aside as its reference (its centroid for similarity) and never enrolled; the enrolment speech is cut from the other
eight, trimmed of silence, in order, to 15/30/60/120 s (all of it where there is less, which the table says).
Sources are other speakers' held-out sentences: the test split of the real training voices (the CMU ARCTIC readers'
transcribed sentences, for CER, and one sentence of each LibriSpeech training reader), converted into the enrolled
voice. Metrics, as in the evaluation chapter: Resemblyzer similarity to the enrolled speaker's reference centroid,
nearest-speaker accept among the centroids of every checkpoint voice plus the enrolled one, and the CER of
PocketSphinx on the conversions minus its CER on Griffin-Lim resynthesis of the same sources. The same sources are
also converted into three real training voices (the yardstick), and, after a decoder-tuning enrolment, into those
voices again through the enrolled checkpoint (do the old voices survive?). Run on an idle machine (`flock /tmp/cpu.lock`):
about 30 minutes on 2 CPU cores.
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np, torch
from speech2speech.conversion import Converter, _with_row, _crop
from speech2speech.data import demo_corpus, make_splits
from speech2speech.features import load_audio, trim_silence, f0_track, log_f0_stats, atomic_write
from speech2speech.evaluation import (speaker_embedding, speaker_centroid, cosine, nearest_speaker, transcribe, error_rates,
                                      centroid_utterances, sentence_key)

AMOUNTS = (15, 30, 60, 120)             # seconds of enrolment speech asked for
YARDSTICK = ('libri_3331', 'libri_3005', 'arctic_slt')   # training voices the same sources go to (F, M, F)

def enrolment_waves(utts, seconds, sr, trim_db):
    "The first `seconds` of trimmed speech of `utts`, in order, as clips (the last one cut); all of it if there is less."
    out, left = [], seconds*sr
    for u in utts:
        if left <= 0: break
        w = trim_silence(load_audio(u.path, sr), sr, top_db=trim_db)
        out.append(w[:int(left)]); left -= len(out[-1])
    if len(out[-1]) < 2048 and len(out) > 1: out.pop()                  # a crumb of a clip is not worth a clip
    return out

def finetune_all(base, name, waves, seconds_budget, seed=0, lr=3e-4, batch_size=16, crop_frames=128):
    "The cheapest alternative: a new row, then every weight trained with the model's own loss on the clips, for a fixed time."
    stats = log_f0_stats([f0_track(w, base.features) for w in waves])
    data = base.enrolment_data(waves, stats, [])
    row = len(base.speakers)
    model, cfg = _with_row(base.model, base.cfg, row)
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([d['feats'].shape[-1] for d in data], dtype=torch.float64)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train(); t0, steps = time.time(), 0
    while time.time() - t0 < seconds_budget:
        xs, ps, ms = [], [], []
        for _ in range(batch_size):
            d = data[int(torch.multinomial(lengths, 1, generator=g))]
            s = int(torch.randint(max(d['feats'].shape[-1] - crop_frames, 0) + 1, (1,), generator=g))
            xs.append(_crop(d['feats'], s, crop_frames)); ps.append(_crop(d['f0'], s, crop_frames))
            ms.append(_crop(torch.ones_like(d['f0'], dtype=torch.bool), s, crop_frames))
        out = model(torch.stack(xs), torch.full((batch_size,), row), torch.stack(ms), torch.stack(ps))
        opt.zero_grad(); out.loss.backward(); opt.step(); steps += 1
    model.eval()
    conv = Converter(model, cfg, base.speakers + [name], f0_stats={**base.f0_stats, name: stats}, postfilter=base.postfilter)
    return conv, steps

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--results', default='nbs/results/enroll.json')
    ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--quick', action='store_true', help='a smoke test: 15 and 60 s, few sources, few steps')
    a = ap.parse_args()
    torch.set_num_threads(a.threads); warnings.filterwarnings('ignore')
    base = Converter.from_checkpoint()
    sr, corpus = base.sr, demo_corpus()
    info = corpus.speaker_info
    heldout = list(base.cfg.data.heldout_speakers)
    split = make_splits(corpus.utterances, base.cfg.data)
    test = set(split['test'])
    real = [s for s in base.speakers if not info.get(s, {}).get('synthetic')]
    sources = [u for u in corpus.utterances if u.id in test and u.speaker in real and u.speaker.startswith('arctic_')]
    sources += [next(u for u in sorted(corpus.utterances, key=lambda u: u.id) if u.id in test and u.speaker == s)
                for s in real if s.startswith('libri_')]
    amounts, steps = ((15, 60), 20) if a.quick else (AMOUNTS, a.steps)
    if a.quick: sources = sources[::4]
    texted = [u for u in sources if u.text]
    print(f"{len(sources)} sources ({len(texted)} with text) from {len({u.speaker for u in sources})} real training voices", flush=True)

    emb = lambda w: speaker_embedding(w, sr)
    pool = centroid_utterances(corpus.utterances, base.speakers, {sentence_key(u) for u in sources}, 5, 0)
    cents = {s: speaker_centroid([emb(load_audio(u.path, sr)) for u in us]) for s, us in pool.items()}
    gl_cer = error_rates([u.text for u in texted], [transcribe(base.resynthesize(u.path), sr) for u in texted])['cer']
    print(f"Griffin-Lim resynthesis of the sources: CER {gl_cer:.3f}", flush=True)

    def judge(conv, target, centroids, ref):
        "Convert every source (but the target's own) into `target`: mean similarity to `ref`, accept, CER, CER gap."
        sims, acc, refs, hyps = [], [], [], []
        t0 = time.time()
        for u in sources:
            if u.speaker == target: continue
            w = conv.convert(u.path, target)
            e = emb(w); sims.append(cosine(e, ref)); acc.append(nearest_speaker(e, centroids) == target)
            if u.text: refs.append(u.text); hyps.append(transcribe(w, sr))
        cer = error_rates(refs, hyps)['cer']
        return dict(n=len(sims), sim=float(np.mean(sims)), accept=float(np.mean(acc)), cer=cer, cer_gap=cer - gl_cer,
                    eval_seconds=time.time() - t0)

    res = dict(command='python bench/enroll.py' + (' --quick' if a.quick else ''), threads=a.threads, steps=steps,
               n_sources=len(sources), n_texted=len(texted), griffin_lim_cer=gl_cer, yardstick={}, rows=[], others_after={})
    def save():
        atomic_write(a.results, json.dumps(res, indent=1, default=float))
    for t in YARDSTICK:
        res['yardstick'][t] = judge(base, t, cents, cents[t]); save()
        print(f"training voice {t}: {res['yardstick'][t]}", flush=True)
    ys = list(res['yardstick'].values())
    res['yardstick_mean'] = {k: float(np.mean([y[k] for y in ys])) for k in ('sim', 'accept', 'cer', 'cer_gap')}

    for spk in heldout:
        utts = sorted((u for u in corpus.utterances if u.speaker == spk), key=lambda u: u.id)
        ref_utts, enrol_utts = utts[-2:], utts[:-2]
        ref = speaker_centroid([emb(load_audio(u.path, sr)) for u in ref_utts])
        available = sum(len(trim_silence(load_audio(u.path, sr), sr, top_db=base.cfg.data.trim_db)) for u in enrol_utts)/sr
        done = {}
        plan = [(s, 'decoder') for s in amounts] + [(60, 'embedding'), (60, 'conditioning'), (60, 'finetune-all')]
        for secs, how in plan:
            waves = enrolment_waves(enrol_utts, secs, sr, base.cfg.data.trim_db)
            got = sum(len(w) for w in waves)/sr
            key = (round(got, 1), how)
            row = dict(speaker=spk, asked_seconds=secs, seconds=got, available_seconds=available, short=got < secs - 0.5,
                       how=how, n_clips=len(waves))
            if key in done: res['rows'].append({**done[key], **row, 'same_as': done[key]['asked_seconds']}); save(); continue
            t0 = time.time()
            if how == 'finetune-all':
                budget = next(r['enrol_seconds'] for r in res['rows'] if r['speaker'] == spk and r['how'] == 'decoder'
                              and r['asked_seconds'] == 60)
                conv, n = finetune_all(base, spk, waves, budget)
                row.update(steps=n)
            else:
                conv = base.enroll(spk, waves, steps=steps, tune=how, progress=False)
                row.update(steps=steps)
            row['enrol_seconds'] = time.time() - t0
            row.update(judge(conv, spk, {**cents, spk: ref}, ref))
            if secs == 60 and how in ('decoder', 'finetune-all'):   # the old voices, through the enrolled checkpoint
                after = [judge(conv, t, cents, cents[t]) for t in YARDSTICK]
                res['others_after'][f'{spk}/{how}'] = {k: float(np.mean([y[k] for y in after])) for k in ('sim', 'accept', 'cer', 'cer_gap')}
            done[key] = row; res['rows'].append(row); save()
            print(f"{spk} {secs} s ({got:.1f} s used) {how}: enrolled in {row['enrol_seconds']:.0f} s; sim {row['sim']:.3f} "
                  f"accept {row['accept']:.2f} CER gap {row['cer_gap']:+.3f}", flush=True)
    save()
    print(json.dumps(res['yardstick_mean']), json.dumps(res['others_after']))

if __name__ == '__main__':
    main()

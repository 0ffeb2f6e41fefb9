"""Where the similarity ceiling is: the speaker similarity each rendering of a source keeps of its own voice.

The real test sources of the demo checkpoint's training voices (the evaluation chapter's pairs), each rendered without
any conversion: the recording itself, Griffin-Lim of its spectrogram, WORLD analysis-synthesis, the project's
source-filter vocoder of its envelope (no model; also with the envelope sharpened by the checkpoint's post-filter), and
the model's reconstruction (with and without the post-filter). Resemblyzer cosine to the speaker's
centroid (the evaluation chapter's centroids), and MCD to the recording. Usage: python bench/ceiling.py [--results FILE]
"""
import argparse, collections, json, warnings
import numpy as np, torch
from speech2speech.conversion import Converter
from speech2speech.evaluation import _choose_pairs, _centroids, speaker_embedding, cosine, mcd
from speech2speech.features import load_audio, atomic_write, f0_track
from vocoder import world_resynthesis

class Passthrough(torch.nn.Module):
    "A stand-in model that decodes the source's own envelope: the vocoder alone, through the converter's own path."
    def encode(self, feats): return feats
    def decode(self, z, speaker, length=None, f0=None): return z

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ckpt', default=None, help='checkpoint (default: the bundled demo)')
    ap.add_argument('--results', default='nbs/results/ceiling.json', help='where to write the figures')
    a = ap.parse_args()
    warnings.filterwarnings('ignore'); torch.set_num_threads(2)
    conv = Converter.from_checkpoint(a.ckpt); sr = conv.sr
    variants = {'source-filter, 32 rounds': Converter.from_checkpoint(a.ckpt, n_iter=32),
                'source-filter, default aperiodicity': Converter.from_checkpoint(a.ckpt, aperiodicity='default')}
    sharpened = Converter(Passthrough(), conv.cfg, conv.speakers, f0_stats=conv.f0_stats, postfilter=conv.postfilter)
    plain = Converter.from_checkpoint(a.ckpt, postfilter=None)
    ch = _choose_pairs(conv, 'demo', 'test+heldout', 'real', None, 5, None, 0, 2)
    cents = _centroids(conv, ch['utts'], ch['held'], ch['pairs'], 5, 0)
    sources = list({p.source.id: p.source for p in ch['pairs'] if p.source.speaker in conv.speakers}.values())
    sim, dist = collections.defaultdict(list), collections.defaultdict(list)
    for u in sources:
        path, w = str(u.path), load_audio(str(u.path), sr=sr)
        outs = {'recording': w, 'griffin-lim (32 rounds)': conv.resynthesize(path), 'WORLD analysis-synthesis': world_resynthesis(w, f0_track(w, conv.features), conv.features),
                'source-filter (shipped: 8 rounds, source aperiodicity)': conv.resynthesize(path, vocoder='source-filter'),
                **{k: v.resynthesize(path, vocoder='source-filter') for k, v in variants.items()},
                'source-filter of the envelope sharpened by the post-filter': sharpened.reconstruct(path, speaker=u.speaker),
                'reconstruction (model + post-filter + source-filter, as shipped)': conv.reconstruct(path, speaker=u.speaker),
                'reconstruction without the post-filter': plain.reconstruct(path, speaker=u.speaker)}
        for k, o in outs.items():
            sim[k].append(cosine(speaker_embedding(o, sr), cents[u.speaker]))
            dist[k].append(0. if k == 'recording' else mcd(w, o, sr))
    res = {k: dict(sim=float(np.mean(sim[k])), mcd=float(np.mean(dist[k])), n=len(sources)) for k in sim}
    atomic_write(a.results, json.dumps(res, indent=1))
    print(f"{len(sources)} sources"); [print(f"{k:56s} sim {v['sim']:.3f}  MCD {v['mcd']:.2f} dB") for k, v in res.items()]

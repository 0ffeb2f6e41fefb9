#!/usr/bin/env python
"""Generate the bundled demo corpus: several distinct text-to-speech voices reading the same sentences.

The voices come from Debian packages (espeak-ng, flite, festival and three festvox voices); the script installs
them with apt-get when they are missing. Every voice reads the same Harvard sentences (a parallel corpus), the audio
is resampled to 16 kHz mono, silence at both ends is trimmed, levels are equalised, and each utterance is written as
FLAC beside a same-name .txt transcript, plus speakers.json with each voice's metadata:

    speech2speech/demo_corpus/<speaker>/<speaker>_<NNN>.flac   (+ .txt)
    speech2speech/demo_corpus/speakers.json

Usage: python scripts/make_demo_corpus.py [--out DIR] [--n-sentences N] [--no-install]
Run it from the project's virtual environment (it needs numpy, librosa and soundfile). The output is deterministic
for a given set of package versions.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

import numpy as np, soundfile as sf, librosa

SR = 16000
PACKAGES = ['espeak-ng', 'flite', 'festival', 'festvox-kallpc16k', 'festvox-kdlpc16k', 'festvox-us-slt-hts']

# Harvard sentences (IEEE 1969 "Recommended practice for speech quality measurements", lists 1-3): short, phonetically
# balanced, public domain, and the same material many VC corpora use.
SENTENCES = [
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "Large size in stockings is hard to sell.",
    "The boy was there when the sun rose.",
    "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.",
    "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.",
    "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.",
    "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.",
    "The girl at the booth sold fifty bonds.",
    "The small pup gnawed a hole in the sock.",
    "The fish twisted and turned on the bent hook.",
    "Press the pants and sew a button on the vest.",
    "The swan dive was far short of perfect.",
]

# name -> metadata; `cmd` builds the synthesis command from (text_file, out_wav).
VOICES = {
    'awb':   dict(gender='M', engine='flite', voice='awb', accent='Scottish'),
    'rms':   dict(gender='M', engine='flite', voice='rms', accent='American'),
    'slt':   dict(gender='F', engine='flite', voice='slt', accent='American'),
    'kal':   dict(gender='M', engine='flite', voice='kal16', accent='American'),
    'ked':   dict(gender='M', engine='festival', voice='ked_diphone', accent='American'),
    'es_f3': dict(gender='F', engine='espeak-ng', voice='en+f3', accent='British'),
    'es_f2': dict(gender='F', engine='espeak-ng', voice='en-us+f2', accent='American'),
    'es_alicia': dict(gender='F', engine='espeak-ng', voice='en-us+Alicia', accent='American'),
    'es_m3': dict(gender='M', engine='espeak-ng', voice='en-us+m3', accent='American'),
    'es_sc': dict(gender='M', engine='espeak-ng', voice='en-gb-scotland+m2', accent='Scottish'),
}

def synth_cmd(info, txt, wav):
    "The shell command that makes `wav` from the text in `txt` with voice `info`."
    e, v = info['engine'], info['voice']
    if e == 'flite': return ['flite', '-voice', v, '-f', str(txt), '-o', str(wav)]
    if e == 'festival': return ['text2wave', '-eval', f'(voice_{v})', str(txt), '-o', str(wav)]
    if e == 'espeak-ng': return ['espeak-ng', '-v', v, '-s', '165', '-f', str(txt), '-w', str(wav)]
    raise ValueError(e)

def ensure_packages(install=True):
    "Install the TTS engines and voices with apt-get if a command or voice is missing."
    have = all(shutil.which(c) for c in ['espeak-ng', 'flite', 'text2wave']) and \
        Path('/usr/share/festival/voices/english/ked_diphone').exists()
    if have: return
    if not install: sys.exit('missing TTS packages: ' + ' '.join(PACKAGES))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(['apt-get', 'update'], check=False, env=env)
    subprocess.run(['apt-get', 'install', '-y', *PACKAGES], check=True, env=env)

def clean(wave, sr):
    "Mono float32 at 16 kHz, ends trimmed (40 dB below peak, 80 ms kept), long inner pauses shortened, RMS equalised."
    if wave.ndim > 1: wave = wave.mean(1)
    wave = librosa.resample(wave.astype(np.float32), orig_sr=sr, target_sr=SR, res_type='soxr_hq')
    iv = librosa.effects.split(wave, top_db=40, frame_length=512, hop_length=128)
    pad, max_gap = int(0.08 * SR), int(0.25 * SR)
    parts = []
    for i, (s, e) in enumerate(iv):
        if i: parts.append(np.zeros(min(s - iv[i-1][1], max_gap), np.float32))
        parts.append(wave[s:e])
    wave = np.concatenate([np.zeros(pad, np.float32), *parts, np.zeros(pad, np.float32)])
    rms = np.sqrt(np.mean(wave[np.abs(wave) > 1e-4] ** 2))
    wave = wave * (10 ** (-24 / 20) / rms)              # about -24 dBFS RMS over the voiced part
    peak = np.abs(wave).max()
    if peak > 0.95: wave *= 0.95 / peak
    return wave.astype(np.float32)

def make(out, n_sentences=18, voices=VOICES):
    out = Path(out)
    tmp = Path(tempfile.mkdtemp(prefix='s2s_demo_'))
    try:
        stage = tmp / 'corpus'
        for name, info in voices.items():
            (stage / name).mkdir(parents=True)
            for i, text in enumerate(SENTENCES[:n_sentences], 1):
                uid = f'{name}_{i:03d}'
                txt, wav = tmp / 'in.txt', tmp / 'out.wav'
                txt.write_text(text + '\n')
                subprocess.run(synth_cmd(info, txt, wav), check=True, capture_output=True)
                w, sr = sf.read(wav, dtype='float32')
                sf.write(stage / name / f'{uid}.flac', clean(w, sr), SR, subtype='PCM_16', compression_level=1.0)
                (stage / name / f'{uid}.txt').write_text(text + '\n')
            print(f'{name:6s} {info["engine"]:9s} {info["voice"]:18s} {info["gender"]} {info["accent"]}', flush=True)
        meta = {k: dict(v) for k, v in voices.items()}
        (stage / 'speakers.json').write_text(json.dumps(meta, indent=1) + '\n')
        if out.exists(): shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stage), str(out))
    finally: shutil.rmtree(tmp, ignore_errors=True)
    files = list(out.rglob('*.flac'))
    secs = sum(sf.info(f).duration for f in files)
    mb = sum(f.stat().st_size for f in out.rglob('*')) / 2**20
    print(f'demo corpus: {len(voices)} voices x {n_sentences} sentences = {len(files)} files, {secs/60:.1f} min, {mb:.2f} MB in {out}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default=str(Path(__file__).resolve().parent.parent / 'speech2speech' / 'demo_corpus'))
    p.add_argument('--n-sentences', type=int, default=18, help='sentences per voice (18 keeps the corpus near 8 MB on disk)')
    p.add_argument('--no-install', action='store_true', help='fail instead of calling apt-get when a voice is missing')
    a = p.parse_args()
    ensure_packages(not a.no_install)
    make(a.out, a.n_sentences)

#!/usr/bin/env python
"""Execute notebooks in place and keep the outputs that are the lesson: plots, printed text and tables.

Audio players (embedded base64 WAV) and widgets are dropped, large PNG plots are stored as JPEG: audio blobs do not belong in the repository, and the
docs site does not execute notebooks, so plots and printed tables are what readers of the site see.
Cells flagged `#| eval: false` or `#| slow` are not executed (they keep whatever outputs they had).
Usage: python tools/run_nb.py nbs/NN_name.ipynb ...   (then run nbdev-clean, which `scripts/check.sh` checks)
"""
import base64, io, json, os, sys, time
import nbformat
from PIL import Image
from nbconvert.preprocessors import ExecutePreprocessor

DROP = ('data:audio', 'application/vnd.jupyter.widget-view+json')
MAX_TEXT = 4000    # characters of printed output kept per cell (long logs are cut)
MAX_PNG = 120_000  # bytes: larger plots (spectrograms compress badly as PNG) are stored as JPEG

def shrink(out):
    "Store a large PNG plot as a JPEG (a spectrogram is a photograph to PNG, and ten times smaller as JPEG)."
    png = out.get('data', {}).get('image/png')
    if png and len(png) > MAX_PNG:
        im = Image.open(io.BytesIO(base64.b64decode(png))).convert('RGB')
        buf = io.BytesIO(); im.save(buf, 'JPEG', quality=85, optimize=True)
        del out['data']['image/png']; out['data']['image/jpeg'] = base64.b64encode(buf.getvalue()).decode()
    return out

def keep(out) -> bool:
    "An output worth committing: not an audio player, not a widget."
    return not any(d in json.dumps(out) for d in DROP)

def trim(out):
    if out.get('output_type') == 'stream' and len(out.get('text', '')) > MAX_TEXT:
        out['text'] = out['text'][:MAX_TEXT] + '\n… (output cut)\n'
    return out

SKIP = ('#| eval: false', '#| slow', '#| notest')   # cells nbdev-test does not run either: a long training run, a slow evaluation

def skipped(cell) -> bool:
    "A code cell that is not executed (its flags say so); it keeps the outputs it had."
    return cell.cell_type == 'code' and any(l.strip() in SKIP for l in cell.source.splitlines())

def run(path, timeout=3600):
    nb = nbformat.read(path, as_version=4)
    t0 = time.time()
    held = {i: (c.source, c.outputs) for i, c in enumerate(nb.cells) if skipped(c)}
    for i in held: nb.cells[i].source = ''
    def progress(cell, cell_index, **kw): print(f"  {time.time() - t0:5.0f} s: cell {cell_index}", file=sys.stderr, flush=True)
    ExecutePreprocessor(timeout=timeout, kernel_name='python3', shutdown_kernel='immediate', on_cell_execute=progress).preprocess(
        nb, {'metadata': {'path': os.path.dirname(path) or '.'}})
    for i, (src, outs) in held.items(): nb.cells[i].source, nb.cells[i].outputs = src, outs
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = [shrink(trim(o)) for o in c.outputs if keep(o)]
    nb.metadata.pop('widgets', None)   # the state of the widgets dropped above (a player's audio among it)
    nbformat.write(nb, path)
    print(f'{path}: executed in {time.time() - t0:.0f} s')

if __name__ == '__main__':
    for p in sys.argv[1:]: run(p)

#!/usr/bin/env python
"""Convert a percent-format Python script into a Jupyter notebook (authoring aid).

Cells start with `# %%` (code) or `# %% [markdown]` (markdown; each line starts with `# `).
Usage: python tools/pct2nb.py SRC.py nbs/NN_name.ipynb
The notebook is written atomically; run `nbdev-clean --fname` on it afterwards.
"""
import json, os, re, sys, tempfile

def parse(text):
    cells, kind, buf = [], None, []
    def flush():
        if kind is None: return
        lines = buf[:]
        while lines and not lines[-1].strip(): lines.pop()
        while lines and not lines[0].strip(): lines.pop(0)
        if kind == 'markdown': lines = [re.sub(r'^# ?', '', l) for l in lines]
        if lines or kind == 'code': cells.append((kind, '\n'.join(lines)))
    for line in text.splitlines():
        m = re.match(r'^# %%\s*(\[markdown\])?', line)
        if m:
            flush(); kind, buf = ('markdown' if m.group(1) else 'code'), []
        elif kind is not None: buf.append(line)
    flush()
    return [c for c in cells if c[1].strip()]

def to_nb(cells):
    def src(s):
        ls = s.split('\n')
        return [l + '\n' for l in ls[:-1]] + [ls[-1]]
    out = []
    for kind, s in cells:
        c = {'cell_type': kind, 'metadata': {}, 'source': src(s)}
        if kind == 'code': c.update(execution_count=None, outputs=[])
        out.append(c)
    return {'cells': out, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
            'nbformat': 4, 'nbformat_minor': 5}

if __name__ == '__main__':
    src, dst = sys.argv[1], sys.argv[2]
    nb = to_nb(parse(open(src).read()))
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dst)), suffix='.tmp')
    with os.fdopen(fd, 'w') as f: json.dump(nb, f, indent=1); f.write('\n')
    os.replace(tmp, dst)
    print(f'wrote {dst}: {len(nb["cells"])} cells')

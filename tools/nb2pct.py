#!/usr/bin/env python
"""Write a notebook as a percent-format script (the inverse of pct2nb.py). Usage: python tools/nb2pct.py NB.ipynb OUT.py"""
import json, sys

def to_pct(nb) -> str:
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append('# %% [markdown]\n' + '\n'.join(('# ' + l).rstrip() for l in src.split('\n')))
        else: out.append('# %%\n' + src)
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    open(sys.argv[2], 'w').write(to_pct(json.load(open(sys.argv[1]))))

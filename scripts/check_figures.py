#!/usr/bin/env python3
"""Every picture a chapter refers to exists: `![...](path)` in markdown cells, relative to the notebook.

The docs site does not execute notebooks, so a figure that is referenced but missing (or never committed) shows as a
broken image. Exit status 1, listing them, if any is missing."""
import json, re, sys
from pathlib import Path

IMG = re.compile(r'!\[[^\]]*\]\(([^)\s]+)')

def missing_figures(nbs: Path) -> list[str]:
    "'notebook: path' for every referenced picture that does not exist."
    out = []
    for nb in sorted(nbs.glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            if cell['cell_type'] != 'markdown': continue
            for ref in IMG.findall(''.join(cell['source'])):
                if re.match(r'[a-z]+:', ref): continue          # http:, data: ...
                if not (nb.parent/ref).exists(): out.append(f"{nb.name}: {ref}")
    return out

if __name__ == '__main__':
    bad = missing_figures(Path(sys.argv[1] if len(sys.argv) > 1 else 'nbs'))
    for b in bad: print(f"missing figure: {b}")
    sys.exit(1 if bad else 0)

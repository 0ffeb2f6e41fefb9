"""Render README.md from nbs/index.ipynb without Quarto (nbdev-readme needs Quarto).

Markdown cells are copied; code cells become ```python blocks (nbdev directives removed, `#| hide` cells skipped);
stored text outputs are shown. `--check` fails if README.md is out of date.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        lines = src.splitlines()
        directives = [l for l in lines if l.startswith('#|')]
        if any(d.replace(' ', '') in ('#|hide', '#|include:false') for d in directives): continue
        body = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if cell['cell_type'] == 'markdown':   # README sits above nbs/ and outside the docs site: fix relative links
            body = body.replace('](images/', '](nbs/images/')
            body = re.sub(r'\]\(([\w-]+\.html)\)', lambda m: f'](https://speech2speech.github.io/speech2speech/{m.group(1)})', body)
            parts.append(body)
        elif cell['cell_type'] == 'code' and body:
            parts.append(f'```python\n{body}\n```')
            texts = [''.join(out.get('text') or out.get('data', {}).get('text/plain') or '') for out in cell.get('outputs', [])
                     if not any(k.startswith('image/') for k in out.get('data', {}))]   # a plot's text is only its repr
            if ''.join(texts).strip(): parts.append('```\n' + ''.join(texts).rstrip() + '\n```')   # one block per cell
    return '<!-- generated from nbs/index.ipynb by scripts/render_readme.py: do not edit -->\n\n' + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(root/'nbs'/'index.ipynb'), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('FAIL: README.md is out of date: run `python scripts/render_readme.py` and commit it')
        print('README.md is up to date')
    else:
        readme.write_text(text); print('wrote README.md')

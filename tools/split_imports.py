#!/usr/bin/env python
"""Move top-level imports out of mixed code cells into a cell of their own (nbdev's docs build runs every cell that
contains an import, so a test cell that also imports would run at docs time). Usage: python tools/split_imports.py NB..."""
import ast, json, os, sys, tempfile

def split_cell(cell):
    src = ''.join(cell['source'])
    lines = src.split('\n')
    directives = [l for l in lines if l.startswith('#|')]
    if any('export' in d or 'eval: false' in d for d in directives): return [cell]
    try: tree = ast.parse(src)
    except SyntaxError: return [cell]
    imps = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    other = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    if not imps or not other: return [cell]
    imp_lines = set()
    for n in imps: imp_lines.update(range(n.lineno - 1, n.end_lineno))
    keep_dirs = [d for d in directives if 'hide' in d]
    imp_src = '\n'.join(keep_dirs + [lines[i] for i in sorted(imp_lines)])
    rest = '\n'.join(l for i, l in enumerate(lines) if i not in imp_lines).strip('\n')
    mk = lambda s: {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [],
                    'source': [l + '\n' for l in s.split('\n')[:-1]] + [s.split('\n')[-1]]}
    return [mk(imp_src), {**cell, 'source': mk(rest)['source']}]

for path in sys.argv[1:]:
    nb = json.load(open(path))
    cells = [c2 for c in nb['cells'] for c2 in (split_cell(c) if c['cell_type'] == 'code' else [c])]
    n = len(cells) - len(nb['cells'])
    if not n: print(f'{path}: nothing to split'); continue
    for c in cells: c.pop('id', None)      # nbdev-clean gives every cell a fresh id afterwards
    nb['cells'] = cells
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix='.tmp')
    with os.fdopen(fd, 'w') as f: json.dump(nb, f, indent=1); f.write('\n')
    os.replace(tmp, path); print(f'{path}: split {n} cells')

"""Draw the core's stage packages and their imports: ``python docs/import_graph.py [out.png]``.

Reads the import graph with grimp (the library behind import-linter), collapses it to the stage packages
and shared modules of ``humanseg_core``, reports any cycle between them, and writes a Graphviz picture
(``docs/core-layers.png`` by default; needs the ``dot`` program, Debian package ``graphviz``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = "humanseg_core"
# top to bottom, as in the layers contract (.importlinter)
RANKS = [["__main__"], ["cli"], ["workflows"], ["export", "project", "osvos", "demo"], ["proposals"], ["prior"],
         ["inputs"], ["errors", "jobs", "records", "metrics", "rle", "weights"]]


def stage_edges(graph) -> set[tuple[str, str]]:
    """(importer, imported) pairs between the top-level children of the core."""
    edges = set()
    for module in graph.modules:
        if not module.startswith(ROOT + "."):
            continue
        src = module.split(".")[1]
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(ROOT + "."):
                dst = imported.split(".")[1]
                if dst != src:
                    edges.add((src, dst))
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of stages that import each other, directly or through others."""
    nodes = {a for a, _ in edges} | {b for _, b in edges}
    reach = {n: {b for a, b in edges if a == n} for n in nodes}
    changed = True
    while changed:
        changed = False
        for n in nodes:
            extra = set().union(*(reach[m] for m in reach[n])) - reach[n] if reach[n] else set()
            if extra:
                reach[n] |= extra
                changed = True
    return sorted((a, b) for a in nodes for b in reach[a] if a < b and a in reach[b])


def to_dot(edges: set[tuple[str, str]]) -> str:
    present = {a for a, _ in edges} | {b for _, b in edges}
    lines = ["digraph core {", '  rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#eef3fb",'
             ' fontname="Helvetica"]; edge [color="#667788"];']
    for rank in RANKS:
        names = [n for n in rank if n in present]
        if names:
            lines.append("  { rank=same; " + " ".join(f'"{n}"' for n in names) + " }")
    for a, b in sorted(edges):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("core-layers.png")
    graph = grimp.build_graph(ROOT)
    edges = stage_edges(graph)
    loops = cycles(edges)
    print(f"{len(edges)} imports between stages; cycles: {loops or 'none'}")
    dot = shutil.which("dot")
    if dot is None:
        print("`dot` not found (apt-get install graphviz); printing the graph instead")
        print(to_dot(edges))
        return 1 if loops else 0
    subprocess.run([dot, "-Tpng", "-Gdpi=80", "-o", str(out)], input=to_dot(edges).encode(), check=True)
    print(f"wrote {out}")
    return 1 if loops else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

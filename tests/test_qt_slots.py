"""No button hands Qt's ``checked`` bool to a parameter that wants something else.

``clicked``/``triggered``/``toggled`` pass ``checked`` to a connected method that can take an argument, so
``btn.clicked.connect(self.retrain)`` with ``def retrain(self, config=None)`` calls ``retrain(False)``
("Retrain from here" failed that way). A static check over app/: every such signal connected straight to
a method of the class (``self.m``, or a loop variable bound to ``self.m`` from a literal table) must name a
method whose first parameter has no default, unless that parameter is the bool (``checked``, ``on``, ...).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
SIGNALS = {"clicked", "triggered", "toggled"}
BOOL_NAMES = {"checked", "_checked", "on", "_on", "_", "state"}


@cache
def _trees() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text())) for path in sorted(APP.rglob("*.py")))


def _classes() -> dict[str, ast.ClassDef]:
    out: dict[str, ast.ClassDef] = {}
    for _path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                out[node.name] = node
    return out


def _lookup(classes: dict[str, ast.ClassDef], cls: str, name: str) -> ast.FunctionDef | None:
    """Method ``name`` of class ``cls`` or of its bases defined in app/ (Qt's own methods are not seen)."""
    node = classes.get(cls)
    if node is None:
        return None
    for f in node.body:
        if isinstance(f, ast.FunctionDef) and f.name == name:
            return f
    for base in node.bases:
        if isinstance(base, ast.Name) and (found := _lookup(classes, base.id, name)) is not None:
            return found
    return None


def _self_attr(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def _loop_slots(tree: ast.AST) -> dict[str, set[str]]:
    """Loop variables bound from literal tables: ``for key, text, slot in ((.., self.m), ...)``."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and \
                isinstance(node.iter, (ast.Tuple, ast.List)):
            for i, target in enumerate(node.target.elts):
                for row in node.iter.elts:
                    if isinstance(target, ast.Name) and isinstance(row, (ast.Tuple, ast.List)) and i < len(row.elts):
                        if name := _self_attr(row.elts[i]):
                            out.setdefault(target.id, set()).add(name)
    return out


def connected_methods() -> list[tuple[str, int, str, str]]:
    """(file, line, class, method) of every checkable-signal connection straight to a method in app/."""
    found = []
    for path, tree in _trees():
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            loops = _loop_slots(cls)
            for node in ast.walk(cls):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "connect" and isinstance(node.func.value, ast.Attribute)
                        and node.func.value.attr in SIGNALS and len(node.args) == 1):
                    continue
                arg = node.args[0]
                direct = _self_attr(arg)
                names = {direct} if direct else loops.get(arg.id, set()) if isinstance(arg, ast.Name) else set()
                found += [(str(path.relative_to(APP.parent)), node.lineno, cls.name, n) for n in sorted(names)]
    return found


def _bool_goes_into(f: ast.FunctionDef) -> str | None:
    """The defaulted first parameter Qt's bool would fill, or None."""
    params = (f.args.posonlyargs + f.args.args)[1:]
    if not params:
        return None
    first_default = len(params) - len(f.args.defaults)  # index of the first parameter with a default
    if first_default > 0 or params[0].arg in BOOL_NAMES:
        return None
    return params[0].arg


def test_the_check_sees_the_connections_it_must():
    found = {(file, name) for file, _, _, name in connected_methods()}
    assert ("app/review/review_panel.py", "accept") in found  # through the buttons' table
    assert ("app/review/correction_panel.py", "refresh") in found
    bad = ast.parse("class C:\n    def retrain(self, config=None): pass\n").body[0]
    assert _bool_goes_into(bad.body[0]) == "config"  # the bug this file guards against
    ok = ast.parse("class C:\n    def play(self, checked=False): pass\n").body[0]
    assert _bool_goes_into(ok.body[0]) is None


def test_no_checkable_signal_passes_its_bool_into_a_parameter():
    classes = _classes()
    bad = []
    for file, line, cls, name in connected_methods():
        f = _lookup(classes, cls, name)
        if f is not None and (param := _bool_goes_into(f)) is not None:
            bad.append(f"{file}:{line} connects to {cls}.{name}({param}=...): Qt would pass `checked` as {param}")
    assert not bad, "\n".join(bad)

"""The window's menu commands that have keys, for the keys help (Review ▸ Review Keys…, F1): read from the menus
themselves, every key of each (a walk found Space, the frame keys, Ctrl+G and Ctrl+E nowhere in the help, and the
menus show one key of each command: `[`, `]`, PgUp/PgDn, `+`, Ctrl+0 were invisible)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence


def menu_key_rows(window, skip=()) -> list[tuple[str, str]]:
    """[(its keys, "Menu ▸ Command")] of every command of ``window``'s menus (submenus too) that has a key, in menu
    order; the actions of ``skip`` (the review keys, which the review's own tables say) left out."""
    skipped = {id(a) for a in skip}
    rows: list[tuple[str, str]] = []
    bar = window.menuBar()

    def walk(menu, path: str) -> None:
        for act in menu.actions():
            if act.isSeparator() or id(act) in skipped:
                continue
            name = act.text().replace("&", "").split("\t")[0]
            if act.menu() is not None:
                walk(act.menu(), f"{path} ▸ {name}")
                continue
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts() if not k.isEmpty()]
            if keys:  # once, where it is first met (Review ▸ Review Keys… is under Help too)
                rows.append((" / ".join(dict.fromkeys(keys)), f"{path} ▸ {name}"))
                skipped.add(id(act))

    for top in bar.actions():
        title = top.text().replace("&", "")
        if top.menu() is not None:
            walk(top.menu(), title)
    return rows

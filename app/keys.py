"""The studio's window-wide review keys, defined once: this table drives the menus, tooltips and help.

Each :class:`KeySpec` becomes one ``QAction`` on the main window (``Qt.WindowShortcut``), so a key works
wherever the focus is in the window: after a click on the video, after saving an edit, on a dock. A text
field keeps its letters (Qt gives a focused line edit or spin box the key first), so typing a name never
accepts a proposal.

Keys can be changed in a JSON settings file, ``keys.json`` in the user config folder
(``~/.config/HumanSeg/keys.json`` on Linux; the ``HUMANSEG_KEYS`` environment variable names another file):

    {"accept": "Return", "reject": "Delete", "accept_remaining": "Ctrl+Shift+A"}

An entry names an action id of :data:`KEYS` and a key sequence in Qt's portable text form; an empty string
removes the key. Unknown ids and unreadable sequences are reported (file and entry) and ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class KeySpec:
    """One command: its id, default key, menu text and the tooltip / help sentence (no key in it)."""

    id: str
    key: str
    text: str
    help: str
    menu: str = "Review"


KEYS: tuple[KeySpec, ...] = (
    KeySpec("accept", "A", "&Accept", "Accept this mask as a training label"),
    KeySpec("reject", "X", "&Reject", "Reject: wrong person, wrong shape or empty"),
    KeySpec("not_visible", "V", "Not &Visible Here",
            "The person is not visible on this frame (hidden behind others, out of view): kept as an empty mask of "
            "yours, so Whole scene runs and exports that take your masks write none here (not results only); "
            "never a training label"),
    KeySpec("next_pending", "J", "&Next Pending", "Next pending proposal"),
    KeySpec("prev_pending", "K", "&Previous Pending", "Previous pending proposal"),
    KeySpec("next_suspect", "W", "Next &Suspect",
            "The person's pending proposal of lowest score next (most contested with a neighbour): wrong persons "
            "and poor masks come first"),
    KeySpec("next_suspect_any", "Shift+W", "Next Suspect of Ever&y Person",
            "The pending proposal of lowest score among every person's next (the person changes as needed)"),
    KeySpec("next_person", "Ctrl+PgDown", "Nex&t Person", "The next person, in the Persons table's order as sorted"),
    KeySpec("prev_person", "Ctrl+PgUp", "Previ&ous Person",
            "The previous person, in the Persons table's order as sorted"),
    KeySpec("go_person", "G", "Go to &Person…", "Type a person's id to review it, near the frame on screen", "Go"),
    KeySpec("accept_remaining", "Shift+A", "Accept All Re&maining of This Person",
            "Accept every remaining pending proposal of this person (asks once, saying how many)"),
    KeySpec("edit", "E", "&Edit Mask", "Fix the mask: brush, eraser, click-to-refine, lasso (Esc leaves)"),
    KeySpec("undo", "Ctrl+Z", "&Undo", "Undo the last decision or saved edit since the project was opened (each is "
            "stored at once)", "Edit"),
    KeySpec("redo", "Ctrl+Shift+Z", "&Redo", "Redo the last undone decision or edit", "Edit"),
)
BY_ID: dict[str, KeySpec] = {k.id: k for k in KEYS}


def settings_path() -> Path:
    """The key settings file: ``$HUMANSEG_KEYS`` or ``keys.json`` in the user config folder."""
    env = os.environ.get("HUMANSEG_KEYS")
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(base or Path.home() / ".config") / "HumanSeg" / "keys.json"


def load_overrides(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """``({action id: key}, problems)`` from the settings file; a missing file is no problem."""
    path = settings_path() if path is None else Path(path)
    if not path.is_file():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"{path}: not readable as JSON ({exc}); default keys used"]
    if not isinstance(data, dict):
        return {}, [f"{path}: expected an object {{\"action\": \"key\"}}; default keys used"]
    keys, problems = {}, []
    for name, key in data.items():
        if name not in BY_ID:
            problems.append(f"{path}: unknown action {name!r} (known: {', '.join(BY_ID)})")
        elif not isinstance(key, str) or (key and not readable_key(key)):
            problems.append(f"{path}: {name!r}: {key!r} is not a key sequence (e.g. \"Shift+A\")")
        else:
            keys[name] = key
    return keys, problems


def readable_key(key: str) -> bool:
    """Whether Qt reads ``key`` as a key sequence of known keys: an unknown name ("Ctrl+Foo", "Spcae") is
    a one-key sequence of ``Key_unknown`` that no key press matches, not an empty sequence."""
    seq = QKeySequence(key)
    return (seq.count() > 0 and bool(seq.toString())
            and all(seq[i].key() != Qt.Key.Key_unknown for i in range(seq.count())))


def key_of(spec: KeySpec, overrides: Mapping[str, str]) -> str:
    return overrides.get(spec.id, spec.key)


def tooltip(spec: KeySpec, overrides: Mapping[str, str] | None = None) -> str:
    key = key_of(spec, overrides or {})
    return f"{spec.help} ({key})" if key else spec.help


def make_action(spec: KeySpec, parent, slot: Callable[[], object], overrides: Mapping[str, str]) -> QAction:
    """A window-wide action for ``spec``: shortcut, menu text and tooltip from the table."""
    act = QAction(spec.text, parent)
    act.setObjectName(f"action_{spec.id}")
    key = key_of(spec, overrides)
    act.setShortcut(QKeySequence(key) if key else QKeySequence())
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.setToolTip(tooltip(spec, overrides))
    act.setStatusTip(spec.help)
    act.triggered.connect(lambda _=False: slot())
    return act


def help_text(overrides: Mapping[str, str] | None = None, menu_rows=()) -> str:
    """The key help (Review ▸ Review Keys…) as rich text: one table, the keys in their own column and a heading row
    a section (a walk found the plain-text columns ragged in the dialog's proportional font, and a re-walk three
    tables' key columns of three widths)."""
    from html import escape

    def rows(keys) -> str:
        return "".join(f"<tr><td style='padding-right:14px; white-space:nowrap'><b>{escape(key)}</b></td>"
                       f"<td>{escape(what)}</td></tr>" for key, what in keys)

    def heading(text: str) -> str:
        return f"<tr><td colspan='2' style='padding-top:12px; padding-bottom:3px'>{escape(text, quote=False)}</td></tr>"

    def said(k: KeySpec) -> str:  # "Accept: Accept this mask…" read twice (a walk): the help alone when it starts so
        name = k.text.replace("&", "")
        return k.help if k.help.lower().startswith(name.split()[0].lower()) else f"{name}: {k.help}"

    review = [(key_of(k, overrides or {}) or "—", said(k)) for k in KEYS]
    if not menu_rows:  # (with the menus' rows, it is among them)
        review.append(("Ctrl+Shift+L", "Label This Frame by Hand: the selected person's mask of the frame on screen "
                                       "in the editor (an empty one where it has no proposal)"))
    body = (rows(review) + heading("In the Review panel:") + rows(PANEL_KEYS)
            + heading("While editing a mask (E):") + rows(EDIT_KEYS)
            + (heading("The window's menus (their keys work wherever the focus is):") + rows(menu_rows)
               if menu_rows else ""))
    return (f"<table cellspacing='0' cellpadding='1'>{body}</table>"
            f"<p>Change the keys of the first list in {escape(str(settings_path()))} "
            "(JSON: {&quot;accept&quot;: &quot;Return&quot;}).</p>")


#: the Review panel's own keys (fixed; handled by the panel while it has the focus)
PANEL_KEYS = (("F", "Fit: the person; pressed at the person's fit, the whole frame"),
              ("O", "Show or hide the other persons' proposals"),
              ("H", "The mask's fill off or on (its outline stays): the image under the mask"),
              ("P", "Pixels or smooth zoom"),
              ("Left / Right", "Previous / next proposal of the queue, whatever its status"))
#: the mask editor's keys while editing (fixed)
EDIT_KEYS = (("B / N", "Brush / eraser"), ("R", "Refine: click the person (right-click: not the person)"),
             ("L", "Lasso"), ("[ / ]", "Smaller / larger brush"), ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a stroke"),
             ("Ctrl+S", "Save the edited mask (it becomes an accepted label)"),
             ("Esc", "Leave editing (asks when strokes are unsaved)"))


# keys a focused slider or spin box moves itself by; the window's shortcuts of the same keys (the timeline's
# Home / End / Page Up / Page Down) wait while one has the focus (a walk pressed Home on the editor's brush
# size slider and the video jumped to the first frame)
CONTROL_KEYS = {Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Up,
                Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right}

TAB_BAR_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right}  # a focused tab bar's own


def control_keeps_key(event, focus) -> bool:
    """True when the key of a ``ShortcutOverride`` ``event`` belongs to the focused control ``focus`` (a slider
    or spin box, without Ctrl or Alt): accepting the override gives the control the key press instead of the
    window's shortcut."""
    from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QTabBar

    if not isinstance(focus, (QAbstractSlider, QAbstractSpinBox, QTabBar)) or not focus.isEnabled():
        return False
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
        return False
    if isinstance(focus, QTabBar):  # its arrows pick the next tab (a walk's tab bar stepped the video instead)
        if event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End) and focus.count():  # its first / last tab, which
            focus.setCurrentIndex(0 if event.key() == Qt.Key.Key_Home else focus.count() - 1)  # Qt's bar does not
            return True  # (a re-walk: Home there sent the video to its first frame)
        return event.key() in TAB_BAR_KEYS
    return event.key() in CONTROL_KEYS

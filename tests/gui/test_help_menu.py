"""Help ▸ Getting Started, the keys and About: the studio had no Help menu, and the parent network's non-commercial
licence was written only in its model card."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_help_menu_is_last_and_holds_the_guide_the_keys_and_about(panels_studio):
    from PySide6.QtWidgets import QTextBrowser

    from app.help_menu import about_dialog

    window = panels_studio
    menus = [a for a in window.menuBar().actions() if a.menu() is not None]
    assert menus[-1].text() == "&Help"
    items = [a.text() for a in menus[-1].menu().actions() if not a.isSeparator()]
    assert items == ["&Getting Started…", "Review &Keys…", "&About HumanSeg Studio…"]
    assert menus[-1].menu().actions()[1] is window.review.act_keys  # the same F1 action as under Review
    from app.menu_keys import menu_key_rows

    assert [what for _k, what in menu_key_rows(window) if what.endswith("Review Keys…")] == [
        "Review ▸ Review Keys…"]  # listed once among the menus' keys
    dialog = about_dialog(window)
    text = dialog.findChild(QTextBrowser).toPlainText()
    from humanseg_core import __version__
    from humanseg_core.prior.paths import DEFAULT_PARENT

    assert f"HumanSeg Studio {__version__}" in text and str(DEFAULT_PARENT) in text
    assert "non-commercial purposes only" in text and "CC BY-NC 4.0" in text
    dialog.close()


def test_getting_started_is_a_short_guide_then_where_the_whole_one_is(tmp_path):
    """A walk found Help ▸ Getting Started to be the README's section pasted, with measurements and history."""
    from app.help_menu import README, getting_started

    text = getting_started()
    assert text.startswith("## Getting started") and "**A** accept" in text and "Export Masks" in text
    assert len(text) < 3000 and "BENCHMARKS" not in text and str(README) in text
    assert getting_started(guide=tmp_path / "none.md").startswith("## First steps in the studio")


def test_getting_started_is_the_readmes_first_steps(tmp_path):
    from app.help_menu import README, first_steps

    text = first_steps()
    assert text.startswith("## First steps in the studio") and "**Review** tab" in text
    assert "\n## " not in text[5:] and "![" not in text and str(README) in text  # that section alone, no images
    assert "not found" in first_steps(tmp_path / "README.md")  # an installation without the source: said where

"""Alt+letter reaches a dialog's fields (a walk reached those of Open, Generate and Export only by Tab): each form
label has a letter of its own in its dialog, and the letter moves the focus to the field."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _letters(dialog) -> dict[str, str]:
    """{letter: label text} of the dialog's form labels and buttons; duplicates fail."""
    from PySide6.QtWidgets import QAbstractButton, QFormLayout, QLabel

    found: dict[str, str] = {}
    texts = [b.text() for b in dialog.findChildren(QAbstractButton)]
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel) and item.widget().buddy() is not None:
                assert "&" in item.widget().text(), item.widget().text()
                texts.append(item.widget().text())
    for text in texts:
        for m in re.finditer(r"&([^&\s])", text.replace("&&", "")):
            assert m.group(1).lower() not in found, (text, found)
            found[m.group(1).lower()] = text
    return found


def test_the_open_dialog_s_fields_have_letters_of_their_own(qtbot):
    from PySide6.QtCore import Qt

    from app.open_dialog import OpenDialog

    dialog = OpenDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    letters = _letters(dialog)
    assert letters["t"] == "&Trajectories" and letters["v"] == "&Video or frames folder"
    dialog.video.edit.setFocus()
    qtbot.waitUntil(dialog.video.edit.hasFocus)
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.trajectories.edit.hasFocus)  # the path itself, not its File… button
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.step.hasFocus)


def test_generate_and_export_give_every_field_a_letter(qtbot, project):
    from test_generate_default import OneFrameScene

    from app.review.export_dialog import ExportDialog
    from app.review.generate_dialog import GenerateDialog

    generate, export = GenerateDialog(OneFrameScene(), project), ExportDialog(project, None)
    for dialog in (generate, export):
        qtbot.addWidget(dialog)
        assert len(_letters(dialog)) >= 4
    # a row of several widgets: the first that takes the focus, never a button (a walk: Export's Folder had none)
    assert "&" in generate.all_radio.text() and "&" in generate.some_radio.text()  # its choices have their own
    assert "&Persons" in _letters(generate).values()  # and the list of persons its label's (a re-walk: Tab only)
    assert "Fo&lder" in _letters(export).values()
    from PySide6.QtWidgets import QFormLayout, QLabel

    labels = [form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget() for form in export.findChildren(QFormLayout)
              for row in range(form.rowCount()) if form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None]
    [folder] = [w for w in labels if isinstance(w, QLabel) and w.text() == "Fo&lder"]
    assert folder.buddy() is export.out_edit
    export._update_fuller()  # its text made again as the persons change: the letter stays (a review)
    assert export.fuller_check.text().startswith("&Where")

"""The training panel picks osvos-parent when the parent file is there, else osvos-lite and says why."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.segmentation.training_panel import TrainingPanel
from humanseg_core.jobs import JobWarning, Progress
from humanseg_core.osvos import model_choice
from humanseg_core.osvos.config import NO_PARENT


def test_default_model_follows_the_parent_file(qtbot, tmp_path, monkeypatch):
    present = tmp_path / "parent.pt"
    present.write_bytes(b"x")
    monkeypatch.setattr(model_choice, "PARENT_FILE", present)
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    assert panel.model_box.currentData() == "osvos-parent" and panel.status.text() == ""
    monkeypatch.setattr(model_choice, "PARENT_FILE", tmp_path / "missing.pt")
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    assert panel.model_box.currentData() == "osvos-lite"
    assert "missing.pt" in panel.status.text() and "osvos-lite" in panel.status.text()


def test_no_parent_warning_is_shown(qtbot):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.show()
    text = "x.pt: parent network file not found; osvos-parent starts from the ImageNet base only"
    panel._on_progress(Progress(0, 10, "start", {}, warnings=(JobWarning(NO_PARENT, text),)))
    assert panel.warning.isVisible() and "ImageNet base" in panel.warning.text()

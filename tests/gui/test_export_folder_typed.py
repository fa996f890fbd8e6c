"""An export folder typed by hand goes where the analyst can find it.

The Scene tab's export folder and the Export masks dialog took a typed "~/masks" literally (the run wrote a
folder named "~" in the studio's working directory: only the existence check expanded it) and a relative
"run1" relative to the working directory of the process, a folder the analyst never sees.  Now "~" is
expanded and a relative name goes inside the project's exports folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.export.names import resolve_out
from humanseg_core.records import Proposal


def test_resolve_out(tmp_path):
    assert resolve_out("run1", tmp_path) == tmp_path / "exports" / "run1"
    assert resolve_out("~/masks", tmp_path) == Path.home() / "masks"
    assert resolve_out(tmp_path / "x", "/elsewhere") == tmp_path / "x"


def test_the_scene_tab_resolves_a_typed_folder(qtbot, scene_project):
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(scene_project)
    panel.out.setText("run1")
    assert panel.config().out == Path(scene_project.folder) / "exports" / "run1"
    panel.out.setText("~/masks")
    assert panel.config().out == Path.home() / "masks"
    panel.out.setText("")
    assert panel.config().out is None


def test_the_export_dialog_resolves_a_typed_folder(qtbot, scene_project):
    from app.review.export_dialog import ExportDialog
    from humanseg_core.jobs import Progress

    mask = np.zeros((8, 8), bool)
    mask[2:5, 2:5] = True
    scene_project.add_proposals([Proposal(frame=0, pid=1, box=(2, 2, 5, 5), mask=mask, source="bgs:test",
                                          status="accepted")])
    asked = []

    def job(project, pids, fmt, out, **kw):
        asked.append(out)
        yield Progress(1, 1, "done")
        return {"persons": pids, "masks": 1, "out": str(out), "skipped_frames": []}

    dlg = ExportDialog(scene_project, selected_pid=1, export_job=job)
    qtbot.addWidget(dlg)
    dlg.out_edit.setText("mine")
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running and bool(asked), timeout=5000)
    assert Path(asked[0]) == Path(scene_project.folder) / "exports" / "mine"

"""``humanseg-studio --demo`` (what ``make run`` opens) had no project: the Review tab was empty and a new
user had to make a project folder and run Generate Proposals before seeing one proposal (a walk). Now the
demo's own project opens, made on first use with every person's proposals started."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_demo_opens_its_project_and_proposes_every_person(window, qtbot, tmp_path):
    from app.panels import install_panels
    from app.review.demo_project import open_demo_project

    install_panels(window)
    base = tmp_path / "projects"
    (base / "demo").mkdir(parents=True)
    (base / "demo" / "notes.txt").write_text("the analyst's own file")  # a folder in use is never touched
    assert window.open_demo(then=lambda: open_demo_project(window.review, base=base))
    qtbot.waitUntil(lambda: window.review.project is not None, timeout=20000)
    project = window.review.project
    assert project.folder.resolve() == (base / "demo-2").resolve()
    assert (base / "demo" / "notes.txt").read_text() == "the analyst's own file"
    dialogs = [d for d in window.findChildren(object) if type(d).__name__ == "GenerateDialog"]
    assert dialogs and dialogs[0].running and dialogs[0].pids() == list(window.scene.pids)
    # the empty Review tab says they are coming (it said 'No proposals yet: … Generate Proposals…')
    assert window.review.panel.info.text().startswith("Generating proposals")
    said = window.statusBar().currentMessage()  # not "0 proposals — generate them with …" (a walk)
    assert "proposals are being generated" in said and "generate them with" not in said
    qtbot.waitUntil(lambda: bool(project.proposals()), timeout=60000)  # the first frames' proposals are stored
    dialogs[0].footer.cancel()
    qtbot.waitUntil(lambda: not dialogs[0].running, timeout=20000)
    kept = len(project.proposals())

    window.review.close_project()  # the demo again: the same project, nothing proposed anew
    assert window.review.project is None and open_demo_project(window.review, base=base)
    again = window.review.project
    assert again.folder.resolve() == (base / "demo-2").resolve() and len(again.proposals()) == kept
    assert not [d for d in window.findChildren(object) if type(d).__name__ == "GenerateDialog" and d.running]

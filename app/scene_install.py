"""The Whole scene panel docked on the studio window, with its overlay of every person's results.

"Show every person's result on the video" is kept with the project (a walk found it off again after
reopening, and had not found it in the Play tab)."""

from __future__ import annotations

from app.job_footer import read_only_text
from app.scene_panel import ScenePanel

SHOW_ALL_SETTING = "scene.show_all"  # project setting: the overlay of every person's results on or off


def shows_all(project) -> bool:
    """Whether the overlay of every person's results starts on for ``project``: as the analyst left it, else on
    when several persons have results (a walk's project from `humanseg run` opened with it off)."""
    if project is None:
        return False
    kept = project.setting(SHOW_ALL_SETTING)
    return bool(kept) if kept is not None else len(project.result_runs()) >= 2


def install_scene_panel(window, project=None, on_done=None) -> ScenePanel:
    """Dock the panel on ``window`` (View > Panels gets its toggle); returns it.  A finished run shows every
    person's results over the video, coloured per person (:class:`app.scene_overlay.SceneOverlay`)."""
    from app.scene_overlay import SceneOverlay

    shown_for_run = [False]

    def done(result) -> None:
        shown_for_run[0] = True
        overlay.load()  # each person's results (picked in Play, else the newest): this run's and earlier runs'
        if panel.show_all.isChecked():
            panel.show_shown(overlay.pids)
        if panel.project is None or panel.project.setting(SHOW_ALL_SETTING) is not False:
            panel.show_all.setChecked(True)  # unless the analyst turned it off (a walk found it on again)
        if on_done is not None:
            on_done(result)

    def show_all(on: bool) -> None:
        overlay.set_enabled(on)
        panel.show_shown(overlay.pids)
        if panel.project is not None and not panel.read_only():
            panel.project.set_setting(SHOW_ALL_SETTING, bool(on))

    panel = ScenePanel(on_done=done)
    panel.read_only = lambda: bool(getattr(getattr(window, "review", None), "read_only", False))
    panel.read_only_why = lambda: read_only_text(getattr(window, "review", None))
    overlay = panel.overlay = SceneOverlay(window)
    def ended() -> None:  # cancelled or failed: the results it stored are shown too (a walk's count stayed at 5)
        if not shown_for_run[0] and panel.project is not None:
            overlay.load()
            panel.show_shown(overlay.pids)
        shown_for_run[0] = False

    panel.show_all_changed.connect(show_all)
    panel.run_ended.connect(ended)
    panel.person_chosen.connect(lambda pid: window.select_person(pid, jump=False))
    panel.dock = window.add_panel("Whole scene", panel)
    panel.project_set.connect(lambda p: panel.show_all.setChecked(shows_all(p)))
    review = getattr(window, "review", None)
    if review is not None:  # unsaved strokes are saved or discarded as the analyst says, or the run waits
        panel.before_start = lambda: not review.panel.editor.dirty or review.panel.finish_edit()
    panel.set_project(project)
    window.scene_changed.connect(lambda _scene: panel.refresh_status())  # a homography given or estimated
    _project_menu_item(window, panel)
    return panel


def _project_menu_item(window, panel) -> None:
    """Project ▸ Whole Scene… (Ctrl+Shift+W): the Whole scene tab in front, after Generate Proposals (a laptop walk
    found it in no menu but View ▸ Panels, and no key to reach it)."""
    from PySide6.QtGui import QAction

    menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&Project"), None)
    if menu is None:
        return
    act = QAction("&Whole Scene…", window)
    act.setShortcut("Ctrl+Shift+W")
    act.triggered.connect(lambda _=False: (panel.dock.show(), panel.dock.raise_()))
    after = next((a for a in menu.actions() if a.text() == "&Generate Proposals…"), None)
    index = menu.actions().index(after) + 1 if after is not None else len(menu.actions())
    menu.insertAction(menu.actions()[index] if index < len(menu.actions()) else None, act)
    window.addAction(act)
    panel.menu_action = act

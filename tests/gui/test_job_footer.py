"""The one job-runner footer: busy, progress, cancel, done / failed states around a worker."""

import threading

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.job_footer import JobFooter
from humanseg_core.errors import HumansegError
from humanseg_core.jobs import Progress


def test_footer_runs_reports_and_cancels(qtbot):
    footer = JobFooter(unit="frames")
    qtbot.addWidget(footer)
    assert not footer.cancel_btn.isEnabled() and footer.progress.format() == "idle"
    go = threading.Event()

    def job(cancel):
        yield Progress(1, 4, "frame 1")
        go.wait(5)
        cancel.raise_if_cancelled()
        return "never"

    cancelled = []
    with qtbot.waitSignal(footer.running_changed, timeout=5000) as started:
        footer.start(job, "Test", on_cancelled=lambda: cancelled.append(True))
    assert started.args == [True] and footer.is_running() and footer.cancel_btn.isEnabled()
    qtbot.waitUntil(lambda: footer.progress.format().startswith("1/4 frames"), timeout=5000)
    with pytest.raises(RuntimeError, match="already running"):
        footer.start(job, "Again")
    with qtbot.waitSignal(footer.running_changed, timeout=5000) as ended:
        footer.cancel_btn.click()
        go.set()
    assert ended.args == [False] and cancelled == [True] and not footer.is_running()
    assert not footer.cancel_btn.isEnabled()


def test_footer_finish_and_fail(qtbot):
    footer = JobFooter()
    qtbot.addWidget(footer)

    def broken(cancel):
        raise HumansegError("video.mp4: cannot decode frame 3")
        yield

    with qtbot.waitSignal(footer.running_changed, timeout=5000, check_params_cb=lambda on: not on):
        footer.start(broken, "Broken", on_failed=lambda msg: footer.fail(f"Failed: {msg}"))
    assert "cannot decode frame 3" in footer.status.text() and footer.progress.format() == "failed"
    footer.finish("all written")
    assert footer.progress.value() == footer.progress.maximum() and "9be39b" in footer.status.styleSheet()


def test_a_preparing_stage_says_what_it_does_not_the_jobs_count(qtbot):
    """A walk's 200-frame segmentation began at "6/8 frames · ETA --:--": the proposals' sample frames."""
    footer = JobFooter(unit="frames")
    qtbot.addWidget(footer)
    footer.show_progress(Progress(6, 8, "preparing: sample frame 6 of 8", data={"stage": "prepare"}))
    assert footer.progress.format() == "preparing: sample frame 6 of 8"
    footer.show_progress(Progress(6, 200, "frame 106"))
    assert footer.progress.format().startswith("6/200 frames")


def test_the_scene_tab_names_label_cleaning_as_training():
    """A re-walk's Scene tab read "cleaning labels 11/11" beside a bar saying "Labels 0%"."""
    from app.scene_summary import stage_text

    assert stage_text("labels", "cleaning labels 11/11") == "Training: cleaning labels 11/11"

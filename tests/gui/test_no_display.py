"""Without a display the studio says so and exits 2, naming what to do (a walk: Qt aborted asking for a library
that was installed; make run ended in "Aborted")."""

import subprocess
import sys

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_reason_is_said_only_where_there_is_no_display():
    from app.main import no_display_problem

    said = no_display_problem({}, "linux")
    assert "no display" in said and "xvfb-run -a make run" in said
    assert no_display_problem({"DISPLAY": ":0"}, "linux") == ""
    assert no_display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert no_display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert no_display_problem({}, "darwin") == ""


@pytest.mark.skipif(sys.platform != "linux", reason="a display is a Linux question here")
def test_the_studio_without_a_display_exits_2_with_the_reason(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "--quit-after", "100"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "no display to open the window on" in done.stderr

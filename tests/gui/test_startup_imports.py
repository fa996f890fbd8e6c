"""Start-up never imports torch (2 s on 2 cores): the studio's window, with every panel, is built and shown
in a child process (a fresh interpreter: this one has imported torch already) and torch is not loaded."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
from app.main import main
code = main(["--quit-after", "300"], fast_exit=False)
print("EXIT", code)
print("TORCH", sorted(m for m in ("torch", "torchvision", "ray") if m in sys.modules))
"""


def test_starting_the_studio_does_not_import_torch(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path),
               OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert "EXIT 0" in out.stdout, out.stderr[-2000:]
    assert "TORCH []" in out.stdout, out.stdout

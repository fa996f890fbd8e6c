"""The core stays Qt-free: checked by import-linter's contract and by a fresh interpreter."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_holds():
    import os

    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert lint_imports(config_filename=str(ROOT / ".importlinter")) == 0
    finally:
        os.chdir(cwd)


def test_core_import_pulls_in_no_qt():
    code = (
        "import sys, importlib, pkgutil, humanseg_core\n"
        "for m in pkgutil.walk_packages(humanseg_core.__path__, 'humanseg_core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6','PyQt5','PyQt6','shiboken6','app')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

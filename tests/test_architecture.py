"""The core stays Qt-free: checked by import-linter's contract and by a fresh interpreter."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_IMPORT = (
    "import sys, importlib, pkgutil, humanseg_core\n"
    "for m in pkgutil.walk_packages(humanseg_core.__path__, 'humanseg_core.'):\n"
    "    importlib.import_module(m.name)\n"
    "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6','PyQt5','PyQt6','shiboken6','app')]\n"
    "assert not bad, bad\n"
)


class CoreImportCheck:
    """A fresh interpreter that imports every module of the core and fails if Qt or the app came with them
    (~6 s on one core: torch and torchvision included).  It starts at once; tests/conftest.py makes one
    before the first test of a session that holds :func:`test_core_import_pulls_in_no_qt`, so that it runs
    beside the first tests.  Its stderr goes to a temporary file (a pipe could fill and stall it)."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()
        self.child = subprocess.Popen([sys.executable, "-c", CORE_IMPORT], cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=self.log)

    def result(self) -> tuple[int, str]:
        """(exit code, stderr) once the child has ended."""
        code = self.child.wait()
        self.log.seek(0)
        return code, self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.child.poll() is None:  # the session ended before its test ran (-x, Ctrl+C)
            self.child.kill()
            self.child.wait()
        self.log.close()


def test_import_linter_contract_holds():
    # in a child process: import-linter reconfigures logging, which would silence caplog in later tests
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_core_import_pulls_in_no_qt(core_import_check):
    check = core_import_check or CoreImportCheck()
    code, stderr = check.result()
    assert code == 0, stderr

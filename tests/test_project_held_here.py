"""A project open in this process (the studio) and opened again here (an import's job), then by a command in
another process: the command must not take itself for the project's only user and delete the WAL file the studio
writes to (a walk: every decision after an Import Masks and a `humanseg status` was lost)."""

import subprocess
import sys

import numpy as np
from fakes import jpeg_project

from humanseg_core.project import Project
from humanseg_core.records import Proposal

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _in_another_process(code: str, folder) -> str:
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                          f"from humanseg_core.project import Project; {code}", str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_second_opening_here_keeps_this_process_locks(tmp_path):
    (tmp_path / "t.txt").write_text("10 1 1.0 1.0\n")
    mask = np.zeros((36, 48), bool)
    mask[5:20, 10:18] = True
    with jpeg_project(tmp_path, range(10, 13), (36, 48), lambda f: 40) as studio:
        studio.add_proposals([Proposal(frame=10, pid=1, box=(10, 5, 18, 20), mask=mask, source="bgs")])
        shown = studio.proposals(1, with_masks=False)[0].id
        with Project.open(tmp_path / "proj"):  # the import's job
            pass
        _in_another_process("Project.open(sys.argv[1]).close()", tmp_path / "proj")  # `humanseg status`
        assert (tmp_path / "proj" / "project.sqlite-wal").exists()
        studio.set_status(shown, "accepted")  # the studio's next decision
        seen = _in_another_process("print(Project.open(sys.argv[1]).proposals(1, with_masks=False)[0].status)",
                                   tmp_path / "proj")
    assert seen == "accepted"

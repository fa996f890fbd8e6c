"""An export that cannot be written: nothing half-made is left, and what it says of the project follows the caller."""

import errno

import pytest

from humanseg_core.export import ExportError, atomic


def test_atomic_folder_leaves_no_trace_on_cancel(tmp_path):
    from humanseg_core.errors import Cancelled

    with pytest.raises(Cancelled):
        with atomic.atomic_folder(tmp_path / "t") as tmp:
            atomic.write_text(tmp / "a.txt", "x")
            raise Cancelled("stop")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_after_results_were_stored_does_not_call_the_project_untouched(tmp_path):
    """A walk: `segment --out` on a full disk had stored its results, then said "the project [is] untouched"."""
    from humanseg_core.workflows.scene_sink import RUN_KEPT

    for after, said in ((atomic.RESULTS_KEPT, "keeps the results just stored"), (RUN_KEPT, "stored so far")):
        with pytest.raises(ExportError) as err, atomic.atomic_folder(tmp_path / "out", after=after):
            raise OSError(errno.ENOSPC, "No space left on device")
        assert "disk is full" in str(err.value) and said in str(err.value) and "untouched;" in str(err.value)
        assert "and the project are untouched" not in str(err.value) and not (tmp_path / "out").exists()


def test_what_a_failed_write_says_of_the_project_follows_the_caller(tmp_path, monkeypatch):
    """A mutation audit: `after` dropped where the temporary folder cannot be made, or from the message of an
    error other than a full disk, went unnoticed."""
    import tempfile

    with pytest.raises(ExportError) as err, atomic.atomic_folder(tmp_path / "a", after=atomic.RESULTS_KEPT):
        raise OSError(errno.EACCES, "Permission denied")
    assert "cannot write the export" in str(err.value) and "keeps the results just stored" in str(err.value)

    def no_room(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_room)
    monkeypatch.setattr(atomic, "probe", lambda parent: None)  # (the probe makes a temporary folder too)
    with pytest.raises(ExportError) as err, atomic.atomic_folder(tmp_path / "b", after=atomic.RESULTS_KEPT):
        pass
    assert "disk is full" in str(err.value) and "keeps the results just stored" in str(err.value)


@pytest.mark.parametrize("command", ["segment", "run"])
def test_a_full_disk_under_out_after_results_were_stored_says_so(local_run, tmp_path, monkeypatch, capsys, command):
    """A walk: `segment --out` (and `run --out`) on a full disk stored results, then said "the project [is]
    untouched"."""
    import shutil

    from humanseg_core.cli import main

    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")

    def full(path, image):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_png", full)
    argv = (["segment", "--pid", "1", "--frames", "0:3"] if command == "segment" else
            ["run", "--pids", "1", "--steps-per-person", "1", "--refine", "none"])
    assert main([*argv, "--project", str(folder), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "disk is full" in err and "and the project are untouched" not in err
    assert ("keeps the results just stored" if command == "segment" else "the results stored so far") in err

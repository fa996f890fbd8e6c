"""Issue 10: ``export --force`` never deletes a project or checkpoints; a swap killed between its renames is
finished or undone by the next export of the same target."""

from __future__ import annotations

import os

import numpy as np
import pytest

from humanseg_core.export import ExportError, export_job
from humanseg_core.export.guard import protected_problem, recover
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "proj", ProjectInputs(video=str(tmp_path / "v.mp4"),
                                                         trajectories=str(tmp_path / "t.txt")))
    mask = np.zeros((8, 10), bool)
    mask[2:5, 3:7] = True
    p.add_proposals([Proposal(frame=f, pid=3, box=(3, 2, 7, 5), mask=mask, source="bgs", status="accepted")
                     for f in (1, 2)])
    (p.folder / "checkpoints").mkdir()
    (p.folder / "checkpoints" / "pid3_fast_20260101-000000.pt").write_bytes(b"trained for an hour")
    yield p
    p.close()


def _tree(root):
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file())


def _export(project, out, fmt="mots"):
    return run_job(export_job(project, [3], fmt, out, force=True))


@pytest.mark.parametrize("where", ["checkpoints", "checkpoints/sub", "holder", "holder/deeper", "ckdir", "jobs",
                                   "jobs/sub", "parent"])
def test_force_never_replaces_projects_or_checkpoints(tmp_path, project, where):
    other = Project.create(tmp_path / "holder" / "deeper" / "other", ProjectInputs(video="v", trajectories="t"))
    other.close()
    (tmp_path / "ckdir" / "runs" / "checkpoints").mkdir(parents=True)
    (tmp_path / "ckdir" / "runs" / "checkpoints" / "x.pt").write_bytes(b"weights")
    inside = where.startswith(("checkpoints", "jobs", "parent"))  # the project's own folders (a data-safety review:
    target = project.folder / where if inside else tmp_path / where  # an export in P/jobs was tidied away)
    target.mkdir(parents=True, exist_ok=True)
    before = _tree(tmp_path)
    with pytest.raises(ExportError, match="refusing"):
        _export(project, target)
    assert _tree(tmp_path) == before


def test_an_export_inside_the_project_folder_is_fine(project):
    summary = _export(project, project.folder / "exports" / "mots")
    assert summary["masks"] == 2 and (project.folder / "checkpoints").is_dir()
    assert protected_problem(project.folder / "exports") is None
    assert protected_problem(project.folder.parent / "jobs") is None  # a folder named so beside no project file


def test_a_link_to_a_project_inside_the_target_is_not_followed(tmp_path, project):
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(project.folder, out / "link")
    with pytest.raises(ExportError, match="export's .humanseg-export stamp \\(link/"):  # a link: not an export
        _export(project, out)
    assert (project.folder / "project.sqlite").exists() and (out / "link").is_symlink()
    os.remove(out / "link")
    (out / "notes.mp4").write_bytes(b"v")  # a file no export writes: kept, and the export refused
    with pytest.raises(ExportError, match="without an export's .humanseg-export stamp"):
        _export(project, out)
    assert (out / "notes.mp4").read_bytes() == b"v"


def test_force_replaces_an_earlier_export_and_its_folders_are_readable(tmp_path, project):
    """A new-user walk: Export Masks into <project>/exports replaced it whole, deleting an MP4 and another
    export there (now refused, above); and export folders were created 0700 (from the temporary folder), so
    colleagues could not read them."""
    from humanseg_core.export.guard import STAMP

    out = tmp_path / "out"
    _export(project, out, "palette")
    assert (out / STAMP).is_file()
    assert os.stat(out).st_mode & 0o777 == 0o777 & ~_umask()
    _export(project, out, "mots")  # an earlier export (stamped): replaced
    assert (out / "instances.txt").is_file() and (out / STAMP).is_file()
    # a folder of PNGs without the stamp: ground truth, a video's frames (a walk's `run --out` replaced both)
    legacy = tmp_path / "gt"
    (legacy / "3").mkdir(parents=True)
    (legacy / "3" / "00001.png").write_bytes(b"png")
    (legacy / "skipped.txt").write_text("")
    with pytest.raises(ExportError, match=r"without an export's .humanseg-export stamp \(3/, skipped.txt\)"):
        _export(project, legacy)
    assert (legacy / "3" / "00001.png").read_bytes() == b"png" and not (legacy / STAMP).exists()
    # a stamp of 2-3 Dec, its header alone: --force deleted the notes and scores added to it (a data-safety review)
    (legacy / STAMP).write_text("HumanSeg Studio export: replacing this folder with a new export deletes it whole\n")
    (legacy / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="lists none of its files"):
        _export(project, legacy)
    assert (legacy / "notes.txt").read_text() == "mine"
    # an export with what someone added beside it (scores, notes): refused, naming them; the export alone: replaced
    (out / "scores.csv").write_text("J\n0.8\n")
    (out / "mynotes").mkdir()
    (out / "mynotes" / "n.md").write_text("keep")
    with pytest.raises(ExportError, match="holds mynotes/, scores.csv, which no export wrote"):
        _export(project, out, "mots")
    assert (out / "scores.csv").is_file() and (out / "mynotes" / "n.md").is_file()
    (out / "scores.csv").unlink()
    (out / "mynotes" / "n.md").unlink()
    (out / "mynotes").rmdir()
    _export(project, out, "palette")
    assert "instances.txt" not in {p.name for p in out.iterdir()}
    holder = tmp_path / "exports"  # a folder holding exports is not one
    _export(project, holder / "a")
    with pytest.raises(ExportError, match="without an export's .humanseg-export stamp"):
        _export(project, holder)
    assert (holder / "a" / STAMP).is_file()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("killed_after", ["new", "old", "tmp-only"])
def test_an_interrupted_swap_is_finished_or_undone(tmp_path, project, killed_after):
    out = tmp_path / "out"
    _export(project, out)
    first = _tree(out)
    parent = out.parent
    (parent / ".out.tmp-abcdefgh").mkdir()  # a partial export killed while writing
    (parent / ".out.tmp-abcdefgh" / "half.txt").write_text("x")
    if killed_after in ("new", "old"):
        os.rename(out, parent / ".out.new-1-abcdefgh")  # a complete new export, renamed, not yet in place
    if killed_after == "old":
        os.rename(parent / ".out.new-1-abcdefgh", parent / ".out.old-abcdefgh")  # old aside, new lost
    notes = recover(out)
    assert out.is_dir() and _tree(out) == first
    assert sorted(p.name for p in parent.iterdir() if p.name.startswith(".out.")) == []
    assert any("removed the remains" in n for n in notes)
    summary = _export(project, out)  # and the next export works
    assert "recovered" not in summary


def test_another_live_export_of_the_same_target_is_left_alone(tmp_path):
    """A walk: a second `run` on the same --out deleted the first one's staging folder as 'the remains of an
    interrupted export'. A staging folder names its writer; while that process runs, it is not debris."""
    import subprocess

    from humanseg_core.export.guard import recover

    target = tmp_path / "out"
    writer = subprocess.Popen(["sleep", "30"])
    try:
        live = tmp_path / f".out.tmp-{writer.pid}-abcdefgh"
        live.mkdir()
        dead = tmp_path / ".out.tmp-xyzxyzxy"  # an older name, or a writer long gone: debris
        dead.mkdir()
        notes = recover(target)
        assert live.is_dir() and not dead.exists() and len(notes) == 1
    finally:
        writer.kill()
        writer.wait()
    recover(target)
    assert not live.exists()


def test_an_interrupted_export_is_not_put_over_what_the_analyst_added_since(tmp_path, project):
    """An audit: a swap killed after its first rename left .out.new-*; the analyst then put notes and scores into
    the earlier export; the next export, refused for them, had first put the new one in place and deleted both."""
    out = tmp_path / "out"
    _export(project, out)
    (tmp_path / ".out.new-1-abcdefgh").mkdir()  # a complete export, killed before it took the target's place
    (tmp_path / ".out.new-1-abcdefgh" / "instances.txt").write_text("new")
    (tmp_path / ".out.new-1-abcdefgh" / ".humanseg-export").write_text("stamped")  # (complete: stamped)
    (out / "my_review_notes.txt").write_text("frames 120-140 checked")
    (out / "eval").mkdir()
    (out / "eval" / "scores.csv").write_text("pid,J\n3,0.81\n")
    notes = recover(out)
    assert any("was not put in place" in n and "my_review_notes.txt" in n for n in notes)
    assert (out / "my_review_notes.txt").is_file() and (out / "eval" / "scores.csv").is_file()
    assert (tmp_path / ".out.new-1-abcdefgh" / "instances.txt").read_text() == "new"  # kept too
    with pytest.raises(ExportError, match="no export wrote"):
        run_job(export_job(project, [3], "mots", out, force=True))
    assert (out / "my_review_notes.txt").is_file() and (out / "eval" / "scores.csv").is_file()


def test_force_never_deletes_a_file_added_inside_an_exports_sub_folders(tmp_path, project):
    """An audit: a mask drawn by hand into a DAVIS export's sequence folder, and notes beside it, went with the
    next forced export (sub-folders were checked for the kinds of files exports write, not for what it wrote)."""
    from humanseg_core.inputs.frames import FolderFrames

    video = tmp_path / "video"
    video.mkdir()
    import cv2

    for f in range(4):
        cv2.imwrite(str(video / f"{f:05d}.jpg"), np.full((8, 10, 3), 100, np.uint8))
    out = tmp_path / "out"
    run_job(export_job(project, [3], "davis", out, frames=FolderFrames(video)))
    seq = next((out / "Annotations").rglob("person_3"))
    drawn = seq / "00003.png"
    drawn.write_bytes((seq / "00001.png").read_bytes())
    with pytest.raises(ExportError, match="00003.png, which no export wrote"):
        run_job(export_job(project, [3], "davis", out, force=True, frames=FolderFrames(video)))
    assert drawn.is_file()
    drawn.unlink()  # only what the export wrote: replaced, as before
    run_job(export_job(project, [3], "davis", out, force=True, frames=FolderFrames(video)))
    assert (seq / "00001.png").is_file()


def test_a_mask_fixed_in_place_is_never_replaced_and_browser_files_are_not_work(tmp_path, project):
    """A review: a mask fixed by hand under its own name went with the next forced export (the stamp listed
    names only). Sizes are recorded; what a file browser leaves (.DS_Store) counts as nothing."""
    from humanseg_core.export.guard import not_an_export

    out = tmp_path / "out"
    _export(project, out, "palette")
    png = sorted(out.glob("*.png"))[0]
    (out / ".DS_Store").write_bytes(b"\0" * 40)  # Finder looked at the folder
    assert not_an_export(out) is None
    original = png.read_bytes()
    png.write_bytes(original + b"\0" * 16)  # fixed in an image editor, the same name
    with pytest.raises(ExportError, match=rf"{png.name} \(changed since\), which no export wrote as it is now"):
        _export(project, out, "palette")
    assert png.read_bytes() == original + b"\0" * 16
    png.write_bytes(original)
    stat = png.stat()
    os.utime(png, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the same size, saved again: a fix kept its size
    with pytest.raises(ExportError, match=r"\(changed since\)"):
        _export(project, out, "palette")
    again = tmp_path / "again"
    _export(project, again, "palette")
    _export(project, again, "palette")  # as written: replaced as before


def test_a_refusal_counts_every_file_not_as_written(tmp_path, project):
    """A walk: a DAVIS export copied without its files' times was refused with "… and 1 more" for 640 files."""
    import shutil

    import cv2

    from humanseg_core.export.guard import STAMP, not_an_export
    from humanseg_core.inputs.frames import FolderFrames

    video = tmp_path / "video"
    video.mkdir()
    for f in range(4):
        cv2.imwrite(str(video / f"{f:05d}.jpg"), np.full((8, 10, 3), 100, np.uint8))
    out = tmp_path / "out"
    run_job(export_job(project, [3], "davis", out, frames=FolderFrames(video)))  # masks in sub-folders
    files = [p for p in out.rglob("*") if p.is_file() and p.name != STAMP]
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, copy_function=shutil.copy)  # contents, not times
    said = not_an_export(copy)
    assert said is not None and f"and {len(files) - 3} more" in said and "(changed since)" in said
    assert not_an_export(out) is None


def test_a_failed_last_rename_puts_the_previous_export_back(tmp_path, project, monkeypatch):
    """The swap's last step (the new export onto the target) failing must leave the earlier export in place."""
    from humanseg_core.export import atomic

    out = tmp_path / "out"
    _export(project, out)
    first = _tree(out)
    real = os.rename

    def rename(src, dst):
        if ".out.new-" in str(src) and str(dst) == str(out):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(ExportError, match="cannot write the export"):
        _export(project, out, "palette")
    assert _tree(out) == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


def test_of_two_interrupted_exports_the_newer_is_put_in_place(tmp_path, project):
    out = tmp_path / "out"
    _export(project, out)
    os.rename(out, tmp_path / ".out.new-1-olderxxx")  # two complete exports killed before being put in place
    (tmp_path / ".out.new-1-newerxxx").mkdir()
    (tmp_path / ".out.new-1-newerxxx" / ".humanseg-export").write_text("stamped")  # (complete: stamped)
    for name, text, age in ((".out.new-1-olderxxx", "older", 200), (".out.new-1-newerxxx", "newer", 100)):
        folder = tmp_path / name
        (folder / "which.txt").write_text(text)
        os.utime(folder, (folder.stat().st_atime, folder.stat().st_mtime - age))
    recover(out)
    assert (out / "which.txt").read_text() == "newer"
    assert not (tmp_path / ".out.new-1-olderxxx").exists() and not (tmp_path / ".out.new-1-newerxxx").exists()


def test_an_export_through_a_link_goes_where_it_points_and_a_dangling_one_is_said(tmp_path, project):
    """A walk: `--out L`, a link to a folder, was replaced by a folder (the link renamed away, the folder it named
    left empty); a link to nothing gave a raw "[Errno 20] Not a directory"."""
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "L")
    summary = _export(project, tmp_path / "L")
    assert summary["masks"] == 2 and (tmp_path / "L").is_symlink() and any((tmp_path / "real").iterdir())
    assert os.readlink(tmp_path / "L") == str(tmp_path / "real")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing renamed away
    os.symlink(tmp_path / "nowhere", tmp_path / "D")
    with pytest.raises(ExportError, match="a link to .*nowhere, which does not exist"):
        _export(project, tmp_path / "D")
    with pytest.raises(ExportError, match="the folder holds the project"):  # not "over a project folder"
        _export(project, tmp_path)


def test_an_export_through_a_link_recovers_beside_the_folder_it_points_to(tmp_path, project):
    """A review: recovered on the link's side, a killed export's temporary folder beside the real folder stayed,
    and a swap interrupted with the old export moved aside left the link pointing at nothing ("make that
    folder") while both exports sat hidden."""
    real = tmp_path / "data" / "exp"
    real.parent.mkdir()
    _export(project, real)
    first = _tree(real)
    os.symlink(real, tmp_path / "L")
    os.rename(real, real.parent / ".exp.new-1-abcdefgh")  # complete, not yet in place: the link points at nothing
    (real.parent / ".exp.tmp-999999-xxxxxxxx").mkdir()  # a partial one of a process that is gone
    summary = _export(project, tmp_path / "L")
    assert summary["masks"] == 2 and (tmp_path / "L").is_symlink()
    assert [n for n, _size in _tree(real)] == [n for n, _size in first]
    assert "recovered" in summary and not [p for p in real.parent.iterdir() if p.name.startswith(".")]


def test_a_relative_link_is_followed_from_its_own_folder(tmp_path, project, monkeypatch):
    """A mutation audit: the link read with readlink (relative to the working folder) went unnoticed."""
    (tmp_path / "exports" / "real").mkdir(parents=True)
    os.symlink("real", tmp_path / "exports" / "L")  # relative to the link's folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _export(project, tmp_path / "exports" / "L")["masks"] == 2
    assert any((tmp_path / "exports" / "real").iterdir()) and not any(elsewhere.iterdir())


def test_an_exports_extra_adds_to_its_summary_and_never_replaces_it(tmp_path, project):
    """A review: ``extra`` (a run's ``made``) was merged last, so a key of the summary's own could be replaced."""
    import json

    out = tmp_path / "out"
    run_job(export_job(project, [3], "palette", out, extra={"made": "a run"}))
    summary = json.loads((out / "export.json").read_text())
    assert summary["made"] == "a run" and summary["persons"] == [3]
    with pytest.raises(ValueError, match="persons"):
        run_job(export_job(project, [3], "palette", tmp_path / "out2", extra={"persons": [9]}))


def test_an_interrupt_during_the_swap_waits_until_the_export_is_in_place(tmp_path, project, monkeypatch, capsys):
    """A data-safety walk: Ctrl-C while the swap flushed the new export left it in place, the previous one moved
    aside (deleted by the next export), and the message said the folder was as it was."""
    import signal

    from humanseg_core.cli import main
    from humanseg_core.export import atomic

    out = tmp_path / "out"
    _export(project, out, "mots")
    real = atomic._flush

    def flush(folder):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the swap
        real(folder)

    monkeypatch.setattr(atomic, "_flush", flush)
    code = main(["export", "--project", str(project.folder), "--pids", "all", "--format", "palette", "--force",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 130 and "instances.txt" not in {p.name for p in out.iterdir()}  # the new export, whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []  # none moved aside
    assert f"the export in {out} was written whole before it" in err and "is as it was" not in err


def test_an_export_another_command_put_in_place_meanwhile_is_never_replaced(tmp_path):
    """A data-safety walk: two `run`s on one --out at once both said "masks in outC"; outC held the second's alone
    (run --out replaces its folder whole, with force)."""
    from humanseg_core.export.atomic import atomic_folder
    from humanseg_core.export.guard import STAMP, stamp_text

    out = tmp_path / "outC"
    with pytest.raises(ExportError, match="another command put an export there while this one wrote its own"):
        with atomic_folder(out, force=True) as mine:
            (mine / "who.txt").write_text("first, slow")
            out.mkdir()  # the other command's export, done sooner (another process: its own staging folder)
            (out / "who.txt").write_text("second, quick")
            (out / STAMP).write_text(stamp_text(out))
    assert (out / "who.txt").read_text() == "second, quick"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".outC.")] == []
    with atomic_folder(out, force=True) as again:  # one at a time: replaced, as before
        (again / "who.txt").write_text("third")
    assert (out / "who.txt").read_text() == "third"



def test_hidden_folders_named_like_an_exports_own_are_not_taken_for_them(tmp_path, project):
    """A data-safety review: the analyst's .ex.old-backup and .ex.tmp-keep beside export ex were deleted as "the
    remains of an interrupted export", and .ex.new-draft (no stamp) was put in place of ex."""
    out = tmp_path / "ex"
    _export(project, out)
    first = _tree(out)
    for name in (".ex.old-backup", ".ex.tmp-keep", ".ex.new-draft", ".ex.new-1-abcdefgh"):  # the last: not stamped
        (tmp_path / name).mkdir()
        (tmp_path / name / "a").write_text("mine")
    import shutil

    for name in (".ex.old-20261207", ".ex.tmp-backup01"):  # copies of the export (stamped): a dated backup, a
        shutil.copytree(out, tmp_path / name)  # name of eight letters and digits (a review: both deleted)
        (tmp_path / name / "a").write_text("mine")
    notes = recover(out)
    assert notes == [] and _tree(out) == first
    assert all((tmp_path / name / "a").read_text() == "mine"
               for name in (".ex.old-backup", ".ex.tmp-keep", ".ex.new-draft", ".ex.new-1-abcdefgh",
                            ".ex.old-20261207", ".ex.tmp-backup01"))

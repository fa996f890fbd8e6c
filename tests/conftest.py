"""Shared fixtures. Real data lives in ../shared/data; tests that need it skip cleanly when it is absent."""

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _private_user_settings() -> None:
    """The studio's settings (recent files, dock layout, export choices) of this test process in a folder of
    its own: tests never read or change the user's, nor each other's (a layout one test's window saved on
    close once made another's window open taller than the screen)."""
    import atexit
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="humanseg-test-config-")
    os.environ["XDG_CONFIG_HOME"] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


_private_user_settings()
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The Path to ../shared/data, or skip the test when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Iterator[Path]:
    """The demo scene the whole-scene tests run on (seed 0, 21 frames, 360x288; persons 1 and 2 among others,
    their tracks spanning frames 0-20), written once per session.  Read it only: a test that changes it
    works on a copy (shutil.copytree); the teardown checks that no file of it was changed, added or removed."""
    from humanseg_core.demo import write_demo

    demo = write_demo(tmp_path_factory.mktemp("small-demo") / "demo", n_frames=21, width=360, height=288)
    before = _listing(demo)
    yield demo
    assert _listing(demo) == before, f"a test changed the shared demo {demo}: copy it first"


@pytest.fixture(scope="session")
def demo60(tmp_path_factory) -> Path:
    """A 60-frame demo scene (720x576) for the homography estimate (``humanseg calibrate``): 21 frames hold
    too few positions to match. Read it only."""
    from humanseg_core.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo60") / "demo", n_frames=60)


@pytest.fixture
def still_demo60(demo60, tmp_path) -> Path:
    """demo60's frames, every one a copy of the first: a video where nobody moves (the homography estimate
    is refused there)."""
    import shutil

    still = tmp_path / "still"
    shutil.copytree(demo60 / "frames", still)
    first = sorted(still.iterdir())[0].read_bytes()
    for frame in sorted(still.iterdir())[1:]:
        frame.write_bytes(first)
    return still


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="session", autouse=True)
def core_import_check(request) -> Iterator[object]:
    """test_architecture's core-import check (a fresh interpreter importing every core module, ~6 s of one
    core) started before the first test of a session that holds that test, so that it runs beside the first
    tests on the other core instead of after them; the test waits for its result.  None in other sessions."""
    if not any(item.name == "test_core_import_pulls_in_no_qt" for item in request.session.items):
        yield None
        return
    from test_architecture import CoreImportCheck

    check = CoreImportCheck()
    yield check
    check.stop()


def _hypothesis_profiles() -> None:
    """CI runs the fuzz tests derandomized (same examples every run); locally they explore afresh."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()


@pytest.fixture
def bare_project(tmp_path):
    """An empty project (inputs named, not opened) in ``tmp_path / "proj"``, closed after the test."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    p = Project.create(tmp_path / "proj", ProjectInputs(video=str(tmp_path / "v"), trajectories=str(tmp_path / "t")))
    yield p
    p.close()


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for the module: the same arithmetic in every run (and no oversubscription)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, one_thread, small_demo):
    """The whole-scene run of ``scene_run_setup`` on the small demo, once per module: (root, demo, result,
    {pid: results}, reports)."""
    from scene_run_setup import PIDS, config, inputs

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.workflows.scene_run import scene_run_job

    root, demo = tmp_path_factory.mktemp("scene"), small_demo
    project = Project.create(root / "proj", inputs(demo))
    reports: list = []
    try:
        result = run_job(scene_run_job(project, config(out=root / "out")), reports.append)
        results = {pid: project.results(pid) for pid in PIDS}
    finally:
        project.close()
    return root, demo, result, results, reports

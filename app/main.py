"""Entry point of ``humanseg-studio``: parse the command line, open the inputs, run the window.

    humanseg-studio [VIDEO] [--trajectories T] [--homography H] [--h-order uv|rowcol]
                    [--h-direction pixel-to-world|world-to-pixel] [--format|--traj-format auto|trajnet|obsmat]
                    [--frame-offset N] [--frame-step N] [--skip-bad-lines] [--demo] [--frame F] [--select PID] [--play]
                    [--screenshot PNG] [--quit-after MS]

VIDEO may be a scene folder holding ``frames/``, ``trajectories.txt`` and ``H.txt``: all three open.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from humanseg_core.inputs.homography import DIRECTIONS, ORDERS
from humanseg_core.inputs.trajectories import FORMATS
from humanseg_core.records import ProjectInputs

STYLE = Path(__file__).with_name("style.qss")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="humanseg-studio",
                                description="HumanSeg Studio: segment chosen pedestrians, or every person of a "
                                            "scene, along their trajectories.")
    p.add_argument("video", nargs="?", help="a video file, a folder of frames, or a scene folder")
    p.add_argument("--trajectories", "-t", help="trajectory file (4 columns frame pid x y, or ETH obsmat)")
    p.add_argument("--homography", "-H", help="3x3 homography file (pixel -> world by default)")
    p.add_argument("--h-order", choices=ORDERS, default="uv", help="how the matrix takes the pixel (default uv)")
    p.add_argument("--h-direction", choices=DIRECTIONS, default="pixel-to-world")
    p.add_argument("--format", "--traj-format", dest="format", choices=["auto", *FORMATS], default="auto",
                   help="trajectory format")
    p.add_argument("--frame-offset", type=int, default=0, help="video frame = offset + step x annotation frame")
    p.add_argument("--frame-step", type=int, default=1)
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="leave out bad rows of the trajectory file (the banner names them) instead of asking")
    p.add_argument("--demo", action="store_true", help="open the built-in demo scene")
    p.add_argument("--project", "-p", metavar="FOLDER",
                   help="open a HumanSeg project folder (its inputs come with it); with a video and trajectories "
                        "given too, a new or empty folder becomes a new project of them")
    p.add_argument("--frame", type=int, help="start at this video frame")
    p.add_argument("--select", type=int, metavar="PID", help="select this person")
    p.add_argument("--play", action="store_true", help="start playing")
    p.add_argument("--screenshot", metavar="PNG", help="save a picture of the window (after --quit-after or 1.5 s)")
    p.add_argument("--quit-after", type=int, metavar="MS", help="quit this many milliseconds after start")
    return p


def inputs_from_args(args: argparse.Namespace) -> ProjectInputs | None:
    """The inputs the command line names, or None when it names none (a scene folder fills all three)."""
    if not args.video:
        return None
    from .open_dialog import scene_folder_inputs

    scene = scene_folder_inputs(Path(args.video)) if Path(args.video).is_dir() else None
    return ProjectInputs(
        video=scene.video if scene else args.video,
        trajectories=args.trajectories or (scene.trajectories if scene else ""),
        homography=args.homography or (scene.homography if scene else None),
        h_order=args.h_order, h_direction=args.h_direction, traj_format=args.format,
        frame_offset=args.frame_offset, frame_step=args.frame_step, skip_bad_lines=args.skip_bad_lines,
    )  # fmt: skip


def style_sheet() -> str:
    """The studio's style sheet; its images (``@HERE@/name.svg``) by full path, since ``url()`` in a style
    sheet is relative to the working folder."""
    if not STYLE.is_file():
        return ""
    return STYLE.read_text(encoding="utf-8").replace("@HERE@", STYLE.parent.as_posix())


def load_style(app: QApplication) -> None:
    sheet = style_sheet()
    if sheet and app.styleSheet() == sheet:  # already so: set again, Qt polishes every widget anew (0.2 s)
        return
    app.setStyle("Fusion")
    app.setStyleSheet(sheet)


def save_screenshot(window, path: str) -> bool:
    ok = window.grab().save(path)
    print(f"screenshot {'saved to' if ok else 'FAILED:'} {path}", file=sys.stderr)
    return ok


def close_scripted(window) -> None:
    """``--quit-after``/``--screenshot``: close the message boxes open (a bad input's, already said on
    stderr), then the window, from the main event loop."""
    for _ in range(8):
        modal = QApplication.activeModalWidget()
        if modal is None:
            break
        modal.close()
    window.scripted_quit = True
    QTimer.singleShot(0, window.close)


def exit_now(window, code: int) -> None:
    """End the process at once after the window closed with no job left running.

    Tearing the interpreter down after ``app.exec()`` took 2-3 s (2.3 s measured at a load of 9 on 2 cores,
    the tester saw 4-5 s) once torch and torchvision are imported (the device label, any training): that is
    the modules' and objects' teardown, while the window's own close took 16-30 ms.  Nothing is left to save
    by then, so settings are synced, the open project closed, the ``atexit`` handlers run (project locks,
    logging) and the process ends without the teardown.  With a job still running (it did not stop within
    the close's bounded wait) the normal exit is kept, so the job's cleanup is not cut short."""
    from .worker import running_workers

    if running_workers():
        return
    review = getattr(window, "review", None)
    if review is not None and getattr(review, "project", None) is not None:
        review.close_project()
    window.recent.settings.sync()
    from humanseg_core.process_end import end_process

    end_process(code)


def _scene_not_project(args: argparse.Namespace) -> str:
    """``--project`` naming a scene folder (frames/, trajectories.txt, H.txt) and no project, with no inputs
    given: opened as the scene (``args`` changed so), and the words that say so; "" otherwise. A walk's
    `--project SCENE` said only "not a HumanSeg project" and opened nothing."""
    from humanseg_core.project import FILENAME

    from .open_dialog import scene_folder_inputs

    if not args.project or args.video or Path(args.project, FILENAME).exists():
        return ""
    if scene_folder_inputs(Path(args.project)) is None:
        return ""
    said = (f"{args.project} is a scene folder, not a project: opened as a scene (Project ▸ New Project… makes "
            "its project)")
    print(f"humanseg-studio: {said}", file=sys.stderr)
    args.video, args.project = args.project, None
    return said


def _holds_project(folder: str) -> bool:
    """Whether ``folder`` is a project (or its project file), or anything else that is not a new or empty
    folder (opening it says why it is not a project)."""
    from humanseg_core.project import FILENAME

    path = Path(folder)
    try:
        return path.name == FILENAME or (path / FILENAME).exists() or (path.is_dir() and any(path.iterdir())) \
            or (path.exists() and not path.is_dir())
    except OSError:  # unreadable: opening it says why
        return True


def no_display_problem(env=None, platform: str | None = None) -> str:
    """Why the window cannot open here ("" when it can): on Linux without a display (no DISPLAY nor WAYLAND_DISPLAY)
    and no Qt platform chosen."""
    env = os.environ if env is None else env
    if (platform or sys.platform) != "linux" or env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or \
            env.get("WAYLAND_DISPLAY"):
        return ""
    return ("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). On a desktop, run it "
            "there; over ssh, `ssh -X`; on a machine without a screen, `xvfb-run -a make run` (the command line, "
            "`humanseg --help`, needs none)")


def main(argv: list[str] | None = None, fast_exit: bool | None = None) -> int:
    """Run the studio; ``fast_exit`` (default: when run as the program, ``argv`` None) ends the process
    right after the window closes (:func:`exit_now`) instead of returning the exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    missing = no_display_problem()
    if missing and QApplication.instance() is None:  # Qt would abort naming a library (a walk: "xcb-cursor0 ...
        print(f"humanseg-studio: {missing}", file=sys.stderr)  # is needed", installed; no display was the cause)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("HumanSeg Studio")
    app.setOrganizationName("HumanSeg")
    load_style(app)
    from .dock_layout import restore_layout
    from .gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(app)  # cyclic garbage (Qt objects included) is collected on this thread only
    from .main_window import MainWindow
    from .panels import install_panels, place_on_screen, raise_start_tab

    window = install_panels(MainWindow())
    place_on_screen(window)  # maximised on a laptop screen, at most 1920x1200 centred on a larger one
    from .warm_up import warm_up_later

    warm_up_later()  # the first dialogs' modules, in the background once the window is up
    if restore_layout(window, window.recent.settings):  # the docks as the analyst left them
        raise_start_tab(window)  # the tab that fits a window without a project yet
    if args.screenshot:  # set before any input opens: a message box about a bad input must not block them
        delay = max(200, (args.quit_after or 1500) - 100)
        QTimer.singleShot(delay, lambda: save_screenshot(window, args.screenshot))
    if args.quit_after is not None or args.screenshot:
        QTimer.singleShot(max(300, args.quit_after or 1500), lambda: close_scripted(window))
    def select_and_frame() -> None:
        if args.select is not None:
            window.select_person(args.select, jump=args.frame is None)
        if args.frame is not None:
            window.set_frame(args.frame)

    def after_demo() -> None:
        """The demo's project, then --select and --frame, again once its first proposals are in (the panel then
        turns to the first person: a scripted screenshot showed person 1 for --select 3)."""
        window.demo_then()
        select_and_frame()
        changed = getattr(getattr(window, "review", None), "proposals_changed", None)
        if changed is not None and (args.select is not None or args.frame is not None):
            def once() -> None:
                changed.disconnect(once)
                select_and_frame()
            changed.connect(once)
            QTimer.singleShot(120_000, lambda: _disconnect(changed, once))  # none made (the project had them)

    if args.demo:  # the demo's own project opens too (made on first use, its proposals started); --select and
        # --frame once it is open (written on first use, it opened after them: they were lost)
        window.open_demo(then=(lambda: None) if args.project else after_demo)
    if args.project:  # `--project=~/p` reaches here unexpanded: made a folder named "~" (a review)
        args.project = str(Path(args.project).expanduser())
    scene_not_project = _scene_not_project(args)
    inputs = inputs_from_args(args)
    if inputs is not None:
        window.open_inputs(inputs)
    if scene_not_project:
        window.statusBar().showMessage(scene_not_project, 30_000)
    if args.project and inputs is not None and window.scene is not None and not _holds_project(args.project):
        window.review.new_project(folder=args.project)  # a walk's new folder was refused: "no such project folder"
    elif args.project:
        window.review.open_project(args.project)
    select_and_frame()
    if args.play:
        window.timeline.play()
    code = app.exec()
    if argv is None if fast_exit is None else fast_exit:
        exit_now(window, code)
    collector.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())


def _disconnect(signal, slot) -> None:
    try:
        signal.disconnect(slot)
    except (RuntimeError, TypeError):  # already disconnected
        pass

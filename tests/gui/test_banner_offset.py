"""The banner above the video: the frame offset it names is one click."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.open_dialog import scene_folder_inputs  # noqa: E402


def test_the_frame_offset_the_banner_names_is_one_click(window, tmp_path, qtbot, gen):
    """A walk: the banner named the exact fix ('a frame offset of -10280 …') but applying it meant File ▸ Open…
    again; now it is a button."""
    from PySide6.QtCore import Qt

    folder = gen.write_scene(tmp_path / "late")
    for p in sorted((folder / "frames").glob("*.jpg"), reverse=True):  # the video's frames numbered from 5000
        p.rename(p.with_name(f"{int(p.stem) + 5000:05d}.jpg"))
    assert window.open_inputs(scene_folder_inputs(folder))
    assert "None of the annotated frames" in window.banner.text()  # a sentence, capitalised
    button = window.offset_button
    assert button.isVisible() and button.text() == "Use frame offset 5000"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window._inputs.frame_offset == 5000 and window.scene.annotated_frames()[0] >= 5000
    assert window.status.currentMessage().startswith("Trajectories read with frame offset 5000")  # said (a walk)
    assert "none of the annotated frames" not in window.banner.text().lower() and not button.isVisible()


def test_an_open_project_with_nothing_placed_takes_the_offset(panels_studio, tmp_path, qtbot, gen):
    """A walk's project made with a wrong frame offset: the button reopened the files with the right one and so
    closed the project ("read another way"); a project with nothing placed yet now takes the offset."""
    from PySide6.QtCore import Qt

    from humanseg_core.project import Project

    window = panels_studio
    folder = gen.write_scene(tmp_path / "late")
    for p in sorted((folder / "frames").glob("*.jpg"), reverse=True):
        p.rename(p.with_name(f"{int(p.stem) + 5000:05d}.jpg"))
    assert window.open_inputs(scene_folder_inputs(folder))
    assert window.review.new_project(folder=tmp_path / "proj")
    qtbot.mouseClick(window.offset_button, Qt.MouseButton.LeftButton)
    assert window.review.project is not None and window.review.project.inputs.frame_offset == 5000
    assert window._inputs.frame_offset == 5000 and "none of the annotated frames" not in window.banner.text().lower()
    window.review.close_project()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.frame_offset == 5000  # kept for the next opening


def test_an_open_project_with_nothing_placed_takes_the_files_opened_again_another_way(panels_studio, tmp_path, qtbot,
                                                                                      gen):
    """A walk made a project of a clip read with the wrong pixel order, then opened the same files again with
    (row, col): the empty project closed ("read another way") and the offset offer never came. It now takes the
    new reading; a project with proposals still closes (test_open_other_inputs)."""
    import dataclasses

    from humanseg_core.project import Project

    window = panels_studio
    folder = gen.write_scene(tmp_path / "s")
    assert window.open_inputs(scene_folder_inputs(folder))
    assert window.review.new_project(folder=tmp_path / "proj")
    assert window.open_inputs(dataclasses.replace(window._inputs, h_order="rowcol", frame_offset=2))
    project = window.review.project
    assert project is not None and (project.inputs.h_order, project.inputs.frame_offset) == ("rowcol", 2)
    said = window.statusBar().currentMessage()
    assert "reads its files as opened now: pixel order (row, col), frame offset 2" in said
    window.review.close_project()
    with Project.open(tmp_path / "proj") as p:
        assert (p.inputs.h_order, p.inputs.frame_offset) == ("rowcol", 2)


def test_the_banner_is_yellow_from_edge_to_edge(qtbot):
    """Its own widget since 4 Dec: a QWidget subclass paints its style sheet's background only when asked to
    (the button's side had turned dark)."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from app.main import style_sheet
    from app.warning_banner import WarningBanner

    window = QWidget()  # inside a window of the studio's dark style, as above the video
    window.setStyleSheet(style_sheet())
    banner = WarningBanner()
    QVBoxLayout(window).addWidget(banner)
    qtbot.addWidget(window)
    banner.set_notes(["a warning"], offset=-5300)
    window.resize(600, 80)
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()  # (the banner's own grab paints its background either way)
    right = image.pixelColor(banner.geometry().right() - 3, banner.geometry().top() + 3)
    assert (right.red(), right.green(), right.blue()) == (0xF5, 0xD9, 0x0A)
    assert banner.offset_button.text() == "Use frame offset -5300"
    chosen = []
    banner.offset_chosen.connect(chosen.append)
    banner.offset_button.click()
    assert chosen == [-5300]


def test_the_offset_button_goes_under_the_text_on_a_narrow_video(qtbot):
    """A walk's 330 px wide video area: the button beside the text wrapped it into a column taller than the
    video; narrow, the button is under the text, which keeps the banner's width."""
    from app.warning_banner import STACK_BELOW, WarningBanner

    banner = WarningBanner()
    qtbot.addWidget(banner)
    note = ("none of the annotated frames (5300..5390) is in the video (its frames are 0..99, in zara_hd.mp4): "
            "is trajectories.txt this video's? If the file is this video's, a frame offset of -5300 puts its first "
            "annotated frame on the video's first frame")
    banner.set_notes([note], offset=-5300)
    banner.show()
    heights = {}
    for width in (330, 900):
        banner.resize(width, 400)
        banner.resize(width, banner.heightForWidth(width) if banner.hasHeightForWidth() else banner.sizeHint().height())
        qtbot.wait(10)
        label, button = banner.label.geometry(), banner.offset_button.geometry()
        if width < STACK_BELOW:
            assert button.top() >= label.bottom() and label.width() >= width - 20  # under it; the text spans it
        else:
            assert button.left() >= label.right() and abs(button.center().y() - label.center().y()) <= 2
        heights[width] = banner.label.heightForWidth(label.width())
    assert heights[330] < 8 * heights[900]  # not a column of one or two words a line


def test_a_homography_that_does_not_fit_the_video_is_said_in_the_banner(window, small_demo, tmp_path, qtbot):
    """A walk opened a video with another scene's homography: the markers were off the people and the studio said
    nothing, where `humanseg tracks` and `propose` warned. The check runs off the GUI thread and adds its line."""
    import dataclasses

    import numpy as np

    H = np.loadtxt(small_demo / "H.txt")
    shift = np.array([[1.0, 0, -4.0], [0, 1.0, 4.0], [0, 0, 1.0]])  # the world 4 m and 4 m away
    bad = tmp_path / "other_scene_H.txt"
    np.savetxt(bad, shift @ H)
    inputs = dataclasses.replace(scene_folder_inputs(small_demo), homography=str(bad))
    assert window.open_inputs(inputs)
    qtbot.waitUntil(lambda: "does not fit this video" in window.banner.text(), timeout=20000)
    assert "other_scene_H.txt" in window.banner.text() and "Homography direction in the Open dialog" in \
        window.banner.text()
    assert "a right homography:" not in window.banner.text()  # the measure's basis: the command line's (a re-walk)
    # a check whose scene is no longer open, or whose banner was replaced since, adds nothing (a review)
    assert window.open_inputs(inputs)
    first = window._fit_check
    assert window.open_inputs(scene_folder_inputs(small_demo))  # its own matrix, opened before the check ends
    qtbot.waitUntil(lambda: not first.running, timeout=20000)
    qtbot.wait(100)
    assert "does not fit" not in window.banner.text()
    assert window.open_inputs(inputs)
    window._set_banner(["Trajectories chosen: now open the video"])  # the banner replaced, the scene kept
    qtbot.waitUntil(lambda: not window._fit_check.running, timeout=20000)
    qtbot.wait(100)
    assert "does not fit" not in window.banner.text()


def test_a_clips_offset_found_in_the_video_is_offered(window, demo60, tmp_path, qtbot):
    """A walk opened an mp4 clip of ETH (frames 0..159) with the recording's whole obsmat.txt: the banner said
    "check the frame offset" and offered none (the annotations span far more than the clip)."""
    from PySide6.QtCore import Qt
    from test_offset_estimate import shifted_tracks

    from humanseg_core.records import ProjectInputs

    tracks = shifted_tracks(demo60, tmp_path / "recording.txt")
    inputs = ProjectInputs(video=str(demo60 / "frames"), trajectories=str(tracks), homography=str(demo60 / "H.txt"))
    assert window.open_inputs(inputs)
    assert not window.offset_button.isVisible()  # nothing to offer from the frame numbers alone
    qtbot.waitUntil(lambda: window.offset_button.isVisible(), timeout=20000)
    assert window.offset_button.text() == "Use frame offset -3000"
    assert "match the annotations at frame offset -3000" in window.banner.text()
    qtbot.mouseClick(window.offset_button, Qt.MouseButton.LeftButton)
    assert window._inputs.frame_offset == -3000 and all(p < 100 for p in window.scene.pids_in_video())  # no decoy


def test_the_other_pixel_order_is_one_click(window, small_demo, tmp_path, qtbot):
    """A walk opened ETH's original H.txt as (u, v): the banner said "Check it: --h-order rowcol (Homography pixel
    order in the Open dialog)", and the dialog still preselected uv."""
    import dataclasses

    import numpy as np
    from PySide6.QtCore import Qt

    swapped = tmp_path / "H_rowcol.txt"
    np.savetxt(swapped, np.loadtxt(small_demo / "H.txt", comments="#")[:, [1, 0, 2]])
    inputs = dataclasses.replace(scene_folder_inputs(small_demo), homography=str(swapped))
    assert window.open_inputs(inputs)
    button = window._banner_box.order_button
    qtbot.waitUntil(lambda: button.isVisible(), timeout=20000)
    assert button.text() == "Read the homography as (row, col)" and "wrong pixel order" in window.banner.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window._inputs.h_order == "rowcol" and not button.isVisible()
    qtbot.wait(300)
    assert "wrong pixel order" not in window.banner.text()


def test_an_open_project_with_nothing_placed_takes_the_pixel_order(panels_studio, small_demo, tmp_path, qtbot):
    import dataclasses

    import numpy as np
    from PySide6.QtCore import Qt

    from humanseg_core.project import Project

    window = panels_studio
    swapped = tmp_path / "H_rowcol.txt"
    np.savetxt(swapped, np.loadtxt(small_demo / "H.txt", comments="#")[:, [1, 0, 2]])
    assert window.open_inputs(dataclasses.replace(scene_folder_inputs(small_demo), homography=str(swapped)))
    assert window.review.new_project(folder=tmp_path / "proj")
    button = window._banner_box.order_button
    qtbot.waitUntil(lambda: button.isVisible(), timeout=20000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.review.project is not None and window.review.project.inputs.h_order == "rowcol"
    window.review.close_project()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.h_order == "rowcol"  # kept for the next opening


def test_the_check_of_other_inputs_survives_the_project_their_opening_closes(panels_studio, small_demo, tmp_path,
                                                                              qtbot):
    """A walk opened another scene's homography over a project with work placed: the project closed (read another
    way), and that close cancelled every job, the new inputs' homography check among them: no "does not fit"
    came. A job that does not use the project is left running by a project's close."""
    import dataclasses

    import numpy as np

    from humanseg_core.records import Proposal

    window = panels_studio
    assert window.open_inputs(scene_folder_inputs(small_demo))
    assert window.review.new_project(folder=tmp_path / "proj")
    mask = np.zeros((window.frames.height, window.frames.width), bool)
    mask[10:20, 10:20] = True
    window.review.project.add_proposals([Proposal(0, 1, (10, 10, 20, 20), mask, "bgs")])  # work placed: it closes
    bad = tmp_path / "other_scene_H.txt"
    np.savetxt(bad, np.array([[1.0, 0, -4.0], [0, 1.0, 4.0], [0, 0, 1.0]]) @ np.loadtxt(small_demo / "H.txt"))
    assert window.open_inputs(dataclasses.replace(scene_folder_inputs(small_demo), homography=str(bad)))
    assert window.review.project is None
    qtbot.waitUntil(lambda: "does not fit this video" in window.banner.text(), timeout=20000)


def test_a_file_counting_annotation_steps_gets_no_one_click_offset(window, tmp_path, qtbot, monkeypatch):
    """Rows one frame apart whose tenfold lands on the video's frames: the banner names --frame-step 10 (and the
    offset as the other reading) but offers no offset button, nor does the check of the inputs find one (a review:
    the video check could offer 3330, which put a walk's 370..377 on 8 consecutive frames, J 0.000)."""
    import cv2
    import numpy as np

    from humanseg_core.records import ProjectInputs

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(3700, 3780):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((48, 64, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("".join(f"{k} 1 {1 + 0.1 * (k - 370)} 1.0\n" for k in range(370, 378)))
    (tmp_path / "H.txt").write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    from app import homography_check
    from humanseg_core.inputs.offset_estimate import OffsetFound

    def finds_3330(scene, cancel=None):  # the video check, had it looked, finding the offset that fits one frame
        yield from ()
        return OffsetFound(3330, 0.5, 0.0, 40), False

    monkeypatch.setattr(homography_check, "estimate_offset_either_order", finds_3330)
    assert window.open_inputs(ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                            homography=str(tmp_path / "H.txt")))
    assert "a frame step of 10" in window.banner.text()
    qtbot.waitUntil(lambda: window._fit_check is None or not window._fit_check.running, timeout=20000)
    qtbot.wait(100)
    assert not window.offset_button.isVisible()


def test_the_banner_offers_the_other_direction_of_an_inverted_homography(window, small_demo, tmp_path, qtbot):
    """A walk opened an inverted homography: two warnings, no button (the other pixel order had one)."""
    import dataclasses

    import numpy as np
    from PySide6.QtCore import Qt

    inverted = tmp_path / "H_inv.txt"
    np.savetxt(inverted, np.linalg.inv(np.loadtxt(small_demo / "H.txt", comments="#")))
    assert window.open_inputs(dataclasses.replace(scene_folder_inputs(small_demo), homography=str(inverted)))
    button = window._banner_box.order_button
    assert button.isVisible() and button.text() == "Read the homography as world → pixel"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window._inputs.h_direction == "world-to-pixel"
    assert "other way round" not in window.banner.text() and "check the homography" not in window.banner.text()
    # the right matrix read world -> pixel: offered back the other way
    assert window.open_inputs(dataclasses.replace(scene_folder_inputs(small_demo), h_direction="world-to-pixel"))
    assert button.isVisible() and button.text() == "Read the homography as pixel → world"


def test_an_offset_found_where_the_files_frames_overlap_the_clips_is_offered(window, demo60, tmp_path, qtbot):
    """A walk's zara02 clip (frames 0..149) opened with the recording's file, whose frames 10..140 lie in the clip:
    the banner said the homography does not fit, and offered no offset. The video's moving people give it."""
    from PySide6.QtCore import Qt
    from test_offset_overlapping import overlapping_tracks

    from humanseg_core.records import ProjectInputs

    tracks = overlapping_tracks(demo60, tmp_path / "recording.txt")
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"), trajectories=str(tracks),
                                            homography=str(demo60 / "H.txt")))
    button = window.offset_button
    qtbot.waitUntil(button.isVisible, timeout=30000)
    assert button.text() == "Use frame offset -3000"
    assert "does not fit this video" in window.banner.text() and "frame offset -3000" in window.banner.text()
    assert "runs beyond the video" not in window.banner.text()  # "a clip … reads so" beside "does not fit": left out
    assert "--frame-offset" not in window.banner.text()  # the studio's words: the button does it
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window._inputs.frame_offset == -3000


def test_a_clip_read_with_its_chosen_offset_says_in_the_persons_tab_that_the_file_runs_beyond_it(window, demo60,
                                                                                                  tmp_path, qtbot):
    """A walk's clip, set up right (--frame-offset -6000), had "crowds_zara02.txt runs beyond the video …" in the
    yellow banner on every screen. Read with a chosen offset it is said in the Persons tab; with none it stays."""
    from test_offset_estimate import shifted_tracks

    from humanseg_core.records import ProjectInputs

    tracks = shifted_tracks(demo60, tmp_path / "recording.txt")
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"), trajectories=str(tracks),
                                            homography=str(demo60 / "H.txt"), frame_offset=-3000))
    assert "runs beyond the video" not in window.banner.text()
    summary = window.person_panel.summary  # said where it stays: the Persons tab's line and its tip (a walk never
    assert "runs beyond the video" in summary.toolTip()  # saw it in the status bar: the project's message came next)
    assert "annotated only outside it" in summary.text() or "annotates a longer recording" in summary.text()
    longer = tmp_path / "longer.txt"  # the clip's own frame numbers, and rows after it: no offset chosen
    longer.write_text((demo60 / "trajectories.txt").read_text() + "900\t1\t1.0\t1.0\n")
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"), trajectories=str(longer),
                                            homography=str(demo60 / "H.txt")))
    assert "longer.txt runs beyond the video" in window.banner.text()  # the file's name as it is (not "Longer.txt")
    import shutil

    numbered = tmp_path / "numbered"  # the clip's frames named as the recording's: read so on purpose (a helper's
    numbered.mkdir()  # ETH clip, frames 9000-9095, had the banner on every screen)
    for f in sorted((demo60 / "frames").iterdir()):
        shutil.copy(f, numbered / f"{int(f.stem) + 3000:05d}{f.suffix}")
    assert window.open_inputs(ProjectInputs(video=str(numbered), trajectories=str(tracks),
                                            homography=str(demo60 / "H.txt")))
    assert "runs beyond the video" not in window.banner.text()
    assert "runs beyond the video" in window.person_panel.summary.toolTip()
    from_one = tmp_path / "from_one"  # ffmpeg's numbering from 1 is no clip's: the file running beyond it is told
    from_one.mkdir()
    for f in sorted((demo60 / "frames").iterdir()):
        shutil.copy(f, from_one / f"{int(f.stem) + 1:05d}{f.suffix}")
    assert window.open_inputs(ProjectInputs(video=str(from_one), trajectories=str(longer),
                                            homography=str(demo60 / "H.txt")))
    assert "longer.txt runs beyond the video" in window.banner.text()


def test_a_misfit_the_scenes_own_check_named_is_not_said_twice(window, demo60, tmp_path, qtbot):
    """A walk's inverted matrix: the scene's warning (the points in one speck, the other direction offered) and the
    video check's "does not fit this video" took 19 lines above the video at 1280x800; the second says nothing
    more there, and is left out."""
    import numpy as np

    from humanseg_core.records import ProjectInputs

    np.savetxt(tmp_path / "inverted.txt", np.linalg.inv(np.loadtxt(demo60 / "H.txt")))
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"), trajectories=str(demo60 / "trajectories.txt"),
                                            homography=str(tmp_path / "inverted.txt")))
    assert "check the homography" in window.banner.text()
    qtbot.waitUntil(lambda: not window._fit_check.running, timeout=30000)
    assert "does not fit this video" not in window.banner.text()
    assert window._banner_box.order_button.isVisible()  # the one click the scene's warning offers


def test_a_misfit_offset_that_needs_the_other_order_offers_the_order_first(window, demo60, tmp_path, qtbot):
    import numpy as np
    from test_offset_overlapping import overlapping_tracks

    from humanseg_core.records import ProjectInputs

    tracks = overlapping_tracks(demo60, tmp_path / "recording.txt")
    np.savetxt(tmp_path / "H_rowcol.txt", np.loadtxt(demo60 / "H.txt")[:, [1, 0, 2]])
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"), trajectories=str(tracks),
                                            homography=str(tmp_path / "H_rowcol.txt")))
    qtbot.waitUntil(lambda: not window._fit_check.running, timeout=30000)
    box = window._banner_box
    assert box.order_button.isVisible() and box.order == "rowcol"  # read that way, the offset is offered then
    assert not window.offset_button.isVisible() and "frame offset -3000" in window.banner.text()


def test_the_banner_names_the_open_dialogs_field_without_the_option_beside_it(qtbot):
    """A walk's misfit warning took 7 lines above the video at 1280x800; in the studio the Open dialog's field is
    named alone, the command line's option beside it left out (the notes themselves keep it)."""
    from app.warning_banner import WarningBanner

    note = ("the homography H.txt does not fit this video: map the other way (--h-direction world-to-pixel, Homography "
            "direction in the Open dialog); or check the frame offset (video frame = offset + 1 x annotation frame; "
            "--frame-offset, Frame offset in the Open dialog)")
    banner = WarningBanner()
    qtbot.addWidget(banner)  # closed after the test: a top-level window left open keeps the next test's app running
    banner.set_notes([note])
    shown = banner.label.text()
    assert "(Homography direction in the Open dialog)" in shown and "annotation frame; Frame offset in the" in shown
    assert "--" not in shown and banner.notes == [note]


def test_the_banner_leaves_out_an_option_before_its_value_or_named_for_a_command(qtbot):
    """A review: "try --h-order uv (Homography pixel order in the Open dialog)" and "(Frame offset in the Open dialog;
    --frame-offset 25 in a command)" still showed the command line's options in the studio."""
    from app.warning_banner import WarningBanner

    notes = ["the swapped order fits better: try --h-order uv (Homography pixel order in the Open dialog); if not",
             "the annotations start 25 frames into the video (Frame offset in the Open dialog; --frame-offset 25 in a "
             "command)"]
    banner = WarningBanner()
    qtbot.addWidget(banner)
    banner.set_notes(notes)
    shown = banner.label.text()
    assert "try uv (Homography pixel order in the Open dialog); if not" in shown
    assert "(Frame offset in the Open dialog)" in shown and "--" not in shown and banner.notes == notes


def test_the_banner_names_the_menu_entry_without_the_command_beside_it(qtbot):
    """The misfit warning names the studio's way to give the scene's own homography and the command line's; the
    banner keeps the menu entry alone (a walk found no way in the studio, and read too many flags there)."""
    from app.warning_banner import WarningBanner
    from humanseg_core.inputs.order_check import NOT_FITTING

    note = (f"the homography H.txt {NOT_FITTING}: it may be another scene's (then give the scene's own, File ▸ Use a "
            "Homography File… or `relocate --homography`, or leave it out: one is estimated from the video)")
    banner = WarningBanner()
    qtbot.addWidget(banner)
    banner.set_notes([note])
    shown = banner.label.text()
    assert "File ▸ Use a Homography File…, or leave it out" in shown and "relocate" not in shown and "`" not in shown
    assert banner.notes == [note]

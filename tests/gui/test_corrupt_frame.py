"""An unreadable frame shows a clear placeholder, never the previous image (checked by pixels); its status
message goes with it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def frame5_broken(window, gen, tmp_path):
    """A 12-frame scene whose frame 5 is not a JPEG, open in the window."""
    from app.open_dialog import scene_folder_inputs

    folder = gen.write_scene(tmp_path / "scene", n_frames=12)
    (folder / "frames" / "00005.jpg").write_bytes(b"\xff\xd8 not a jpeg at all")
    assert window.open_inputs(scene_folder_inputs(folder))
    return window


def test_corrupt_frame_shows_the_placeholder_not_the_previous_image(frame5_broken, gen, qtbot):
    from app.placeholder import BACKGROUND

    window = frame5_broken
    window.set_frame(4)
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)

    def centre():
        img = window.frame_view.render_image(gen.WIDTH, gen.HEIGHT)
        return img.pixelColor(gen.WIDTH // 2, gen.HEIGHT // 6)

    c = centre()
    assert abs(c.red() - gen.GREY) < 12 and abs(c.blue() - gen.GREY) < 12  # the grey frame 4
    window.set_frame(5)
    assert window.current_frame == 5
    qtbot.waitUntil(lambda: centre().red() != centre().green(), timeout=5000)
    c = centre()
    assert c.red() > c.green() + 20 and abs(c.red() - gen.GREY) > 12  # not grey: the placeholder
    assert c.red() in range(BACKGROUND.red() - 5, 130) and "5" in window.status.currentMessage()
    window.set_frame(6)
    qtbot.waitUntil(lambda: abs(centre().red() - gen.GREY) < 12, timeout=5000)  # readable again


def test_the_unreadable_frame_message_is_drawn_over_the_track_markers(window, gen, tmp_path, qtbot):
    """students03: on a corrupt JPEG the markers and numbers of the 24 persons in view covered the words
    'Frame 4010 cannot be read ...'; the message box now sits above every overlay, dark where a marker is."""
    from app.open_dialog import scene_folder_inputs

    folder = gen.write_scene(tmp_path / "scene", n_frames=30)
    (folder / "frames" / "00025.jpg").write_bytes(b"\xff\xd8 not a jpeg at all")
    assert window.open_inputs(scene_folder_inputs(folder))
    window.select_person(1, jump=False)
    u, v = window.scene.position_px(1, 25)  # person 1's marker lies inside the message box on frame 25
    box_x0, box_y0 = gen.WIDTH // 10, gen.HEIGHT // 3
    assert box_x0 < u < gen.WIDTH - box_x0 and box_y0 < v < 2 * box_y0
    window.set_frame(24)
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    window.set_frame(25)

    def at_marker():
        return window.frame_view.render_image(gen.WIDTH, gen.HEIGHT).pixelColor(round(u), round(v))

    qtbot.waitUntil(lambda: "25" in window.status.currentMessage(), timeout=5000)
    qtbot.wait(50)
    c = at_marker()
    assert max(c.red(), c.green(), c.blue()) < 80, c.name()  # the box's dark field, not the marker's colour
    window.set_frame(26)
    qtbot.waitUntil(lambda: max(at_marker().red(), at_marker().green(), at_marker().blue()) > 80, timeout=5000)


def test_the_message_of_an_unreadable_frame_goes_with_it(frame5_broken, gen, qtbot):
    """Walk: demo with frames/00005.jpg truncated, Play from frame 4: at frame 70 the status bar still said
    "/.../00005.jpg: frame 5: damaged JPEG (...); the frame is skipped" (a 6 s message), under a good frame."""
    window = frame5_broken
    window.set_frame(5)
    qtbot.waitUntil(lambda: "00005" in window.status.currentMessage(), timeout=5000)

    def grey():  # the readable frame is drawn (not the placeholder)
        c = window.frame_view.render_image(gen.WIDTH, gen.HEIGHT).pixelColor(gen.WIDTH // 2, gen.HEIGHT // 6)
        return abs(c.red() - gen.GREY) < 12 and abs(c.blue() - gen.GREY) < 12

    window.set_frame(6)
    qtbot.waitUntil(grey, timeout=5000)
    assert window.status.currentMessage() == ""  # it stayed its 6 s under the good frames
    window.status.showMessage("Project saved", 6000)  # any other message stays
    window.set_frame(7)
    qtbot.wait(200)
    assert window.status.currentMessage() == "Project saved"


def test_the_words_over_an_unreadable_frame_say_each_thing_once():
    """A walk read "Frame 8050 cannot be read / …/08050.jpg: frame 8050: damaged JPEG (…); the frame is skipped"
    on one wrapped line: the frame named twice, and "skipped" said of a frame being looked at."""
    from app.placeholder import unreadable_text

    assert unreadable_text(8050, "/data/f/08050.jpg: frame 8050: damaged JPEG (Premature end of JPEG file); the "
                                 "frame is skipped") == ("Frame 8050 cannot be read\n/data/f/08050.jpg\n"
                                                         "damaged JPEG (Premature end of JPEG file)")
    assert unreadable_text(3, "the video ended early") == "Frame 3 cannot be read\nthe video ended early"

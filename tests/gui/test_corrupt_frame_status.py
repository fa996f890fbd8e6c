"""The status bar's message about an unreadable frame goes when a readable frame is on screen.

Walk: demo with frames/00005.jpg truncated, Play from frame 4: at frame 70 the status bar still said
"/.../00005.jpg: frame 5: damaged JPEG (...); the frame is skipped" (a 6 s message), under a good frame.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_the_message_of_an_unreadable_frame_goes_with_it(window, gen, tmp_path, qtbot):
    from app.open_dialog import scene_folder_inputs

    folder = gen.write_scene(tmp_path / "scene", n_frames=12)
    (folder / "frames" / "00005.jpg").write_bytes(b"\xff\xd8 not a jpeg at all")
    assert window.open_inputs(scene_folder_inputs(folder))
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

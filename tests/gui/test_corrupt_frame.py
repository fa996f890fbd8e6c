"""An unreadable frame shows a clear placeholder, never the previous image (checked by pixels)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_corrupt_frame_shows_the_placeholder_not_the_previous_image(window, gen, tmp_path, qtbot):
    from app.open_dialog import scene_folder_inputs
    from app.placeholder import BACKGROUND

    folder = gen.write_scene(tmp_path / "scene", n_frames=12)
    (folder / "frames" / "00005.jpg").write_bytes(b"\xff\xd8 not a jpeg at all")
    assert window.open_inputs(scene_folder_inputs(folder))
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

"""The Scene tab's device messages speak of its Device box, not of a command-line option: choosing cuda on a
machine without one said "not available: --device cuda: no CUDA device on this machine (...); use --device
auto or cpu", and the run failed with the same words."""

import sys

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


@pytest.mark.skipif(sys.platform == "darwin", reason="Apple MPS may be there")
def test_an_unavailable_device_is_said_in_the_studios_words():
    from app.scene_device import device_text

    text = device_text("mps")
    assert text.startswith("not available: device mps: Apple MPS is not available on this machine; "
                           "choose auto or cpu")
    assert "use --device" not in text and text.endswith("(--device auto or cpu on the command line)")

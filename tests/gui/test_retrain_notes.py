"""The Fix tab's notes after a retrain, as text: what it trained on, how it segmented, what it made worse (no
window needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_change_note_names_the_frames_a_retrain_made_worse():
    """A walk: after a retrain the note said 'less suspect now' (the mean of the ten worst fell) while frame
    862 went from 0.08 to 0.32 ('2 pieces')."""
    from app.review.correction_text import change_text as _change_text
    from humanseg_core.workflows.correction import Suspect

    before = [Suspect(890, 0.9, ("2 pieces",)), Suspect(866, 0.8, ("area −50 %",)), Suspect(862, 0.08, ())]
    after = [Suspect(890, 0.1, ()), Suspect(866, 0.1, ()), Suspect(862, 0.32, ("2 pieces",))]
    text = _change_text((2, before), after, "")
    assert "less suspect now; 1 frame more suspect: 862 0.08 → 0.32" in text
    assert "more suspect:" not in _change_text((2, before), after[:2], "")


def test_the_retrain_note_says_when_the_network_alone_was_chosen():
    """ADR 0032: the retrain segmented with the network alone, as the analyst's masks chose; the note says so."""
    import types

    from app.review.correction_text import retrain_text

    value = types.SimpleNamespace(span=(4700, 4749), accept="score>=0.7", previous_run=16, run=types.SimpleNamespace(
        run_id=18), labels=25, refine="none", fixes=None, chose_network=(6, 0.24, 0.78), hand_labels=6)
    said = retrain_text(value, 69)
    assert "re-segmented frames 4700–4749 with the network alone (it agreed better with your 6 hand-made masks: " \
           "IoU 0.78, the per-frame evidence 0.24)" in said
    assert "with per-frame evidence" not in said
    assert "(the labels run 16 took under Accept score>=0.7, your 6 fixes first)" in said  # no nested brackets
    alone = retrain_text(types.SimpleNamespace(**{**vars(value), "labels": 2, "hand_labels": 2}), 267)
    assert "trained on 2 masks (your 2 fixes alone)" in alone  # (a crowd walk read "the labels run 9 took")
    assert "training step" not in said and "have no mask now" not in said
    emptied = retrain_text(types.SimpleNamespace(**{**vars(value), "emptied": (115, 180)}), 267)
    assert ("\n115 of the 180 frames re-segmented have no mask now where run 16 had one: look at them in Play; run 16 "
            "stays stored (pick it in Play's Run box, and Export Masks takes it too)") in emptied  # (a re-walk)
    assert "have no mask now" not in retrain_text(types.SimpleNamespace(**{**vars(value), "emptied": (2, 180)}), 1)
    few = retrain_text(types.SimpleNamespace(**{**vars(value), "run": types.SimpleNamespace(run_id=18, steps=7)}), 69)
    assert ("\nOnly 7 training steps (a busy machine, or a short budget?): the network learnt little from your "
            "fixes; retrain with more seconds") in few  # (a crowd walk's retrain made 7 in 30 s, unsaid)

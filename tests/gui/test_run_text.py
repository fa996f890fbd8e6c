"""The Train tab's line on a person's newest run says what it trained on (a walk read "It trained on 20
accepted masks; 2 now: Start or Resume to use them" after a Whole scene run with Accept all, whose 18 other
masks were unreviewed proposals, and nearly started a training on 2)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_a_run_on_unreviewed_proposals_says_so_and_what_start_would_use():
    from app.segmentation.run_text import last_run_text

    scene_run = {"id": 11, "model": "osvos-parent", "metrics": {"steps": 20},
                 "params": {"scene_run": True, "accept": "all", "labels": 20}}
    text = last_run_text(scene_run, 2)
    assert "by Whole scene" in text and "It trained on 20 masks as Accept all took them" in text
    assert "Start trains on the 2 reviewed only" in text and "Start or Resume" not in text
    retrain = {"id": 14, "model": "osvos-parent", "metrics": {},
               "params": {"accept": "all", "accepted_masks": 20}, "result_frames": 180}
    assert "It trained on 20 masks as Accept all took them" in last_run_text(retrain, 2)
    retrain["metrics"] = {"kept_from": 11, "kept_frames": 169}  # a retrain of 11 frames, the rest kept
    assert "11 frames segmented with it, 169 kept from run 11" in last_run_text(retrain, 2)
    assert "fixed mask" not in last_run_text(retrain, 2)
    retrain["metrics"].update(fixes=2, fixes_iou=0.9134)  # its results against the analyst's own fixes
    said = last_run_text(retrain, 2)
    assert "11 frames segmented with it, 169 kept from run 11 · IoU 0.91 with your 2 fixed masks" in said
    train_tab = {"id": 3, "model": "osvos-parent", "metrics": {}, "params": {"accepted_masks": 5}}
    assert "It trained on 5 accepted masks; 7 now: Start or Resume" in last_run_text(train_tab, 7)
    assert "\n" not in last_run_text(train_tab, 5)  # nothing new: nothing to say


def test_one_step_and_one_mask_are_said_in_the_singular():
    """A walk read '1 steps' in the Run box and 'trained on 1 masks' in the Train tab."""
    from app.segmentation.segment_panel import describe_run

    assert describe_run({"id": 3, "model": "osvos-parent", "metrics": {"steps": 1}}) == "#3 osvos-parent · 1 step"
    assert describe_run({"id": 3, "model": "osvos-parent", "metrics": {"steps": 2}}) == "#3 osvos-parent · 2 steps"
    from app.segmentation.run_text import last_run_text

    one = {"id": 4, "model": "osvos-parent", "metrics": {}, "params": {"scene_run": True, "accept": "all", "labels": 1}}
    assert "It trained on 1 mask as Accept all took them" in last_run_text(one, 0)


def test_the_hold_out_j_says_it_is_the_networks_alone():
    """A walk read hold-out J 0.254 in the Train tab and mean J 0.563 in Quality for the same held-out frames."""
    from app.segmentation.run_text import last_run_text

    run = {"id": 4, "model": "osvos-parent", "metrics": {"steps": 6, "holdout_J": 0.254}, "params": {}}
    assert "hold-out J 0.254 (the network alone; Quality scores the results)" in last_run_text(run, 0)


def test_a_run_on_reviewed_labels_alone_says_so():
    """A walk reviewed all 16 proposals of person 24, ran the whole scene (Accept score>=0.7), and the Train tab
    said "It trained on 14 masks as Accept score>=0.7 took them, unreviewed proposals included"."""
    from app.segmentation.run_text import last_run_text

    run = {"id": 50, "model": "osvos-parent", "metrics": {"steps": 100},
           "params": {"scene_run": True, "accept": "score>=0.7", "labels": 14, "unreviewed_labels": 0}}
    text = last_run_text(run, 14)
    assert "It trained on 14 masks as Accept score>=0.7 took them, every one reviewed." in text
    assert "unreviewed" not in text and "Start trains on" not in text
    run["params"]["unreviewed_labels"] = 5
    text = last_run_text(run, 9)
    assert "took them, 5 of them unreviewed proposals; Start trains on the 9 reviewed only" in text


def test_a_run_that_gave_back_an_earlier_steps_network_says_so_in_the_run_boxes():
    """A walk's 60 s of training kept the network of step 1 (hold-out J fell from 0.83 to 0.74); the Segment and
    Play tabs called it "394 steps · hold-out J 0.833"."""
    from app.segmentation.segment_panel import describe_run
    from humanseg_core.export.runs import run_label

    run = {"id": 1, "model": "osvos-parent", "metrics": {"steps": 394, "kept_step": 1, "holdout_J": 0.833}}
    assert describe_run(run) == "#1 osvos-parent · step 1 of 394 kept · hold-out J 0.833"
    assert "step 1 of 394 kept" in run_label(run, 200) and "394 steps" not in run_label(run, 200)
    last = dict(run, metrics={"steps": 394, "kept_step": 394, "holdout_J": 0.9})  # the last step's own: as before
    assert describe_run(last) == "#1 osvos-parent · 394 steps · hold-out J 0.900"


def test_the_segment_buttons_tip_says_how_it_segments():
    """A walk: the Train tab's "Segment with the new network" went through the per-frame evidence (8x the network
    alone's time) and said nothing of it, where the Segment tab has a box for it."""
    from app.segmentation.run_text import segment_button_tip

    assert "per-frame evidence" in segment_button_tip({"model": "osvos-parent", "params": {}})
    assert segment_button_tip({"model": "osvos-lite", "params": {}}).endswith("with the network alone")
    scene_run = {"model": "osvos-parent", "params": {"scene_run": True, "refine": "none", "backend": "local"}}
    assert segment_button_tip(scene_run).endswith("with the network alone")

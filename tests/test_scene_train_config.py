"""A whole-scene run fine-tunes each person's decoder alone by default (ADR 0028); --train-encoder trains the
parent's encoder too."""

from __future__ import annotations

import argparse
from dataclasses import replace


def test_the_runs_train_config_freezes_the_encoder_unless_asked():
    from humanseg_core.cli.run import add_run_args, add_scene_inputs, config_from_args
    from humanseg_core.workflows.scene_config import SCENE_FROZEN_BLOCKS, SceneRunConfig
    from humanseg_core.workflows.scene_units import train_config

    p = argparse.ArgumentParser()
    add_scene_inputs(p)
    add_run_args(p)
    default = config_from_args(p.parse_args(["--out", "o"]), out="o")
    assert default.frozen_blocks == SCENE_FROZEN_BLOCKS == 8 == SceneRunConfig().frozen_blocks
    assert train_config(replace(default, model="osvos-parent"), []).frozen_blocks == 8
    whole = config_from_args(p.parse_args(["--out", "o", "--train-encoder"]), out="o")
    assert whole.frozen_blocks == 0 and train_config(replace(whole, model="osvos-parent"), []).frozen_blocks == 0

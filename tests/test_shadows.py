"""Body-aware shadows: dark clothing inside the body survives the shadow test, foot shadows (deep ones too,
where the parent sees no person) do not. Synthetic frames, no model."""

import numpy as np

from humanseg_core.proposals.detectors.bgs import shadow_free_difference
from humanseg_core.proposals.ownership import OwnershipConfig, mark_foot_shadows, restore_body_shadows
from humanseg_core.proposals.person_mask import person_axis

W, H = 300, 300

FEET_UV, BODY_H = (120.0, 120.0), 60.0  # the shadow tests' person: feet point and height
TOP = int(FEET_UV[1] - BODY_H)
LEGS = (slice(TOP + 25, int(FEET_UV[1])), slice(115, 126))
UPPER_LEGS = (slice(TOP + 25, int(FEET_UV[1] - OwnershipConfig().feet_band * BODY_H)), slice(115, 126))
BESIDE = (slice(int(FEET_UV[1]) - 4, int(FEET_UV[1]) + 3), slice(128, 146))  # the ground beside the feet


def _person_over_its_shadow(seed: int, darkening: float) -> tuple[np.ndarray, np.ndarray]:
    """(background, frame): a coloured coat, neutral trousers and a foot shadow beside the feet, the last two
    darker than the floor by the same ratio ``darkening``."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(140, 160, (H, W, 3)).astype(np.uint8)
    frame = bg.copy()
    frame[TOP:TOP + 25, 112:129] = (30, 150, 220)  # a coloured coat
    for part in (LEGS, BESIDE):
        frame[part] = (bg[part] * darkening).astype(np.uint8)
    return bg, frame


def test_dark_clothing_survives_the_shadow_step_and_the_foot_shadow_does_not():
    bg, frame = _person_over_its_shadow(0, 0.7)  # dark grey trousers: darker by one ratio, like a shadow
    fg = shadow_free_difference(frame, bg)
    upper_legs, beside, h = UPPER_LEGS, BESIDE, BODY_H
    assert (fg[upper_legs] == 127).mean() > 0.9  # the plain shadow test takes the trousers for shadow
    axes = {1: person_axis(FEET_UV, "feet", h)}
    solid = restore_body_shadows(fg, axes, {1: h}, OwnershipConfig())
    assert solid[upper_legs].mean() > 0.95  # ... the body-aware step keeps them
    assert solid[beside].mean() < 0.05  # and still drops the shadow beside the feet
    off = restore_body_shadows(fg, axes, {1: h}, OwnershipConfig(restore_shadows=False))
    assert off[upper_legs].mean() < 0.1


def test_a_deep_foot_shadow_is_dropped_where_dark_trousers_as_deep_are_kept():
    bg, frame = _person_over_its_shadow(1, 0.25)  # harsh sun; black trousers as dark, as neutral
    u, v, h, top, beside, upper_legs = *FEET_UV, BODY_H, TOP, BESIDE, UPPER_LEGS
    far = (slice(int(v) - 4, int(v) + 3), slice(200, 218))
    frame[far] = (bg[far] * 0.25).astype(np.uint8)  # something as dark on the ground far from every person
    fg = shadow_free_difference(frame, bg)
    assert (fg[beside] == 255).mean() > 0.9  # too dark for the shadow test
    axes = {1: person_axis((u, v), "feet", h)}
    marked = mark_foot_shadows(fg, frame, bg, axes, {1: h})
    solid = restore_body_shadows(marked, axes, {1: h})
    assert solid[beside].mean() < 0.05  # the deep shadow by the feet goes
    assert solid[upper_legs].mean() > 0.95  # the trousers stay: the body region takes them back
    assert solid[far].mean() > 0.95  # only the ground around a person's feet holds its shadow
    off = restore_body_shadows(mark_foot_shadows(fg, frame, bg, axes, {1: h}, OwnershipConfig(deep_shadow=0.0)),
                               axes, {1: h})
    assert off[beside].mean() > 0.95
    feet = (slice(int(v - OwnershipConfig().feet_band * h) + 1, int(v)), slice(115, 126))
    assert solid[feet].mean() < 0.05  # the trousers' feet band is as dark as the shadow beside it ...
    person = np.zeros((H, W), bool)
    person[top:int(v), 113:128] = True  # ... and stays where the parent sees the person
    kept = restore_body_shadows(mark_foot_shadows(fg, frame, bg, axes, {1: h}, person=person), axes, {1: h})
    assert kept[feet].mean() > 0.95
    assert kept[beside].mean() < 0.05
    assert (fg[beside] == 255).mean() > 0.9  # the input is not changed in place

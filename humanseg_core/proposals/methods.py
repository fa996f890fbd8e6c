"""The proposal methods by name, and the default one (chosen by ``bench/proposals.py``, see ADR 0006)."""

from __future__ import annotations

# (name, one-line description for the CLI help and the studio's method list)
METHODS: tuple[tuple[str, str], ...] = (
    ("bgs-owned", ("background subtraction with body-aware shadows, one-to-one pixel ownership across all "
                   "track points and the person's masks on neighbouring frames voting (offline, no weights)")),
    ("bgs+parent", ("the parent network decides whose a pixel is, background subtraction confirms it "
                    "(falls back to bgs-owned without the parent file)")),
    ("parent", ("the parent network alone, no background model: static persons, dense groups "
                "(falls back to bgs-owned without the parent file)")),
    ("bgs", "background subtraction blobs matched to the tracks (the method before ADR 0006)"),
    ("maskrcnn", "Mask R-CNN boxes and masks (needs the COCO weights)"),
)
METHOD_NAMES: tuple[str, ...] = tuple(name for name, _ in METHODS)
DEFAULT_METHOD = "bgs+parent"  # ADR 0006, re-decided with parent v2; bgs-owned without the parent file
# methods of the joint step (proposals.joint): a proposal's score is 1 - the share of its mask another person
# almost had (the box methods' scores are a detection's or a blob's)
JOINT_METHODS = ("bgs-owned", "bgs+parent", "parent")
# methods whose --weights / weights file is the parent network's (else Mask R-CNN's)
PARENT_METHODS = ("parent", "bgs+parent")

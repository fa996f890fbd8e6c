"""Proposals: a candidate mask of each annotated person on each annotated frame.

- :mod:`.generate` runs the stage (detections once per frame, association, per-person masks);
- :mod:`.detectors` finds persons (background subtraction, Mask R-CNN);
- :mod:`.association` matches track points to detections one-to-one;
- :mod:`.person_mask`, :mod:`.body_prior` and :mod:`.blob_split` turn a detection into one person's mask.
"""

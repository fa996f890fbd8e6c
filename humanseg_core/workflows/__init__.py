"""One function per job, shared by the CLI and the studio (and the whole-scene run built on them):
:func:`propose_into`, :func:`train_person`, :func:`segment_person`.  Each is a generator job (Progress,
CancelToken) that reads its inputs from a project and stores what it made there."""

from __future__ import annotations

from .person import SegmentConfig, SegmentedRun, TrainedRun, checkpoint_path, pick_run, segment_person, train_person
from .propose import ProposeConfig, ProposeSummary, propose_into

__all__ = ["ProposeConfig", "ProposeSummary", "SegmentConfig", "SegmentedRun", "TrainedRun", "checkpoint_path",
           "pick_run", "propose_into", "segment_person", "train_person"]

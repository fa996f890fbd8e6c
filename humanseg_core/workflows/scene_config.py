"""Typed options of a whole-scene run and the acceptance policy that turns proposals into labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..checks import positive, whole
from ..errors import HumansegError
from ..proposals.methods import DEFAULT_METHOD, METHOD_NAMES

FORMATS = ("davis", "mots", "palette")
BACKENDS = ("local", "ray")
# how every frame is segmented: "none" (each person's network alone) or "evidence" (the proposals' joint
# step on every frame with each person's network blended into the parent: .scene_evidence)
REFINES = ("auto", "none", "evidence")  # auto: evidence on the local backend, none on Ray (ADR 0010)
ACCEPTED = ("accepted", "edited")


@dataclass(frozen=True)
class AcceptPolicy:
    """``all``: every proposal that was not rejected; ``reviewed``: only what the analyst accepted or
    edited; ``score>=x``: accepted/edited ones plus pending proposals whose score is at least x (a person none
    of whose proposals reaches x, and nothing reviewed, keeps its best-scored one: :func:`best_pending`).
    What the analyst decided always wins: rejected masks are never used, edited ones always are."""

    kind: str = "all"
    min_score: float = 0.0

    @classmethod
    def parse(cls, text: str) -> AcceptPolicy:
        t = (text or "all").strip().lower().replace(" ", "")
        if t in ("all", "reviewed"):
            return cls(t)
        m = re.fullmatch(r"score>=([0-9]*\.?[0-9]+)", t)
        if m and float(m.group(1)) <= 1:  # scores run 0..1: score>=2 took nothing and said nothing
            return cls("score", float(m.group(1)))
        # a shell reads an unquoted '>=0.7' as a redirection to a file named '=0.7', leaving 'score' (a walk)
        shell = "; on a command line quote it, --accept 'score>=0.7' (unquoted, the shell wrote '>=…' to a file)" \
            if t == "score" else ""
        raise HumansegError(f"--accept: expected all, reviewed or score>=X with X from 0 to 1 (e.g. score>=0.7), "
                            f"got {text!r}{shell}")

    def __str__(self) -> str:
        return f"score>={self.min_score:g}" if self.kind == "score" else self.kind

    def takes(self, status: str, score: float) -> bool:
        if status in ACCEPTED:
            return True
        if status != "pending" or self.kind == "reviewed":
            return False
        return self.kind == "all" or float(score) >= self.min_score


def best_pending(proposals: Iterable):
    """The best-scored pending proposal with a mask, or None: the one label ``score>=x`` keeps for a person none
    of whose proposals reaches x. Measured on eth_dense's whole scene (41 persons, 60 steps each; BENCHMARKS
    "Accept score>=0.7 keeps each person's best"): 7 persons had none over 0.7, and without a label each counted
    J 0 (mean J 0.574 against 0.631 for Accept all); with its best proposal mean J 0.640, HOTA 0.641 (all 0.633,
    score>=0.7 without it 0.648)."""
    pending = [p for p in proposals if p.status == "pending" and p.mask is not None and np.any(p.mask)]
    return max(pending, key=lambda p: float(p.score)) if pending else None


def on_best_alone(proposals: Iterable, policy: AcceptPolicy) -> bool:
    """Whether ``policy`` leaves the person its best-scored proposal alone (``score>=x``, none reaching x)."""
    proposals = list(proposals)
    return policy.kind == "score" and best_pending(proposals) is not None and not any(
        p.mask is not None and np.any(p.mask) and policy.takes(p.status, p.score) for p in proposals)


def edited_share(proposals: Iterable, labels) -> float:
    """The share of a person's labels (frames) that the analyst drew, fixed or imported: what sets its network's
    weight in the per-frame evidence (``scene_evidence.network_share``)."""
    labels = set(labels)
    drawn = {int(p.frame) for p in proposals if p.status == "edited"}
    return len(drawn & labels) / len(labels) if labels else 0.0


def labels_from_proposals(proposals: Iterable, policy: AcceptPolicy, decided: Mapping[int, int] | None = None
                          ) -> tuple[dict[int, np.ndarray], set[int]]:
    """({frame: bool mask} the policy accepts, frames whose mask may be cleaned by GrabCut).

    One mask per frame: an edited proposal first, then an accepted one, then the best score. ``decided``
    ({frame: proposal id}, ``Project.decided_ids``): of a frame's accepted and edited proposals only that one
    counts, the one exports and ``humanseg train`` take (the analyst's latest; not the best-scored, a fix
    imported over an edited proposal scores 0)."""
    rank = {"edited": 2, "accepted": 1}
    best: dict[int, tuple] = {}
    proposals = list(proposals)
    for p in proposals:
        if p.mask is None or not policy.takes(p.status, p.score):
            continue
        if decided is not None and p.status in rank and decided.get(p.frame) != p.id:
            continue
        key = (rank.get(p.status, 0), float(p.score))
        if p.frame not in best or key > best[p.frame][0]:
            best[p.frame] = (key, p)
    if policy.kind == "score" and not any(np.any(p.mask) for _k, p in best.values()):
        top = best_pending(proposals)  # none scored enough: the person keeps its best, not nothing
        if top is not None:
            best = {top.frame: ((0, float(top.score)), top)}
    labels = {f: np.asarray(p.mask, bool) for f, (_k, p) in best.items() if np.any(p.mask)}
    refinable = {f for f, (_k, p) in best.items() if p.status != "edited"}
    return labels, refinable


# the default training budget per person: DEFAULT_STEPS steps, or DEFAULT_SECONDS if those end first. Whole-scene
# J is flat from 60 to 140 steps (zara01_feet 0.782 / 0.782, eth_dense 0.645 / 0.645 at 60 steps / 15 s = ~140
# steps on one thread; BENCHMARKS "A step budget by default"), so the steps make a run ~1.5x faster here and its
# masks the same on every machine that trains 100 steps within DEFAULT_SECONDS. The seconds only bound a very slow
# machine: at 15 s a walk's loaded machine (another job at full CPU) trained 3 of 4 persons 2-3 steps (J 0.655
# against 0.692 with 100), where 100 steps take 10 s idle here and 30-40 s under load
DEFAULT_STEPS = 100
DEFAULT_SECONDS = 60.0
# each person's network fine-tunes its decoder only: the parent's encoder (stem and its 8 blocks) stays as trained
# (ADR 0028; BENCHMARKS "Decoder-only fine-tuning in whole-scene runs")
SCENE_FROZEN_BLOCKS = 8


@dataclass(frozen=True)
class SceneRunConfig:
    """A whole-scene run.  ``pids`` None = every person of the trajectories.  The training budget per
    person is ``steps_per_person`` and/or ``seconds_per_person`` (whichever ends first; neither: the default,
    :data:`DEFAULT_STEPS` bounded by :data:`DEFAULT_SECONDS`).  Persons with
    fewer than ``min_labels`` usable labels are skipped and reported.  ``propose``: persons without any
    proposal get proposals first (``method``; by default ``humanseg propose``'s, ``DEFAULT_METHOD``).
    ``out``/``fmt``: the export (none when ``out`` is None)."""

    pids: tuple[int, ...] | None = None
    accept: AcceptPolicy = field(default_factory=AcceptPolicy)
    # neither given: DEFAULT_STEPS bounded by DEFAULT_SECONDS; one given alone is taken alone
    steps_per_person: int | None = None
    seconds_per_person: float | None = None
    min_labels: int = 1  # OSVOS fine-tunes from one annotated frame; a person the file holds once is still segmented
    propose: bool = True
    method: str = DEFAULT_METHOD
    out: Path | None = None
    fmt: str = "davis"
    mots_first_frame: int | None = None  # mots: time_frame numbered from it (0 / 1), not the video frame index
    made_by: str = "humanseg run"  # who ran it, as export.json says ("the studio's Whole scene")
    device: str = "auto"
    mixed_precision: bool = False
    batch_size: int = 32
    chunk_frames: int = 32
    backend: str = "local"
    address: str | None = None
    workers: int | None = None
    seed: int = 0
    model: str = "auto"  # auto: osvos-parent when the parent file loads, else osvos-lite
    # the parent network's file for the proposals, the fine-tuning and the evidence step (None: the project's
    # own when one was chosen, else the shipped one: ``parent_choice``)
    parent: str | None = None
    refine_labels: bool = True  # GrabCut cleans unedited labels before training (osvos TrainConfig)
    refine: str = "auto"  # REFINES: "evidence" segments through the joint step (background, parent, ownership)
    # persons that already have segmentation results keep them: not proposed, trained nor segmented again (their
    # stored run stays the one Play and Export use, and is written to the run's export as stored); False: they
    # are retrained and a new run is added
    keep_trained: bool = False
    # persons whose newest Whole scene run was cancelled after training them, before segmenting them, are
    # segmented with that stored network instead of training again (local backend; workflows.scene_reuse)
    reuse_trained: bool = False
    # where the track points sit on the bodies, for the proposals and the per-frame evidence step: "" = the
    # project's (auto: estimated from sample frames); a walk forced feet in `propose` and the evidence step
    # estimated again, wrongly
    anchor: str = ""
    # a project without a homography: one estimated from the video before the proposals, saved in the project
    # and used (``workflows.estimate``); False keeps the trajectories' extent fit
    estimate_homography: bool = True
    # the export holds a person's label (a mask the analyst accepted or edited, an imported one) on its frame
    # instead of the network's result there (ADR 0027); the project's stored results stay the network's.
    # False: the results alone (what the networks made, e.g. to measure them)
    labels_in_output: bool = True
    # osvos-parent: the encoder's stem and first N blocks keep the parent's weights (ADR 0028); 0: all train
    frozen_blocks: int = SCENE_FROZEN_BLOCKS

    def __post_init__(self) -> None:
        if isinstance(self.accept, str):
            object.__setattr__(self, "accept", AcceptPolicy.parse(self.accept))
        if self.fmt not in FORMATS:
            raise HumansegError(f"--format: expected one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if self.mots_first_frame is not None and (self.fmt != "mots" or self.mots_first_frame < 0):
            raise HumansegError(f"--mots-first-frame {self.mots_first_frame}: for --format mots, from 0 up")
        if self.method not in METHOD_NAMES:
            raise HumansegError(f"--method: expected one of {', '.join(METHOD_NAMES)}, got {self.method!r}")
        if self.refine not in REFINES:
            raise HumansegError(f"--refine: expected one of {', '.join(REFINES)}, got {self.refine!r}")
        if self.refine == "auto":  # ADR 0010: the joint step where it runs (the driver), the network alone on Ray
            object.__setattr__(self, "refine", "evidence" if self.backend == "local" else "none")
        if self.refine != "none" and self.backend != "local":
            raise HumansegError(f"--refine {self.refine} runs with --backend local only")
        if self.backend not in BACKENDS:
            raise HumansegError(f"--backend: expected one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.steps_per_person is not None:
            whole(self.steps_per_person, "--steps-per-person", 1)
        if self.seconds_per_person is not None:
            positive(self.seconds_per_person, "--seconds-per-person")
        if self.steps_per_person is None and self.seconds_per_person is None:  # the default budget (ADR 0026)
            object.__setattr__(self, "steps_per_person", DEFAULT_STEPS)
            object.__setattr__(self, "seconds_per_person", DEFAULT_SECONDS)
        if self.workers is not None:
            whole(self.workers, "--workers", 1)
        whole(self.seed, "--seed", 0)
        whole(self.batch_size, "--batch-size", 1)
        whole(self.min_labels, "--min-labels", 1)
        if self.out is not None and not isinstance(self.out, Path):
            object.__setattr__(self, "out", Path(self.out))
        if self.pids is not None:
            object.__setattr__(self, "pids", tuple(int(p) for p in self.pids))

"""The network at its best hold-out J, kept while training goes on: a run whose J on the held-out labels fell well
below that best gives back the best instead (a walk's 60 s run peaked at J 0.64 near step 100 and ended at 0.47
after 451 steps, on a person in a crowd with unreviewed labels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MARGIN = 0.05  # the fall in hold-out J (one to three labels: noisy) from which the best network is given back


class BestHoldout:
    """Remembers the network's weights at its best hold-out J so far."""

    def __init__(self) -> None:
        self.j: float | None = None
        self.step = 0
        self.state: dict[str, Any] | None = None

    def seen(self, j: float | None, step: int, state: dict[str, Any]) -> None:
        """The hold-out J of the weights ``state`` at ``step``: kept (copied) when it is the best yet."""
        if j is not None and (self.j is None or j > self.j):
            self.j, self.step = float(j), int(step)
            self.state = {k: v.detach().cpu().clone() for k, v in state.items()}

    def better_than(self, final_j: float | None) -> bool:
        """Whether the best kept beats the final network's hold-out J by ``MARGIN`` or more."""
        return self.state is not None and final_j is not None and self.j is not None and self.j >= final_j + MARGIN

    def note(self, kept_j: float, final_j: float, last_step: int) -> str:
        return (f"kept the network of step {self.step} (hold-out J {kept_j:.2f}): at the last step, {last_step}, it "
                f"had fallen to {final_j:.2f} (learning the labels' errors?); the hold-out is few labels, so look at "
                "the result")


def keep_best(best: BestHoldout, net, state: dict[str, Any], final_j: float | None, calibrate: Callable,
              measure: Callable, meta,
              seen_threshold: float | None = None) -> tuple[dict[str, Any], float | None, bool]:
    """(weights, their hold-out J, whether they are the best kept): the best weights when, loaded and their
    threshold calibrated again (``calibrate(net)``), they measure (``measure(state)``) ``MARGIN`` above the final
    ones; else the final ones, ``net`` and ``meta["threshold"]`` as they were. ``seen_threshold``: the threshold the
    best was measured with while training; kept when the one calibrated again on the training labels measures
    lower (a walk's step-1 network, J 0.70 as seen, measured under 0.60 with the threshold the noisy labels gave,
    and the final network at 0.56 stayed)."""
    if not best.better_than(final_j) or best.state is None or final_j is None:
        return state, final_j, False
    threshold = meta["threshold"]
    net.load_state_dict(best.state)
    meta["threshold"] = calibrate(net)
    kept = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    kept_j = measure(kept)
    if seen_threshold is not None and seen_threshold != meta["threshold"] and (kept_j is None or kept_j < best.j):
        calibrated, meta["threshold"] = meta["threshold"], seen_threshold
        as_seen = measure(kept)
        if as_seen is not None and (kept_j is None or as_seen > kept_j):
            kept_j = as_seen
        else:
            meta["threshold"] = calibrated
    if kept_j is not None and kept_j >= final_j + MARGIN:
        return kept, kept_j, True
    net.load_state_dict(state)
    meta["threshold"] = threshold
    return state, final_j, False

"""Which masks an export writes when nobody said (``humanseg export`` without ``--source``, the studio's
Export Masks as it opens): one rule for both, from the chosen persons' work."""

from __future__ import annotations

from collections.abc import Iterable


def default_source(project, pids: Iterable[int]) -> str:
    """"results" when every chosen person has segmentation results, "accepted" (the reviewed proposals) when
    none has; "any" (accepted, else results) when only some have, or when one of them also has a mask edited by
    hand, in the Fix tab or in the Review tab's editor (a walk exported results and its fixes were not in it;
    another exported a network's 0.47 over its own 0.81; a third ran `humanseg export` after a whole-scene run
    and got one reviewed person's 14 labels out of 15 persons' 1,770 segmented frames)."""
    have = set(project.result_runs())
    chosen = [int(p) for p in pids]
    if not chosen or not any(p in have for p in chosen):
        return "accepted"
    if not all(p in have for p in chosen):  # some with results, some without: each its own (a review: adding a
        return "any"  # person without results had switched the export to proposals, the others' results dropped)
    fixed = any(project.proposals(pid, status="edited", with_masks=False) for pid in chosen)
    return "any" if fixed else "results"


def default_source_text(source: str, project=None, pids: Iterable[int] = ()) -> str:
    """What the default ``source`` writes, for the command line's note; with ``project`` and ``pids``, "any"
    says why (which persons lack results, which have hand edits: a walk read both reasons where one held)."""
    why = "some chosen persons have no results, or have masks of yours (drawn, fixed or imported)"
    if source == "any" and project is not None:
        from ..wording import id_list

        have, chosen = set(project.result_runs()), [int(p) for p in pids]
        lacking = [p for p in chosen if p not in have]
        edited = [p for p in chosen if project.proposals(p, status="edited", with_masks=False)]
        yours = [f"masks of yours (drawn, fixed or imported) for {id_list(edited, 8)}"] if edited else []
        why = "; ".join(([f"no results for {id_list(lacking, 8)}"] if lacking else []) + yours) or why
    return {"results": "the segmentation results (every chosen person has some; --source accepted exports the "
                       "reviewed labels)",
            "any": f"the accepted and edited labels where there are some, else the segmentation results ({why})",
            "accepted": "the accepted and edited labels (no chosen person has segmentation results)"}[source]


__all__ = ["default_source", "default_source_text"]

"""The words an export's summary adds after "Exported N masks of … to OUT.": persons without masks, frames left
out, empty masks, and runs thinner than an older one or stopped part-way (never said quietly)."""

from __future__ import annotations

from app.plurals import persons_text, plural
from humanseg_core.export.runs import newer_network_text, partial_run_text, stopped_text
from humanseg_core.export.skipped import skipped_lines
from humanseg_core.workflows.placed_reading import placed_before_text


def summary_note(summary: dict) -> str:
    """' Skipped, no masks: person 7. 1 frame missing: … .' (each part with its leading space), or ""."""
    missing = summary.get("persons_without_masks") or []
    note = f" Skipped, no masks: {persons_text(missing)}." if missing else ""
    trained = {int(p): r for p, r in (summary.get("trained_not_segmented") or {}).items()}
    if trained:  # a cancelled Whole scene run trained them (a walk read only "no masks")
        one = len(trained) == 1
        who = persons_text(sorted(trained))
        note += (f" {who[:1].upper()}{who[1:]} {'has a trained network' if one else 'have trained networks'}"
                 f" (run {', '.join(str(trained[p]) for p in sorted(trained))}) and no results: segment "
                 f"{'it' if one else 'them'} in the Segment tab, or run the whole scene again.")
    skipped = summary.get("skipped_frames") or []
    if skipped:  # frames left out because their image cannot be read: never silently
        frames = len({entry.get("frame") for entry in skipped})  # a frame can be named by two stages
        note += f" {plural(frames, 'frame')} missing: " + "; ".join(skipped_lines(skipped, limit=3)) + "."
    blank = summary.get("blank_masks_left_out") or {}
    if blank:  # masks without a pixel (the person hidden or gone there): left out of every format, said
        by = sorted(blank.items(), key=lambda kv: -len(kv[1]))  # whose (a walk could not tell)
        note += (f" {plural(sum(len(f) for f in blank.values()), 'empty mask')} left out (" + ", ".join(
            f"person {p}: {len(f)}" for p, f in by[:3]) + (", …" if len(by) > 3 else "") + ").")
    marked = summary.get("marked_not_visible") or {}
    if marked:  # the analyst's V (a walk read "1 empty mask left out" of a frame it had marked not visible)
        by = sorted(marked.items(), key=lambda kv: -len(kv[1]))
        note += (f" {plural(sum(len(f) for f in marked.values()), 'frame')} marked not visible (V), without a mask ("
                 + ", ".join(f"person {p}: {len(f)}" for p, f in by[:3]) + (", …" if len(by) > 3 else "") + ").")
    taken = summary.get("masks_taken_by_others") or {}
    if taken:  # every pixel given to another person's mask (a walk read "empty" as if the labels were lost)
        by = sorted(taken.items(), key=lambda kv: -len(kv[1]))
        note += (f" {plural(sum(len(f) for f in taken.values()), 'mask')} left out, every pixel given to another "
                 "person's mask over it (" + ", ".join(f"person {p}: {len(f)}" for p, f in by[:3])
                 + (", …" if len(by) > 3 else "") + "; the project keeps them).")
    texts = [partial_run_text(pid, partial, "pick it in the Run box")  # a thinner newest run, never quietly
             for pid, partial in (summary.get("partial_runs") or {}).items()]
    texts += [stopped_text(pid, stopped) for pid, stopped in (summary.get("stopped_runs") or {}).items()]
    texts += [newer_network_text(pid, run, (summary.get("runs") or {}).get(pid, "?"))  # (an audit: taken unsaid)
              for pid, run in (summary.get("newer_networks") or {}).items()]
    if summary.get("placed_before"):  # proposed before a relocation: masks of the old placement (a walk: unsaid)
        texts.append(placed_before_text(summary["placed_before"]))
    note += "".join(f" {text[:1].upper()}{text[1:]}." for text in texts)
    return note
